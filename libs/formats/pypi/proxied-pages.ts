import type { StoredFile } from '../../domain/index.js';
import { compareVersions, parseDistributionFilename } from './pypi-names.js';
import { fileUrl } from './simple-pages.js';
import type { SimpleFile, SimpleProject } from './upstream-pages.js';

/** Where a remote repository keeps a file of a project (the `path` of its UpstreamFetched record). */
export const remotePath = (project: string, filename: string) => `${project}/${filename}`;

/** The version a distribution file name carries (wheels, `.tar.gz` and `.zip` sdists), if it is one. */
export function versionOfFilename(filename: string, project: string): string | undefined {
  try {
    return parseDistributionFilename(filename.replace(/\.zip$/, '.tar.gz'), project).version;
  } catch {
    return undefined;
  }
}

/** The versions of a page: its own PEP 700 list, else those its file names carry (undefined when one does not). */
function versionsOf(p: SimpleProject): string[] | undefined {
  if (p.versions) return p.versions;
  const versions = new Set<string>();
  for (const f of p.files) {
    const v = versionOfFilename(f.filename, p.name);
    if (v === undefined) return undefined;
    versions.add(v);
  }
  return [...versions];
}

const sortVersions = (versions: Iterable<string>) =>
  [...new Set(versions)].sort((a, b) => {
    try {
      return compareVersions(a, b);
    } catch {
      return a < b ? -1 : a > b ? 1 : 0;
    }
  });

/**
 * A page as a Strata repository serves it: every file URL on the repository itself
 * (`../../files/<project>/<file>`, as hosted pages have them); for files already fetched, the
 * recorded sha256 and size (and the recorded sha256 of their `.metadata`) in place of whatever the
 * upstream says now, so that clients verify what Strata serves.
 */
export function rewritePage(p: SimpleProject, recorded: Map<string, StoredFile>): SimpleProject {
  const versions = versionsOf(p);
  const files = p.files.map((f): SimpleFile => {
    const kept = recorded.get(remotePath(p.name, f.filename));
    const meta = f.coreMetadata && recorded.get(remotePath(p.name, `${f.filename}.metadata`));
    return {
      ...f,
      url: fileUrl(p.name, f.filename),
      ...(kept ? { hashes: { sha256: kept.digest.replace(/^sha256:/, '') }, size: kept.size } : {}),
      ...(meta ? { coreMetadata: { sha256: meta.digest.replace(/^sha256:/, '') } } : {}),
    };
  });
  return { name: p.name, files, ...(versions ? { versions: sortVersions(versions) } : {}) };
}

/**
 * The pages of a virtual repository's members merged, members in order: every file name once,
 * from the first member that lists it; the versions of all of them. URLs are the virtual
 * repository's own (downloads go through the members in the same order).
 */
export function mergePages(name: string, pages: SimpleProject[]): SimpleProject {
  const seen = new Set<string>();
  const files: SimpleFile[] = [];
  let versions: string[] | undefined = [];
  for (const p of pages) {
    const own = versionsOf(p);
    versions = own && versions ? [...versions, ...own] : undefined;
    for (const f of p.files) {
      if (seen.has(f.filename)) continue;
      seen.add(f.filename);
      files.push({ ...f, url: fileUrl(name, f.filename) });
    }
  }
  return { name, files, ...(versions ? { versions: sortVersions(versions) } : {}) };
}

/**
 * A JSON API document (https://docs.pypi.org/api/json/) of another repository (an upstream's, or a
 * member's) as `repoBase` (`http://host/pypi/<repo>`) serves it: file URLs and the project's page
 * URLs on `repoBase`, so downloads go through Strata. Null when it is not such a document.
 */
export function rewriteJsonApi(body: string, repoBase: string, project: string): string | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return null;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const d = doc as { info?: Record<string, unknown>; urls?: unknown; releases?: unknown };
  if (!d.info || typeof d.info !== 'object') return null;
  const rewrite = (files: unknown) => {
    for (const f of Array.isArray(files) ? files : []) {
      if (f && typeof f === 'object' && typeof f.filename === 'string') (f as { url: string }).url = `${repoBase}/files/${project}/${encodeURIComponent(f.filename)}`;
    }
  };
  rewrite(d.urls);
  for (const files of Object.values(d.releases && typeof d.releases === 'object' ? d.releases : {})) rewrite(files);
  const page = `${repoBase}/simple/${project}/`;
  d.info.package_url = page;
  d.info.project_url = page;
  if (typeof d.info.version === 'string') d.info.release_url = `${repoBase}/pypi/${project}/${d.info.version}/json`;
  return JSON.stringify(d);
}
