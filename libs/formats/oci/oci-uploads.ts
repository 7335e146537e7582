import { DomainError } from '../../domain/index.js';
import { authorizeOci, requireHosted, type OciContext } from './oci-context.js';
import { OCI, parseDigest, splitDigest } from './oci-names.js';

const location = (ctx: OciContext, tail: string) => `/v2/${ctx.addressed ?? ctx.repository.name}/${ctx.name}/${tail}`;
const rangeHeader = (size: number) => `0-${Math.max(0, size - 1)}`;
const uploadUnknown = (id: string) => new DomainError('NOT_FOUND', `upload ${id} is unknown or has expired`, { oci: 'BLOB_UPLOAD_UNKNOWN' });

/** What `commitStaged` / `storeFile` must verify for an OCI digest. */
export function expectation(digest: string) {
  const { algorithm, hex } = splitDigest(digest);
  return algorithm === 'sha256' ? { expected: { sha256: hex } } : { expected: { sha512: hex }, sha512: true };
}

async function blobCreated(ctx: OciContext, digest: string, sha256: string, size: number): Promise<void> {
  await ctx.queries.link(ctx.repository.name, ctx.name, digest, sha256, size);
  ctx.res.status(201).set({ location: location(ctx, `blobs/${digest}`), 'docker-content-digest': digest, 'content-length': '0' }).end();
}

/**
 * POST /v2/<name>/blobs/uploads/: starts an upload session, or uploads a whole blob in one request
 * with `?digest=`, or mounts a blob from another image name with `?mount=&from=`:
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs and
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository
 */
export async function startUpload(ctx: OciContext, mountFrom: (from: string, digest: string) => Promise<{ sha256: string; size: number } | undefined>): Promise<void> {
  authorizeOci(ctx, 'write');
  requireHosted(ctx.repository);
  const query = ctx.req.query as Record<string, string | undefined>;
  if (typeof query.mount === 'string' && typeof query.from === 'string') {
    const digest = parseDigest(query.mount);
    const found = await mountFrom(query.from, digest);
    if (found) return blobCreated(ctx, digest, found.sha256, found.size);
    // not mountable: an ordinary upload session, as the spec asks
  }
  if (typeof query.digest === 'string') {
    const digest = parseDigest(query.digest);
    const done = ctx.services.traffic.uploadStarted(OCI);
    try {
      const stored = await ctx.services.storeFile(ctx.repository, { path: digest, mediaType: 'application/octet-stream', body: ctx.req, ...expectation(digest) });
      ctx.services.traffic.bytesIn(OCI, stored.size);
      return blobCreated(ctx, digest, stored.digest.slice('sha256:'.length), stored.size);
    } finally {
      done();
    }
  }
  const id = await ctx.services.uploads.createStaged();
  await ctx.queries.createSession(id, ctx.repository.name, ctx.name, ctx.principal?.id ?? 'anonymous');
  ctx.res.status(202).set({ location: location(ctx, `blobs/uploads/${id}`), range: '0-0', 'docker-upload-uuid': id, 'content-length': '0' }).end();
}

async function sessionSize(ctx: OciContext, id: string): Promise<number> {
  const session = await ctx.queries.session(id);
  if (!session || session.repository !== ctx.repository.name || session.name !== ctx.name) throw uploadUnknown(id);
  const size = await ctx.services.uploads.stagedSize(id);
  if (size === null) {
    await ctx.queries.endSession(id);
    throw uploadUnknown(id);
  }
  return size;
}

/** Appends the request body, which must start where the upload ends (`Content-Range`), else 416. */
async function appendBody(ctx: OciContext, id: string, size: number): Promise<number> {
  const contentRange = ctx.req.get('content-range');
  if (contentRange !== undefined) {
    const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(contentRange.trim());
    if (!m || Number(m[1]) !== size || Number(m[2]) < Number(m[1])) {
      throw new DomainError('RANGE_NOT_SATISFIABLE', `chunk ${contentRange} does not start at ${size}, where the upload ends`, {
        oci: 'BLOB_UPLOAD_INVALID',
        headers: { location: location(ctx, `blobs/uploads/${id}`), range: rangeHeader(size), 'docker-upload-uuid': id },
      });
    }
  }
  const done = ctx.services.traffic.uploadStarted(OCI);
  try {
    const after = await ctx.services.uploads.appendStaged(id, ctx.req, { maxBytes: ctx.repository.config.maxUploadBytes });
    ctx.services.traffic.bytesIn(OCI, after - size);
    await ctx.queries.touchSession(id);
    return after;
  } finally {
    done();
  }
}

/** PATCH /v2/<name>/blobs/uploads/<id>: a chunk: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks */
export async function uploadChunk(ctx: OciContext, id: string): Promise<void> {
  authorizeOci(ctx, 'write');
  const size = await appendBody(ctx, id, await sessionSize(ctx, id));
  ctx.res.status(202).set({ location: location(ctx, `blobs/uploads/${id}`), range: rangeHeader(size), 'docker-upload-uuid': id, 'content-length': '0' }).end();
}

/** GET /v2/<name>/blobs/uploads/<id>: how far an upload got (resume): https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks */
export async function uploadStatus(ctx: OciContext, id: string): Promise<void> {
  authorizeOci(ctx, 'write');
  const size = await sessionSize(ctx, id);
  ctx.res.status(204).set({ location: location(ctx, `blobs/uploads/${id}`), range: rangeHeader(size), 'docker-upload-uuid': id }).end();
}

/** PUT /v2/<name>/blobs/uploads/<id>?digest=: the last chunk (optional) and the digest check: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks */
export async function finishUpload(ctx: OciContext, id: string): Promise<void> {
  authorizeOci(ctx, 'write');
  const digest = parseDigest((ctx.req.query as Record<string, string | undefined>).digest);
  let size = await sessionSize(ctx, id);
  const length = Number(ctx.req.get('content-length') ?? '0');
  if (length > 0 || ctx.req.get('transfer-encoding')) size = await appendBody(ctx, id, size);
  const digests = await ctx.services.uploads.commitStaged(id, { ...expectation(digest), maxBytes: ctx.repository.config.maxUploadBytes });
  await ctx.queries.endSession(id);
  await blobCreated(ctx, digest, digests.sha256, digests.size);
}

/** DELETE /v2/<name>/blobs/uploads/<id>: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-blobs */
export async function cancelUpload(ctx: OciContext, id: string): Promise<void> {
  authorizeOci(ctx, 'write');
  await sessionSize(ctx, id);
  await ctx.services.uploads.abortStaged(id);
  await ctx.queries.endSession(id);
  ctx.res.status(204).end();
}
