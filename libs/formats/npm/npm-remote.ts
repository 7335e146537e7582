import { createHash } from 'node:crypto';
import { DomainError, type RepositoryView } from '../../domain/index.js';
import { matchesIfNoneMatch, serveRemoteFile } from '../../format-kit/index.js';
import { acceptsGzip, GzipCache } from './gzip-cache.js';
import { metadataOf, sendJson, type NpmContext } from './npm-context.js';
import { tarballFile } from './npm-names.js';
import { NPM } from './npm.projection.js';
import {
  declaredTarball, packumentPath, parseUpstreamPackument, proxiedTarballPath, rewriteUpstreamPackument, versionOfFile, type Packument,
} from './proxy-packument.js';

export type DocumentKind = 'full' | 'abbreviated';

const ABBREVIATED_TYPE = 'application/vnd.npm.install-v1+json';
/** what npm itself sends for install documents; the full packument is plain JSON */
const ACCEPT: Record<DocumentKind, string> = { abbreviated: `${ABBREVIATED_TYPE}; q=1.0, application/json; q=0.8, */*`, full: 'application/json' };
const proxiedDocuments = new GzipCache(16 * 1024 * 1024);

/** `<base>/npm/<repo>`: where tarball URLs of documents a repository serves start. */
export const repositoryBase = (ctx: NpmContext, repository: string) => `${ctx.services.baseUrl(ctx.req).replace(/\/+$/, '')}/npm/${encodeURIComponent(repository)}`;

/**
 * A remote repository's packument of `name`: the upstream's (cached by the remote core under one
 * key per package and document kind, revalidated after `metadataMaxAgeSeconds`, the last copy when
 * the upstream is down), rewritten by rewriteUpstreamPackument. Null when the upstream has no such
 * package.
 */
export async function remotePackument(ctx: NpmContext, remote: RepositoryView, name: string, kind: DocumentKind): Promise<Packument | null> {
  const upstream = await ctx.services.remote.metadata(remote, `packument/${kind}/${name}`, packumentPath(name), { accept: ACCEPT[kind] });
  if (!upstream) return null;
  const doc = parseUpstreamPackument(upstream.body, name);
  const paths = Object.keys(doc.versions).map((v) => proxiedTarballPath(name, tarballFile(name, v)));
  const recorded = await ctx.services.remote.recorded(remote.name, paths);
  return rewriteUpstreamPackument(doc, { tarballBase: repositoryBase(ctx, remote.name), recorded, abbreviated: kind === 'abbreviated' });
}

/**
 * Sends a packument built for this request (remote or virtual): ETag from its bytes, `304` on a
 * matching If-None-Match, gzip when accepted, the abbreviated media type for install documents.
 * https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md
 */
export async function sendPackument(ctx: NpmContext, doc: Packument, kind: DocumentKind): Promise<void> {
  const body = JSON.stringify(doc);
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 40)}"`;
  ctx.res.set({ etag, vary: 'Accept, Accept-Encoding', 'cache-control': 'private, max-age=0, must-revalidate', 'content-type': kind === 'abbreviated' ? ABBREVIATED_TYPE : 'application/json' });
  if (matchesIfNoneMatch(ctx.req.get('if-none-match'), etag)) {
    ctx.res.status(304).end();
    return;
  }
  if (acceptsGzip(ctx.req.get('accept-encoding'))) {
    const gzipped = await proxiedDocuments.get(`${kind}${etag}`, () => body);
    ctx.res.status(200).set({ etag: `W/${etag}`, 'content-encoding': 'gzip', 'content-length': String(gzipped.length) });
    if (ctx.req.method === 'HEAD') ctx.res.end();
    else ctx.res.end(gzipped);
    return;
  }
  ctx.res.status(200).send(body);
}

/** A version manifest of a packument by version or dist-tag (GET /<name>/<version|tag>). */
export function sendVersionManifest(ctx: NpmContext, doc: Packument, spec: string): void {
  const version = doc.versions[spec] ? spec : doc['dist-tags'][spec];
  if (!version || !doc.versions[version]) throw new DomainError('NOT_FOUND', `${doc.name}@${spec} is not in this registry`);
  ctx.res.set('cache-control', 'private, max-age=0, must-revalidate');
  sendJson(ctx, 200, doc.versions[version]);
}

/** The packument of a remote repository, or the npm 404. */
export async function requireRemotePackument(ctx: NpmContext, remote: RepositoryView, name: string, kind: DocumentKind): Promise<Packument> {
  const doc = await remotePackument(ctx, remote, name, kind);
  if (!doc) throw new DomainError('NOT_FOUND', `${name} is not in this registry (nor in its upstream)`);
  return doc;
}

/**
 * GET /<name>/-/<file>.tgz of a remote repository: fetched from the upstream once (the URL and the
 * digests its packument declares for the version: bytes that differ are refused), streamed while
 * stored, served from the store afterwards. When the upstream cannot be asked, or no longer lists
 * the version, a recorded tarball is still served: lockfiles keep installing.
 * https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md#dist
 */
export async function serveRemoteTarball(ctx: NpmContext, remote: RepositoryView, name: string, file: string): Promise<void> {
  const version = versionOfFile(name, file);
  if (!version) throw new DomainError('NOT_FOUND', `${name}/-/${file} is not a tarball of ${name}`);
  const path = proxiedTarballPath(name, file);
  let declared: ReturnType<typeof declaredTarball> = null;
  let unreachable: unknown;
  try {
    const upstream = await ctx.services.remote.metadata(remote, `packument/abbreviated/${name}`, packumentPath(name), { accept: ACCEPT.abbreviated });
    declared = upstream ? declaredTarball(parseUpstreamPackument(upstream.body, name).versions[version]) : null;
  } catch (e) {
    if (!(e instanceof DomainError) || e.code !== 'UPSTREAM_UNAVAILABLE') throw e;
    unreachable = e;
  }
  if (!declared && !(await ctx.services.remote.recorded(remote.name, [path])).has(path)) {
    throw unreachable ?? new DomainError('NOT_FOUND', `${name}@${version} is not in this registry (nor in its upstream)`);
  }
  const remoteFile = await ctx.services.remote.file(
    remote,
    { path, url: declared?.url ?? `${packumentPath(name)}/-/${file}`, name, version, mediaType: 'application/octet-stream', expected: declared?.expected, sha512: true },
    metadataOf(ctx),
  );
  const sent = await serveRemoteFile(ctx.req, ctx.res, ctx.services.blobs, remoteFile, () => ({ contentType: 'application/octet-stream', cacheControl: 'private, max-age=31536000, immutable' }));
  ctx.services.traffic.bytesOut(NPM, sent);
}
