import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/index.js';
import { principalOf, serveBlob } from '../../format-kit/index.js';
import { negotiate } from './negotiate.js';
import { authorizeFor, notModified, type PypiContext } from './pypi-context.js';
import { PYPI } from './pypi-state.js';
import { withBase } from './json-api.js';
import { sameVersion } from './pypi-names.js';
import { renderIndex, type RenderedPage } from './simple-pages.js';

const CACHE = 'private, max-age=0, must-revalidate';

/** Sends a page (HTML or JSON) with its ETag; 304 when the client's copy is current. */
export function sendPage(ctx: PypiContext, page: RenderedPage, contentType: string): void {
  ctx.res.set({ etag: page.etag, vary: 'Accept', 'cache-control': CACHE, 'content-type': contentType });
  if (notModified(ctx.req, page.etag)) {
    ctx.res.status(304).end();
    return;
  }
  ctx.res.status(200);
  if (ctx.req.method === 'HEAD') ctx.res.set('content-length', String(Buffer.byteLength(page.body))).end();
  else ctx.res.send(page.body);
}

export const formatParam = (ctx: PypiContext) => (typeof ctx.req.query.format === 'string' ? ctx.req.query.format : undefined);

/**
 * GET /pypi/<repo>/simple/: the project list (https://peps.python.org/pep-0503/,
 * https://peps.python.org/pep-0691/#project-list). Rendered per request from one indexed query of
 * the names (clients installing never read it), and only with the projects the caller may read.
 */
export async function listProjects(ctx: PypiContext): Promise<void> {
  // anonymous callers without anonymous read get the 401 challenge; others see what they may read
  if (!principalOf(ctx.req)) authorizeFor(ctx, 'read');
  sendIndex(ctx, await ctx.queries.projects(ctx.repository.name));
}

/** The project list with the projects the caller may read in this repository. */
export function sendIndex(ctx: PypiContext, projects: { name: string; displayName: string }[]): void {
  const rep = negotiate(ctx.req.get('accept'), formatParam(ctx));
  const readable = projects.filter((p) => {
    try {
      authorizeFor(ctx, 'read', p.name);
      return true;
    } catch {
      return false;
    }
  });
  sendPage(ctx, renderIndex(readable, rep.kind), rep.contentType);
}

/**
 * GET /pypi/<repo>/simple/<project>/: the stored project page, PEP 503 HTML or PEP 691 JSON by
 * `Accept` (https://peps.python.org/pep-0691/#version-format-selection), with an ETag.
 */
export async function projectPage(ctx: PypiContext, project: string): Promise<void> {
  authorizeFor(ctx, 'read', project);
  const rep = negotiate(ctx.req.get('accept'), formatParam(ctx));
  const page = await ctx.queries.page(ctx.repository.name, project, rep.kind);
  if (!page) throw new DomainError('NOT_FOUND', `no project "${project}" in this repository`);
  sendPage(ctx, page, rep.contentType);
}

/**
 * GET /pypi/<repo>/files/<project>/<file>: a distribution file, or its core metadata at
 * `<file>.metadata` (https://peps.python.org/pep-0658/, https://peps.python.org/pep-0714/).
 * Files are immutable: cached for good, with their sha256 as ETag; ranges and HEAD as any file.
 */
export async function downloadFile(ctx: PypiContext, project: string, file: string): Promise<void> {
  authorizeFor(ctx, 'read', project);
  const found = await ctx.queries.download(ctx.repository.name, project, file);
  if (!found) throw new DomainError('NOT_FOUND', `no file ${file} in project "${project}"`);
  const sent = await serveBlob(ctx.req, ctx.res, ctx.services.blobs, {
    sha256: found.sha256,
    size: found.size,
    contentType: found.kind === 'metadata' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
    cacheControl: 'private, max-age=31536000, immutable',
  });
  if (sent > 0) ctx.services.traffic.bytesOut(PYPI, sent);
}

/** Documents embed the base URL, so their ETag does too (a short hash of it). */
export const baseTag = (base: string) => createHash('sha256').update(base).digest('hex').slice(0, 8);

/**
 * GET /pypi/<repo>/pypi/<project>/json and /pypi/<repo>/pypi/<project>/<version>/json: PyPI's JSON
 * API (https://docs.pypi.org/api/json/), stored by the projection; a version is found by PEP 440
 * equality (`1.0` finds `1.0.0`). The file URLs are absolute, as PyPI's are.
 */
export async function jsonApi(ctx: PypiContext, project: string, version?: string): Promise<void> {
  authorizeFor(ctx, 'read', project);
  const doc = await hostedJsonDocument(ctx, ctx.repository.name, project, version);
  if (!doc) throw new DomainError('NOT_FOUND', version === undefined ? `no project "${project}" in this repository` : `${project} has no release ${version}`);
  const base = ctx.services.baseUrl(ctx.req);
  sendPage(ctx, { body: withBase(doc.body, base), etag: `${doc.etag.slice(0, -1)}-${baseTag(base)}"` }, 'application/json');
}

/** A hosted repository's stored JSON API document (a version found by PEP 440 equality), with the mark for the base URL still in. */
export async function hostedJsonDocument(ctx: PypiContext, repository: string, project: string, version?: string): Promise<RenderedPage | null> {
  const doc = await ctx.queries.jsonApi(repository, project, version);
  if (doc || version === undefined) return doc;
  const release = (await ctx.queries.releases(repository, project)).find((v) => sameVersion(v, version));
  return release ? ctx.queries.jsonApi(repository, project, release) : null;
}
