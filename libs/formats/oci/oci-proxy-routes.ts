import { DomainError } from '../../domain/index.js';
import { getBlob } from './oci-blobs.js';
import { authorizeOci, requireHosted, type OciContext } from './oci-context.js';
import { listReferrers, listTags } from './oci-listings.js';
import { getManifest } from './oci-manifests.js';
import { getRemoteBlob, getRemoteManifest, listRemoteReferrers, listRemoteTags } from './oci-remote.js';
import type { OciRoute } from './oci-route.js';
import { readThroughVirtual } from './oci-virtual.js';

type ImageRoute = Extract<OciRoute, { repo: string }>;

/** The reads a remote or virtual repository answers; everything else is a write. */
const isRead = (route: ImageRoute, method: string) => method === 'GET' && (route.op === 'manifest' || route.op === 'blob' || route.op === 'tags' || route.op === 'referrers');

const notFound = (what: string) => () => new DomainError('NOT_FOUND', `${what} unknown to every member`, { oci: what.startsWith('blob') ? 'BLOB_UNKNOWN' : what.startsWith('manifest') ? 'MANIFEST_UNKNOWN' : 'NAME_UNKNOWN' });

/** A read of a remote repository: through the upstream (see oci-remote.ts). */
function readRemote(ctx: OciContext, route: ImageRoute): Promise<void> {
  switch (route.op) {
    case 'manifest':
      return getRemoteManifest(ctx, route.reference);
    case 'blob':
      return getRemoteBlob(ctx, route.digest);
    case 'tags':
      return listRemoteTags(ctx);
    case 'referrers':
      return listRemoteReferrers(ctx, route.digest);
    default:
      throw new DomainError('METHOD_NOT_ALLOWED', `${route.op} is not supported here`);
  }
}

/** A read of one member of a virtual repository, hosted or remote. */
async function readMember(member: OciContext, route: ImageRoute): Promise<void> {
  if (member.repository.type === 'remote') return readRemote(member, route);
  switch (route.op) {
    case 'manifest':
      return getManifest(member, route.reference);
    case 'blob':
      return getBlob(member, route.digest);
    case 'tags':
      return listTags(member);
    case 'referrers':
      // a hosted member answers an empty index for any digest: only one that holds the name counts
      if (!(await member.queries.nameExists(member.repository.name, member.name))) throw new DomainError('NOT_FOUND', 'not here');
      return listReferrers(member, route.digest);
    default:
      throw new DomainError('METHOD_NOT_ALLOWED', `${route.op} is not supported here`);
  }
}

/**
 * Remote repositories answer reads from their upstream and refuse every write (pushes, deletes,
 * uploads) with the spec's UNSUPPORTED (405), or DENIED / UNAUTHORIZED when the caller could not
 * have written anyway. Virtual repositories answer reads from their first member that has the
 * answer. Returns false for what the hosted handlers do (everything of hosted repositories; the
 * writes of virtual ones, once the caller moved them to the publish target).
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
export async function answerRemoteOrVirtual(ctx: OciContext, route: ImageRoute, method: string): Promise<boolean> {
  const type = ctx.repository.type;
  if (type === 'hosted') return false;
  if (type === 'remote') {
    if (isRead(route, method)) await readRemote(ctx, route);
    else {
      authorizeOci(ctx, method === 'DELETE' ? 'delete' : 'write');
      requireHosted(ctx.repository);
    }
    return true;
  }
  if (!isRead(route, method)) return false;
  const what = route.op === 'manifest' ? `manifest ${route.reference}` : route.op === 'blob' ? `blob ${route.digest}` : `repository ${ctx.repository.name}/${ctx.name}`;
  await readThroughVirtual(ctx, (member) => readMember(member, route), notFound(what));
  return true;
}

/** Is this request a write that a virtual repository sends on to its publish target? */
export const isVirtualWrite = (ctx: OciContext, route: ImageRoute, method: string) => ctx.repository.type === 'virtual' && !isRead(route, method);
