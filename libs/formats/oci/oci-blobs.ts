import { DomainError } from '../../domain/index.js';
import { serveBlob } from '../../format-kit/index.js';
import { authorizeOci, requireHosted, type OciContext } from './oci-context.js';
import { OCI, parseDigest } from './oci-names.js';

const blobUnknown = (digest: string) => new DomainError('NOT_FOUND', `blob ${digest} unknown to this repository`, { oci: 'BLOB_UNKNOWN' });

/** GET/HEAD /v2/<name>/blobs/<digest>, with ranges: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs */
export async function getBlob(ctx: OciContext, digestParam: string): Promise<void> {
  authorizeOci(ctx, 'read');
  const digest = parseDigest(digestParam);
  const blob = await ctx.queries.blob(ctx.repository.name, ctx.name, digest);
  if (!blob || !(await ctx.services.blobs.stat(blob.sha256))) throw blobUnknown(digest);
  const sent = await serveBlob(ctx.req, ctx.res, ctx.services.blobs, {
    sha256: blob.sha256,
    size: blob.size,
    contentType: 'application/octet-stream',
    cacheControl: 'private, max-age=31536000, immutable',
    headers: { 'docker-content-digest': digest },
  });
  ctx.services.traffic.bytesOut(OCI, sent);
}

/**
 * DELETE /v2/<name>/blobs/<digest>: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-blobs
 * Unlinks an uploaded blob from the image name; the bytes go when GC finds nothing referencing
 * them (a manifest that still references the blob keeps it, and keeps serving it).
 */
export async function deleteBlob(ctx: OciContext, digestParam: string): Promise<void> {
  authorizeOci(ctx, 'delete');
  requireHosted(ctx.repository);
  const digest = parseDigest(digestParam);
  if (!(await ctx.queries.unlink(ctx.repository.name, ctx.name, digest))) throw blobUnknown(digest);
  ctx.res.status(202).set('content-length', '0').end();
}
