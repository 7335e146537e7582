import { DomainError, type RepositoryView } from '../../domain/index.js';
import { readableMembers } from '../../format-kit/index.js';
import type { NpmContext } from './npm-context.js';
import { remotePackument, repositoryBase, serveRemoteTarball, type DocumentKind } from './npm-remote.js';
import { withBaseUrl } from './packument.js';
import type { NpmPackageReads } from './package-reads.js';
import { mergePackuments, type Packument } from './proxy-packument.js';

/**
 * The members of the virtual repository to consult for `name`, in order: nested virtual
 * repositories flattened, the dependency-confusion guard applied by the core (a name that a hosted
 * member has ever published is never looked up in a remote member), and members the caller may
 * not read for this name left out.
 */
export function membersFor(ctx: NpmContext, name: string): Promise<RepositoryView[]> {
  return readableMembers(ctx.services.virtual, ctx.req, ctx.repository, name, (hosted) => ctx.queries.exists(hosted.name, name));
}

const unavailable = (e: unknown) => e instanceof DomainError && e.code === 'UPSTREAM_UNAVAILABLE';

/**
 * The merged packument of a virtual repository (see mergePackuments), tarball URLs on the virtual
 * repository. A remote member whose upstream cannot be asked (and has no cached copy) is passed
 * over; when no member has the package it is the npm 404, or that upstream's 502.
 */
export async function virtualPackument(ctx: NpmContext, name: string, kind: DocumentKind): Promise<Packument> {
  const base = ctx.services.baseUrl(ctx.req);
  const docs: Packument[] = [];
  let failure: unknown;
  for (const member of await membersFor(ctx, name)) {
    if (member.type === 'hosted') {
      const stored = await ctx.queries.document(member.name, name, kind);
      if (stored) docs.push(JSON.parse(withBaseUrl(stored.body, base)) as Packument);
      continue;
    }
    try {
      const doc = await remotePackument(ctx, member, name, kind);
      if (doc) docs.push(doc);
    } catch (e) {
      if (!unavailable(e)) throw e;
      failure ??= e;
    }
  }
  if (docs.length === 0) throw failure ?? new DomainError('NOT_FOUND', `${name} is not in this registry`);
  return mergePackuments(docs, { tarballBase: repositoryBase(ctx, ctx.repository.name), abbreviated: kind === 'abbreviated' });
}

/**
 * GET /<name>/-/<file>.tgz of a virtual repository: from the first member (same order and guard
 * as the packument, so it is the member whose version the packument shows) that has it.
 */
export async function serveVirtualTarball(ctx: NpmContext, reads: NpmPackageReads, name: string, file: string): Promise<void> {
  let failure: unknown;
  for (const member of await membersFor(ctx, name)) {
    const memberCtx = { ...ctx, repository: member };
    if (member.type === 'hosted') {
      if (!(await ctx.queries.tarball(member.name, name, file))) continue;
      return reads.downloadTarball(memberCtx, name, file);
    }
    try {
      return await serveRemoteTarball(memberCtx, member, name, file);
    } catch (e) {
      if (ctx.res.headersSent || !(e instanceof DomainError) || !['NOT_FOUND', 'UPSTREAM_UNAVAILABLE'].includes(e.code)) throw e;
      failure = e.code === 'NOT_FOUND' ? failure : e;
    }
  }
  throw failure ?? new DomainError('NOT_FOUND', `${name}/-/${file} is not in this registry`);
}
