import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../../domain/index.js';
import { acceptsGzip, GzipCache } from './gzip-cache.js';
import { authorizeFor, sendJson, type NpmContext } from './npm-context.js';
import { assertPackageName } from './npm-names.js';
import { NPM } from './npm.projection.js';
import { withBaseUrl } from './packument.js';

const ABBREVIATED_TYPE = 'application/vnd.npm.install-v1+json';
const CACHE = 'private, max-age=0, must-revalidate';
const baseTags = new Map<string, string>();
/** compressed packuments of this process: 64 MiB holds thousands of typical ones */
const compressed = new GzipCache(64 * 1024 * 1024);

/** Documents embed the base URL, so their ETag does too (a short hash of it, remembered). */
function baseTag(base: string): string {
  let tag = baseTags.get(base);
  if (!tag) {
    tag = createHash('sha256').update(base).digest('hex').slice(0, 8);
    if (baseTags.size < 64) baseTags.set(base, tag);
  }
  return tag;
}

/** npm asks for the abbreviated document with `Accept: application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, *\/*`. */
export function wantsAbbreviated(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return type === ABBREVIATED_TYPE && (q === undefined || Number(q.slice(2)) > 0);
  });
}

const notModified = (ifNoneMatch: string | undefined, etag: string) =>
  !!ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag);

/** Package documents and tarballs: the read side of the registry API. */
export class NpmPackageReads {
  /**
   * GET /<name>: the packument, full or abbreviated by `Accept`; one stored row, ETag, 304.
   * https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md#getpackage
   * https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md
   */
  async getPackument(ctx: NpmContext, name: string): Promise<void> {
    assertPackageName(name);
    authorizeFor(ctx, 'read', name);
    // `?write=true` (npm deprecate, unpublish, owner) always wants the full document
    const abbreviated = ctx.req.query.write !== 'true' && wantsAbbreviated(ctx.req.get('accept'));
    const doc = await ctx.queries.document(ctx.repository.name, name, abbreviated ? 'abbreviated' : 'full');
    if (!doc) throw new DomainError('NOT_FOUND', `${name} is not in this registry`);
    const base = ctx.services.baseUrl(ctx.req);
    const etag = `"${doc.etag.slice(0, 40)}-${baseTag(base)}"`;
    ctx.res.set({ etag, vary: 'Accept, Accept-Encoding', 'cache-control': CACHE, 'content-type': abbreviated ? ABBREVIATED_TYPE : 'application/json' });
    if (notModified(ctx.req.get('if-none-match'), etag)) {
      ctx.res.status(304).end();
      return;
    }
    if (acceptsGzip(ctx.req.get('accept-encoding'))) {
      // npm, pnpm and yarn all accept gzip: packuments shrink to about a sixth
      const body = await compressed.get(`${abbreviated ? 'a' : 'f'}${etag}`, () => withBaseUrl(doc.body, base));
      // another encoding of the same content: a weak validator (RFC 9110 section 8.8.1), still matched by If-None-Match
      ctx.res.status(200).set({ etag: `W/${etag}`, 'content-encoding': 'gzip', 'content-length': String(body.length) });
      if (ctx.req.method === 'HEAD') ctx.res.end();
      else ctx.res.end(body);
      return;
    }
    ctx.res.status(200).send(withBaseUrl(doc.body, base));
  }

  /**
   * GET /<name>/<version|tag>: one version's manifest.
   * https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md#getpackageversion
   */
  async getVersionManifest(ctx: NpmContext, name: string, spec: string): Promise<void> {
    assertPackageName(name);
    authorizeFor(ctx, 'read', name);
    const doc = await ctx.queries.document(ctx.repository.name, name, 'full');
    if (!doc) throw new DomainError('NOT_FOUND', `${name} is not in this registry`);
    const packument = JSON.parse(withBaseUrl(doc.body, ctx.services.baseUrl(ctx.req))) as { 'dist-tags': Record<string, string>; versions: Record<string, unknown> };
    const version = packument.versions[spec] ? spec : packument['dist-tags'][spec];
    if (!version || !packument.versions[version]) throw new DomainError('NOT_FOUND', `${name}@${spec} is not in this registry`);
    ctx.res.set('cache-control', CACHE);
    sendJson(ctx, 200, packument.versions[version]);
  }

  /**
   * GET /<name>/-/<file>.tgz: a version's tarball (the `dist.tarball` URL of the packument).
   * https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md#dist
   */
  async downloadTarball(ctx: NpmContext, name: string, file: string): Promise<void> {
    assertPackageName(name);
    authorizeFor(ctx, 'read', name);
    const tarball = await ctx.queries.tarball(ctx.repository.name, name, file);
    if (!tarball) throw new DomainError('NOT_FOUND', `${name}/-/${file} is not in this registry`);
    const etag = `"${tarball.sha256}"`;
    ctx.res.set({ etag, 'content-type': 'application/octet-stream', 'cache-control': 'private, max-age=31536000, immutable' });
    if (notModified(ctx.req.get('if-none-match'), etag)) {
      ctx.res.status(304).end();
      return;
    }
    ctx.res.status(200).set('content-length', String(tarball.size));
    if (ctx.req.method === 'HEAD') {
      ctx.res.end();
      return;
    }
    const body = await ctx.services.blobs.get(tarball.sha256).catch((e) => {
      if (e instanceof DomainError && e.code === 'NOT_FOUND') throw new DomainError('GONE', 'the content of this tarball has been purged');
      throw e;
    });
    await pipeline(body, ctx.res).catch(() => body.destroy());
    ctx.services.traffic.bytesOut(NPM, tarball.size);
  }

  /**
   * GET /-/package/<name>/dist-tags: `npm dist-tag ls`.
   * https://github.com/npm/cli/blob/latest/lib/commands/dist-tag.js (the registry's dist-tags endpoint)
   */
  async listDistTags(ctx: NpmContext, name: string): Promise<void> {
    assertPackageName(name);
    authorizeFor(ctx, 'read', name);
    const found = await ctx.queries.state(ctx.repository.name, name);
    if (!found || Object.keys(found.state.versions).length === 0) throw new DomainError('NOT_FOUND', `${name} is not in this registry`);
    sendJson(ctx, 200, found.state.tags);
  }
}
