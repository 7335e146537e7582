import { DomainError, type RepositoryView } from '../../domain/index.js';
import { readableMembers } from '../../format-kit/index.js';
import { isObject } from './json-body.js';
import { authorizeFor, sendJson, type NpmContext } from './npm-context.js';
import { assertPackageName } from './npm-names.js';
import { requireRemotePackument, sendPackument, sendVersionManifest, serveRemoteTarball, type DocumentKind } from './npm-remote.js';
import type { NpmRoute } from './npm-route.js';
import { serveVirtualTarball, virtualPackument } from './npm-virtual.js';
import { wantsAbbreviated, type NpmPackageReads } from './package-reads.js';
import { hostedSearch, mayRead, searchRequest, sendSearch, type SearchObject, type SearchRequest } from './search.js';

/** Operations that change a package: refused by remote repositories, sent to a virtual repository's publish target. */
const WRITES = new Set<NpmRoute['op']>(['publishOrUpdate', 'updateRev', 'unpublishAll', 'tarballDelete', 'distTagSet', 'distTagRemove']);

/**
 * Remote and virtual npm repositories, in front of the hosted handlers. Reads (packuments, version
 * manifests, tarballs, dist-tags, search) are answered here, returning true. Writes to a remote
 * repository are refused (405 in npm's shape); writes to a virtual repository, and the
 * `?write=true` reads npm makes before changing a package, are retargeted at the virtual
 * repository's publish target (`ctx.repository` changes; the caller's rights there apply) and
 * left to the hosted handlers, as are the account endpoints (false).
 */
export async function handleProxied(ctx: NpmContext, route: NpmRoute, reads: NpmPackageReads): Promise<boolean> {
  const { repository } = ctx;
  if (repository.type === 'hosted') return false;
  const forWrite = WRITES.has(route.op) || (route.op === 'packument' && ctx.req.query.write === 'true');
  if (forWrite && repository.type === 'remote') {
    throw new DomainError('METHOD_NOT_ALLOWED', `repository "${repository.name}" is a read-only proxy of its upstream; publish to a hosted npm repository`);
  }
  if (forWrite) {
    ctx.repository = await ctx.services.virtual.publishTarget(repository);
    return false;
  }
  const kind: DocumentKind = wantsAbbreviated(ctx.req.get('accept')) ? 'abbreviated' : 'full';
  switch (route.op) {
    case 'packument':
      return done(sendPackument(ctx, await packumentOf(ctx, route.name, kind), kind));
    case 'versionManifest':
      return done(sendVersionManifest(ctx, await packumentOf(ctx, route.name, 'full'), route.spec));
    case 'distTagsList':
      return done(sendJson(ctx, 200, (await packumentOf(ctx, route.name, 'abbreviated'))['dist-tags']));
    case 'tarball':
      readable(ctx, route.name);
      if (repository.type === 'remote') return done(serveRemoteTarball(ctx, repository, route.name, route.file));
      return done(serveVirtualTarball(ctx, reads, route.name, route.file));
    case 'search':
      return done(search(ctx));
    default:
      return false;
  }
}

const done = async (sending: Promise<void> | void) => {
  await sending;
  return true;
};

function readable(ctx: NpmContext, name: string): void {
  assertPackageName(name);
  authorizeFor(ctx, 'read', name);
}

/**
 * GET /<name> (and the reads built on it) of a remote or virtual repository.
 * https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md#getpackage
 */
async function packumentOf(ctx: NpmContext, name: string, kind: DocumentKind) {
  readable(ctx, name);
  return ctx.repository.type === 'remote' ? requireRemotePackument(ctx, ctx.repository, name, kind) : virtualPackument(ctx, name, kind);
}

/**
 * GET /-/v1/search of a remote repository (the upstream's answer, cached like metadata) or of a
 * virtual one (its members' results merged, each name once, from the first member listing it; a
 * name a hosted member holds is never shown from a remote member).
 * https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md#get-v1search
 */
async function search(ctx: NpmContext): Promise<void> {
  authorizeFor(ctx, 'read');
  const request = searchRequest(ctx);
  if (ctx.repository.type === 'remote') {
    const { objects, total } = await upstreamSearch(ctx, ctx.repository, request);
    return sendSearch(ctx, objects, { ...request, from: 0 }, total);
  }
  const members = await readableMembers(ctx.services.virtual, ctx.req, ctx.repository, undefined, async () => false);
  const hosted = members.filter((m) => m.type === 'hosted');
  const seen = new Set<string>();
  const merged: SearchObject[] = [];
  for (const member of members) {
    const window = { ...request, from: 0, size: Math.min(request.from + request.size, 250) };
    const found = member.type === 'hosted' ? await hostedSearch(ctx, member, request.text) : (await upstreamSearch(ctx, member, window).catch(() => ({ objects: [] }))).objects;
    for (const object of found) {
      const name = object.package.name;
      if (seen.has(name)) continue;
      if (member.type === 'remote' && (await heldByHosted(ctx, hosted, name))) continue;
      seen.add(name);
      merged.push(object);
    }
  }
  merged.sort((a, b) => b.searchScore - a.searchScore);
  sendSearch(ctx, merged, request);
}

async function heldByHosted(ctx: NpmContext, hosted: RepositoryView[], name: string): Promise<boolean> {
  for (const member of hosted) if (await ctx.queries.exists(member.name, name)) return true;
  return false;
}

async function upstreamSearch(ctx: NpmContext, remote: RepositoryView, request: SearchRequest): Promise<{ objects: SearchObject[]; total: number }> {
  const query = `text=${encodeURIComponent(request.text)}&size=${request.size}&from=${request.from}`;
  const upstream = await ctx.services.remote.metadata(remote, `search/${query}`, `-/v1/search?${query}`, { accept: 'application/json' });
  let body: unknown;
  try {
    body = upstream ? JSON.parse(upstream.body.toString('utf8')) : { objects: [] };
  } catch {
    throw new DomainError('UPSTREAM_UNAVAILABLE', 'the upstream answered a search with something other than JSON');
  }
  const all = isObject(body) && Array.isArray(body.objects) ? body.objects : [];
  const objects = all.filter((o): o is SearchObject => isObject(o) && isObject(o.package) && typeof o.package.name === 'string' && mayRead(ctx, remote, o.package.name));
  const total = isObject(body) && typeof body.total === 'number' ? body.total - (all.length - objects.length) : objects.length;
  return { objects: objects.map((o) => ({ ...o, searchScore: typeof o.searchScore === 'number' ? o.searchScore : 0 })), total };
}
