import { createHash } from 'node:crypto';
import { compareVersions } from './pypi-names.js';
import type { PypiProjectState } from './pypi-state.js';

/** PEP 700 raised the simple API to 1.1 (`versions`, `size`, `upload-time`). https://peps.python.org/pep-0700/ */
export const API_VERSION = '1.1';

export interface RenderedPage {
  body: string;
  etag: string;
}

const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
/** A body with its ETag (a prefix of its sha256). */
export const page = (body: string): RenderedPage => ({ body, etag: etagOf(body) });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Where a file is downloaded, relative to the project page `/pypi/<repo>/simple/<project>/`. */
export const fileUrl = (project: string, filename: string) => `../../files/${project}/${encodeURIComponent(filename)}`;

/** PEP 700 times: `yyyy-mm-ddThh:mm:ss.ffffffZ` (the log records milliseconds). */
const uploadTime = (iso: string) => iso.replace(/\.(\d{3})Z$/, '.$1000Z');

interface FileView {
  filename: string;
  url: string;
  sha256: string;
  size: number;
  uploadTime: string;
  requiresPython?: string;
  coreMetadataSha256?: string;
  yanked: false | true | string;
}

/** The project's files: by version (PEP 440 order), then by name. */
function filesOf(s: PypiProjectState): FileView[] {
  const out: FileView[] = [];
  for (const version of versionsOf(s)) {
    const v = s.versions[version];
    for (const filename of [...v.files].sort()) {
      const f = s.files[filename];
      if (!f) continue;
      out.push({
        filename,
        url: fileUrl(s.name, filename),
        sha256: f.sha256,
        size: f.size,
        uploadTime: uploadTime(f.uploadTime),
        requiresPython: f.requiresPython,
        coreMetadataSha256: f.coreMetadata?.sha256,
        yanked: v.yanked ? (v.yankReason ?? true) : false,
      });
    }
  }
  return out;
}

/** Versions that have files, in PEP 440 order. */
export const versionsOf = (s: PypiProjectState) => Object.keys(s.versions).filter((v) => s.versions[v].files.length > 0).sort(compareVersions);

/**
 * The project page in HTML: PEP 503 (https://peps.python.org/pep-0503/) with sha256 fragments,
 * `data-requires-python`, `data-yanked` (PEP 592), `data-core-metadata` (PEP 714) and its older
 * `data-dist-info-metadata` spelling (PEP 658) and the repository version meta tag (PEP 629).
 */
export function renderProjectHtml(s: PypiProjectState): RenderedPage {
  const links = filesOf(s).map((f) => {
    const attrs = [`href="${escapeHtml(`${f.url}#sha256=${f.sha256}`)}"`];
    if (f.requiresPython) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
    if (f.coreMetadataSha256) attrs.push(`data-dist-info-metadata="sha256=${f.coreMetadataSha256}"`, `data-core-metadata="sha256=${f.coreMetadataSha256}"`);
    if (f.yanked !== false) attrs.push(`data-yanked="${f.yanked === true ? '' : escapeHtml(f.yanked)}"`);
    return `    <a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a><br />\n`;
  });
  return page(
    `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n    <title>Links for ${escapeHtml(s.name)}</title>\n  </head>\n  <body>\n` +
      `    <h1>Links for ${escapeHtml(s.name)}</h1>\n${links.join('')}  </body>\n</html>\n`,
  );
}

/** The project page in JSON: PEP 691 (https://peps.python.org/pep-0691/#project-detail) with PEP 700's fields. */
export function renderProjectJson(s: PypiProjectState): RenderedPage {
  const files = filesOf(s).map((f) => ({
    filename: f.filename,
    url: f.url,
    hashes: { sha256: f.sha256 },
    ...(f.requiresPython ? { 'requires-python': f.requiresPython } : {}),
    ...(f.coreMetadataSha256 ? { 'core-metadata': { sha256: f.coreMetadataSha256 }, 'dist-info-metadata': { sha256: f.coreMetadataSha256 } } : {}),
    ...(f.yanked !== false ? { yanked: f.yanked } : {}),
    size: f.size,
    'upload-time': f.uploadTime,
  }));
  return page(JSON.stringify({ meta: { 'api-version': API_VERSION }, name: s.name, versions: versionsOf(s), files }));
}

/** The root page: every project (https://peps.python.org/pep-0503/, https://peps.python.org/pep-0691/#project-list). */
export function renderIndex(projects: { name: string; displayName: string }[], kind: 'html' | 'json'): RenderedPage {
  if (kind === 'json') return page(JSON.stringify({ meta: { 'api-version': API_VERSION }, projects: projects.map((p) => ({ name: p.displayName })) }));
  const links = projects.map((p) => `    <a href="${escapeHtml(encodeURIComponent(p.name))}/">${escapeHtml(p.displayName)}</a><br />\n`).join('');
  return page(
    `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n    <title>Simple index</title>\n  </head>\n  <body>\n${links}  </body>\n</html>\n`,
  );
}
