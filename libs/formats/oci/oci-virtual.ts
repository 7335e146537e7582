import { canSee, type Principal } from '../../auth/index.js';
import { DomainError, isDomainError, type RepositoryView } from '../../domain/index.js';
import { authorizeOci, type OciContext } from './oci-context.js';

/**
 * A registry token names the repository the client asked for (the virtual one): reading or
 * pushing through it is good for the repositories it resolves to, within the caller's own rights
 * there (each member is still checked with `authorize`).
 */
export function throughVirtual(principal: Principal | null, virtual: string, members: RepositoryView[]): Principal | null {
  if (!principal?.repositories?.includes(virtual)) return principal;
  return { ...principal, repositories: [...new Set([...principal.repositories, ...members.map((m) => m.name)])] };
}

/** Errors that only mean "not here": the next member is asked. */
const notHere = (e: unknown) => isDomainError(e) && (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN' || e.code === 'UNAUTHORIZED');

/**
 * A read through a virtual repository (manifests, blobs, tags, referrers): the first member, in
 * order, that answers. Members the caller cannot read are left out; when a hosted member holds
 * the image name, remote members are never asked for it (the dependency-confusion guard of
 * `virtual.members`, unless the name matches the repository's `confusionGuard.remoteAllowed`).
 * A member that fails otherwise (an upstream down and nothing cached) is skipped too; its error
 * is the answer when no member has what was asked for.
 */
export async function readThroughVirtual(ctx: OciContext, read: (member: OciContext) => Promise<void>, unknown: () => DomainError): Promise<void> {
  authorizeOci(ctx, 'read');
  const members = await ctx.services.virtual.members(ctx.repository, ctx.name, (hosted) => ctx.queries.nameExists(hosted.name, ctx.name));
  const principal = throughVirtual(ctx.principal, ctx.repository.name, members);
  let failure: unknown;
  for (const member of members.filter((m) => canSee(principal, m))) {
    try {
      await read({ ...ctx, repository: member, principal });
      return;
    } catch (e) {
      if (ctx.res.headersSent) throw e;
      if (!notHere(e)) failure ??= e;
    }
  }
  throw failure ?? unknown();
}

/**
 * Where a push (or delete) sent to a virtual repository goes: its publish target (`publishTo`,
 * else its first hosted member), with the caller's rights there. URLs the client is given
 * (upload locations) keep naming the virtual repository.
 */
export async function pushThroughVirtual(ctx: OciContext): Promise<OciContext> {
  const target = await ctx.services.virtual.publishTarget(ctx.repository);
  return { ...ctx, repository: target, principal: throughVirtual(ctx.principal, ctx.repository.name, [target]), addressed: ctx.repository.name };
}
