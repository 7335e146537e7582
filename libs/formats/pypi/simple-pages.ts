import { createHash } from 'node:crypto';
import { compareVersions } from './pypi-names.js';
import type { PypiProjectState } from './pypi-state.js';
import type { SimpleFile, SimpleProject } from './upstream-pages.js';

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

/** The project's files: by version (PEP 440 order), then by name. */
function filesOf(s: PypiProjectState): SimpleFile[] {
  const out: SimpleFile[] = [];
  for (const version of versionsOf(s)) {
    const v = s.versions[version];
    for (const filename of [...v.files].sort()) {
      const f = s.files[filename];
      if (!f) continue;
      out.push({
        filename,
        url: fileUrl(s.name, filename),
        hashes: { sha256: f.sha256 },
        ...(f.requiresPython ? { requiresPython: f.requiresPython } : {}),
        ...(f.coreMetadata ? { coreMetadata: { sha256: f.coreMetadata.sha256 } } : {}),
        yanked: v.yanked ? (v.yankReason ?? true) : false,
        size: f.size,
        uploadTime: uploadTime(f.uploadTime),
      });
    }
  }
  return out;
}

/** Versions that have files, in PEP 440 order. */
export const versionsOf = (s: PypiProjectState) => Object.keys(s.versions).filter((v) => s.versions[v].files.length > 0).sort(compareVersions);

/** The hash a PEP 503 link carries: sha256 when known, else another that `hashlib` guarantees. */
const LINK_HASHES = ['sha256', 'sha512', 'sha384', 'sha224', 'sha1', 'md5'];
const linkHash = (hashes: Record<string, string>) => LINK_HASHES.find((h) => hashes[h]);

/**
 * A project page in HTML: PEP 503 (https://peps.python.org/pep-0503/) with hash fragments,
 * `data-requires-python`, `data-yanked` (PEP 592), `data-core-metadata` (PEP 714) and its older
 * `data-dist-info-metadata` spelling (PEP 658) and the repository version meta tag (PEP 629).
 */
export function renderPageHtml(p: SimpleProject): RenderedPage {
  const links = p.files.map((f) => {
    const hash = linkHash(f.hashes);
    const attrs = [`href="${escapeHtml(hash ? `${f.url}#${hash}=${f.hashes[hash]}` : f.url)}"`];
    if (f.requiresPython) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
    if (f.coreMetadata) {
      const value = f.coreMetadata.sha256 ? `sha256=${f.coreMetadata.sha256}` : 'true';
      attrs.push(`data-dist-info-metadata="${value}"`, `data-core-metadata="${value}"`);
    }
    if (f.yanked !== false) attrs.push(`data-yanked="${f.yanked === true ? '' : escapeHtml(f.yanked)}"`);
    return `    <a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a><br />\n`;
  });
  return page(
    `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n    <title>Links for ${escapeHtml(p.name)}</title>\n  </head>\n  <body>\n` +
      `    <h1>Links for ${escapeHtml(p.name)}</h1>\n${links.join('')}  </body>\n</html>\n`,
  );
}

/**
 * A project page in JSON: PEP 691 (https://peps.python.org/pep-0691/#project-detail); API version
 * 1.1 with PEP 700's `versions`, `size` and `upload-time` when every file's size is known (pages
 * of upstream indexes that do not say), else 1.0.
 */
export function renderPageJson(p: SimpleProject): RenderedPage {
  const v11 = p.versions !== undefined && p.files.every((f) => f.size !== undefined);
  const files = p.files.map((f) => {
    const core = f.coreMetadata && (f.coreMetadata.sha256 ? { sha256: f.coreMetadata.sha256 } : true);
    return {
      filename: f.filename,
      url: f.url,
      hashes: f.hashes,
      ...(f.requiresPython ? { 'requires-python': f.requiresPython } : {}),
      ...(core ? { 'core-metadata': core, 'dist-info-metadata': core } : {}),
      ...(f.yanked !== false ? { yanked: f.yanked } : {}),
      ...(f.size !== undefined ? { size: f.size } : {}),
      ...(f.uploadTime ? { 'upload-time': f.uploadTime } : {}),
    };
  });
  return page(JSON.stringify({ meta: { 'api-version': v11 ? API_VERSION : '1.0' }, name: p.name, ...(v11 ? { versions: p.versions } : {}), files }));
}

/** The stored page of a hosted project, in HTML. */
export const renderProjectHtml = (s: PypiProjectState): RenderedPage => renderPageHtml({ name: s.name, files: filesOf(s) });

/** The stored page of a hosted project, in JSON (API version 1.1). */
export const renderProjectJson = (s: PypiProjectState): RenderedPage => renderPageJson({ name: s.name, versions: versionsOf(s), files: filesOf(s) });

/** The root page: every project (https://peps.python.org/pep-0503/, https://peps.python.org/pep-0691/#project-list). */
export function renderIndex(projects: { name: string; displayName: string }[], kind: 'html' | 'json'): RenderedPage {
  if (kind === 'json') return page(JSON.stringify({ meta: { 'api-version': API_VERSION }, projects: projects.map((p) => ({ name: p.displayName })) }));
  const links = projects.map((p) => `    <a href="${escapeHtml(encodeURIComponent(p.name))}/">${escapeHtml(p.displayName)}</a><br />\n`).join('');
  return page(
    `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n    <title>Simple index</title>\n  </head>\n  <body>\n${links}  </body>\n</html>\n`,
  );
}
