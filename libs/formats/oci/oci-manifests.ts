import { Readable } from 'node:stream';
import { DomainError, type StoredFile } from '../../domain/index.js';
import { eventMetadata, serveBlob } from '../../format-kit/index.js';
import { authorizeOci, requireHosted, type OciContext } from './oci-context.js';
import { readSmallBody } from '../../format-kit/index.js';
import { EMPTY_DIGEST, MEDIA, parseManifest, type Descriptor, type ParsedManifest } from './oci-manifest.js';
import { digestOf, isDigest, OCI, parseDigest, splitDigest, TAG, type ManifestEventMetadata } from './oci-names.js';

const MANIFEST_LIMIT = 4 * 1024 * 1024;
const CONFIG_LIMIT = 1024 * 1024;
const manifestUnknown = (reference: string) => new DomainError('NOT_FOUND', `manifest ${reference} unknown`, { oci: 'MANIFEST_UNKNOWN' });

function reference(ref: string): { byDigest: boolean } {
  if (isDigest(ref)) return { byDigest: true };
  if (ref.includes(':')) parseDigest(ref);
  if (!TAG.test(ref)) throw new DomainError('BAD_REQUEST', `invalid tag "${ref}"`, { oci: 'TAG_INVALID' });
  return { byDigest: false };
}

/** GET/HEAD /v2/<name>/manifests/<reference>: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests */
export async function getManifest(ctx: OciContext, ref: string): Promise<void> {
  authorizeOci(ctx, 'read');
  const { byDigest } = reference(ref);
  const row = await ctx.queries.manifest(ctx.repository.name, ctx.name, ref, byDigest);
  if (!row) throw manifestUnknown(ref);
  const sent = await serveBlob(ctx.req, ctx.res, ctx.services.blobs, {
    sha256: row.sha256,
    size: Number(row.size),
    contentType: row.media_type,
    cacheControl: byDigest ? 'private, max-age=31536000, immutable' : 'no-cache',
    headers: { 'docker-content-digest': row.digest },
  });
  ctx.services.traffic.bytesOut(OCI, sent);
}

/** Finds every referenced blob and child manifest in this image name; MANIFEST_BLOB_UNKNOWN for the first missing one. */
async function referencedFiles(ctx: OciContext, parsed: ParsedManifest): Promise<StoredFile[]> {
  const files: StoredFile[] = [];
  const missing = (d: Descriptor, what: string) => new DomainError('BAD_REQUEST', `${what} ${d.digest} is not in ${ctx.repository.name}/${ctx.name}`, { oci: 'MANIFEST_BLOB_UNKNOWN', digest: d.digest });
  for (const d of parsed.blobs) {
    let found = await ctx.queries.blob(ctx.repository.name, ctx.name, d.digest);
    if (!found && d.digest === EMPTY_DIGEST) {
      const stored = await ctx.services.storeFile(ctx.repository, { path: d.digest, mediaType: MEDIA.empty, body: Readable.from([Buffer.from('{}')]) });
      found = { sha256: stored.digest.slice(7), size: stored.size };
    }
    if (!found || !(await ctx.services.blobs.stat(found.sha256))) throw missing(d, 'blob');
    if (found.size !== d.size) throw new DomainError('BAD_REQUEST', `blob ${d.digest} has ${found.size} bytes, not ${d.size}`, { oci: 'MANIFEST_INVALID' });
    files.push({ path: d.digest, digest: `sha256:${found.sha256}`, size: found.size, mediaType: d.mediaType });
  }
  for (const d of parsed.manifests) {
    const row = await ctx.queries.manifest(ctx.repository.name, ctx.name, d.digest, true);
    if (!row) throw missing(d, 'manifest');
    files.push({ path: d.digest, digest: `sha256:${row.sha256}`, size: Number(row.size), mediaType: row.media_type });
  }
  return files;
}

/** Helm charts as OCI artifacts: the chart metadata of the config blob (Chart.yaml as JSON). */
async function chartOf(ctx: OciContext, parsed: ParsedManifest, files: StoredFile[]): Promise<ManifestEventMetadata['chart']> {
  if (parsed.config?.mediaType !== MEDIA.helmConfig || parsed.config.size > CONFIG_LIMIT) return undefined;
  const file = files.find((f) => f.path === parsed.config!.digest)!;
  const chunks: Buffer[] = [];
  for await (const chunk of await ctx.services.blobs.get(file.digest.slice(7))) chunks.push(chunk as Buffer);
  try {
    const c = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const pick = (k: string) => (typeof c[k] === 'string' ? (c[k] as string).slice(0, 1000) : undefined);
    return { name: pick('name'), version: pick('version'), appVersion: pick('appVersion'), description: pick('description') };
  } catch {
    throw new DomainError('BAD_REQUEST', 'the Helm chart config is not JSON', { oci: 'MANIFEST_INVALID' });
  }
}

/** PUT /v2/<name>/manifests/<reference>: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests */
export async function putManifest(ctx: OciContext, ref: string): Promise<void> {
  authorizeOci(ctx, 'write');
  requireHosted(ctx.repository);
  const { byDigest } = reference(ref);
  const bytes = await readSmallBody(ctx.req, MANIFEST_LIMIT, { oci: 'SIZE_INVALID' });
  const digest = digestOf(byDigest ? splitDigest(ref).algorithm : 'sha256', bytes);
  if (byDigest && digest !== ref) throw new DomainError('DIGEST_MISMATCH', `the manifest's digest is ${digest}, not ${ref}`, { oci: 'DIGEST_INVALID' });
  const parsed = parseManifest(bytes, ctx.req.get('content-type'));
  const files = await referencedFiles(ctx, parsed);
  const stored = await ctx.services.storeFile(ctx.repository, { path: digest, mediaType: parsed.mediaType, body: Readable.from([bytes]) });
  const chart = await chartOf(ctx, parsed, files);
  const metadata: ManifestEventMetadata = {
    mediaType: parsed.mediaType,
    size: bytes.length,
    sha256: stored.digest.slice(7),
    ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}),
    ...(parsed.subject ? { subject: parsed.subject.digest } : {}),
    ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
    ...(chart ? { chart } : {}),
  };
  const own: StoredFile = { ...stored, path: digest, mediaType: parsed.mediaType };
  const unique = [own, ...files.filter((f, i) => f.path !== digest && files.findIndex((g) => g.path === f.path) === i)];
  await ctx.services.pushManifest({ repository: ctx.repository.name, format: OCI, name: ctx.name }, digest, unique, { ...metadata }, byDigest ? undefined : ref, eventMetadata(ctx.req));
  ctx.res.status(201).set({ location: `/v2/${ctx.addressed ?? ctx.repository.name}/${ctx.name}/manifests/${digest}`, 'docker-content-digest': digest, 'content-length': '0' });
  if (parsed.subject) ctx.res.set('oci-subject', parsed.subject.digest);
  ctx.res.end();
}

/**
 * DELETE /v2/<name>/manifests/<digest> deletes the manifest (and the tags on it), and
 * DELETE /v2/<name>/manifests/<tag> only the tag:
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-tags and #deleting-manifests
 */
export async function deleteManifest(ctx: OciContext, ref: string): Promise<void> {
  authorizeOci(ctx, 'delete');
  requireHosted(ctx.repository);
  const { byDigest } = reference(ref);
  const target = { repository: ctx.repository.name, format: OCI, name: ctx.name };
  const metadata = eventMetadata(ctx.req);
  try {
    if (byDigest) await ctx.services.deleteArtifact(target.repository, OCI, ctx.name, ref, metadata);
    else await ctx.services.removeTag(target, ref, metadata);
  } catch (e) {
    if (e instanceof DomainError && e.code === 'NOT_FOUND') throw manifestUnknown(ref);
    throw e;
  }
  ctx.res.status(202).set('content-length', '0').end();
}
