import { DomainError, type RepositoryView } from '../../domain/index.js';
import { eventMetadata, serveRemoteFile } from '../../format-kit/index.js';
import type { ExpectedDigests } from '../../ports/index.js';
import { negotiate } from './negotiate.js';
import type { PypiContext } from './pypi-context.js';
import { PYPI } from './pypi-state.js';
import { remotePath, rewriteJsonApi, rewritePage, versionOfFilename } from './proxied-pages.js';
import { formatParam, sendPage } from './simple-reads.js';
import { page, renderPageHtml, renderPageJson, type RenderedPage } from './simple-pages.js';
import { parseIndexPage, parseProjectPage, UPSTREAM_ACCEPT, type SimpleFile, type SimpleProject } from './upstream-pages.js';

const METADATA_SUFFIX = '.metadata';

export const unavailable = (e: unknown): e is DomainError => e instanceof DomainError && e.code === 'UPSTREAM_UNAVAILABLE';

/** `http://host/pypi/<repo>`: the absolute base of a repository's URLs (JSON API documents are absolute, as PyPI's). */
export const repositoryBase = (ctx: PypiContext, repository: string) => `${ctx.services.baseUrl(ctx.req).replace(/\/+$/, '')}/pypi/${encodeURIComponent(repository)}`;

/**
 * The upstream's page of `project` (`<upstream>/<project>/`, asked for PEP 691 JSON first, PEP 503
 * HTML read too), cached by the remote core (max age, conditional revalidation, the last copy when
 * the upstream is down, brief not-found caching); its URLs as the upstream has them. Null when the
 * upstream has no such project.
 */
export async function upstreamPage(ctx: PypiContext, remote: RepositoryView, project: string): Promise<SimpleProject | null> {
  const doc = await ctx.services.remote.metadata(remote, `simple/${project}`, `${encodeURIComponent(project)}/`, { accept: UPSTREAM_ACCEPT });
  return doc ? parseProjectPage(doc.body, doc.contentType, doc.url, project) : null;
}

/** The page a remote repository serves for `project`: the upstream's, rewritten (see rewritePage). */
export async function remotePage(ctx: PypiContext, remote: RepositoryView, project: string): Promise<SimpleProject | null> {
  const upstream = await upstreamPage(ctx, remote, project);
  if (!upstream) return null;
  const paths = upstream.files.flatMap((f) => [remotePath(project, f.filename), ...(f.coreMetadata ? [remotePath(project, `${f.filename}${METADATA_SUFFIX}`)] : [])]);
  return rewritePage(upstream, await ctx.services.remote.recorded(remote.name, paths));
}

/** Sends a page built for this request (remote or virtual), HTML or JSON by `Accept`, with an ETag from its bytes. */
export function sendProject(ctx: PypiContext, project: SimpleProject): void {
  const rep = negotiate(ctx.req.get('accept'), formatParam(ctx));
  sendPage(ctx, rep.kind === 'html' ? renderPageHtml(project) : renderPageJson(project), rep.contentType);
}

/** What the upstream's page declares for a file (or for the PEP 658 `.metadata` of one): where it is, and its digests. */
function declared(listing: SimpleProject | null, file: string): { url: string; expected?: ExpectedDigests; entry: SimpleFile } | undefined {
  const direct = listing?.files.find((f) => f.filename === file);
  if (direct) return { url: direct.url, expected: expectedOf(direct.hashes), entry: direct };
  if (!file.endsWith(METADATA_SUFFIX)) return undefined;
  const of = listing?.files.find((f) => f.filename === file.slice(0, -METADATA_SUFFIX.length));
  if (!of?.coreMetadata) return undefined;
  return { url: `${of.url}${METADATA_SUFFIX}`, expected: of.coreMetadata.sha256 ? { sha256: of.coreMetadata.sha256 } : undefined, entry: of };
}

const expectedOf = (h: Record<string, string>): ExpectedDigests | undefined => {
  const e: ExpectedDigests = { ...(h.sha256 ? { sha256: h.sha256 } : {}), ...(h.sha512 ? { sha512: h.sha512 } : {}), ...(h.sha1 ? { sha1: h.sha1 } : {}), ...(h.md5 ? { md5: h.md5 } : {}) };
  return Object.keys(e).length ? e : undefined;
};

/**
 * GET /pypi/<remote>/files/<project>/<file>: a distribution file (or its PEP 658 `.metadata`) the
 * upstream's page lists, fetched from the URL the page gives once, verified against the page's
 * hash, streamed while stored, and served from the store afterwards. When the upstream cannot be
 * asked (and has no cached page), or no longer lists the file, a recorded file is still served.
 */
export async function serveRemoteDownload(ctx: PypiContext, remote: RepositoryView, project: string, file: string): Promise<void> {
  const path = remotePath(project, file);
  let listing: SimpleProject | null = null;
  let failure: unknown;
  try {
    listing = await upstreamPage(ctx, remote, project);
  } catch (e) {
    if (!unavailable(e)) throw e;
    failure = e;
  }
  const found = declared(listing, file);
  if (!found && !(await ctx.services.remote.recorded(remote.name, [path])).has(path)) {
    throw failure ?? new DomainError('NOT_FOUND', `no file ${file} in project "${project}" (nor in the upstream)`);
  }
  const isMetadata = !!found && found.entry.filename !== file;
  const mediaType = isMetadata || (!found && file.endsWith(METADATA_SUFFIX)) ? 'text/plain; charset=utf-8' : 'application/octet-stream';
  const version = versionOfFilename(isMetadata ? found.entry.filename : file, project) ?? '';
  const fetched = await ctx.services.remote.file(
    remote,
    { path, url: found?.url ?? `${encodeURIComponent(project)}/${encodeURIComponent(file)}`, name: project, version, mediaType, expected: found?.expected, sha512: !!found?.expected?.sha512 },
    eventMetadata(ctx.req),
  );
  const sent = await serveRemoteFile(ctx.req, ctx.res, ctx.services.blobs, fetched, () => ({ contentType: mediaType, cacheControl: 'private, max-age=31536000, immutable' }));
  ctx.services.traffic.bytesOut(PYPI, sent);
}

/** The upstream's project list (its root page, cached like project pages); empty when it has none. */
export async function remoteIndex(ctx: PypiContext, remote: RepositoryView): Promise<{ name: string; displayName: string }[]> {
  const doc = await ctx.services.remote.metadata(remote, 'index', '', { accept: UPSTREAM_ACCEPT });
  return doc ? parseIndexPage(doc.body, doc.contentType) : [];
}

/**
 * PyPI's JSON API of a remote repository: the upstream's own, asked at `../pypi/<project>/json`
 * beside its simple index (where pypi.org and Strata serve it), cached like pages, file URLs
 * rewritten to this repository (`repoBase`). Null when the upstream has none (a static index).
 */
export async function remoteJsonApi(ctx: PypiContext, remote: RepositoryView, project: string, version: string | undefined, repoBase: string): Promise<RenderedPage | null> {
  const rel = `../pypi/${encodeURIComponent(project)}/${version === undefined ? '' : `${encodeURIComponent(version)}/`}json`;
  const doc = await ctx.services.remote.metadata(remote, `json/${project}/${version ?? ''}`, rel, { accept: 'application/json' });
  const body = doc && rewriteJsonApi(doc.body.toString('utf8'), repoBase, project);
  return body ? page(body) : null;
}
