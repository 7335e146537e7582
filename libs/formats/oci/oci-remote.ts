import { DomainError, isDomainError, type StoredFile } from '../../domain/index.js';
import { eventMetadata, serveBlob, serveRemoteFile, type RemoteFile } from '../../format-kit/index.js';
import { authorizeOci, type OciContext } from './oci-context.js';
import { MEDIA } from './oci-manifest.js';
import { digestOf, isDigest, OCI, parseDigest, TAG } from './oci-names.js';
import { expectation } from './oci-uploads.js';

/** Every manifest and index media type of the image spec and Docker's schema 2, for upstream manifest requests. */
export const MANIFEST_ACCEPT = [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerList].join(', ');
const IMMUTABLE = 'private, max-age=31536000, immutable';

const manifestUnknown = (reference: string) => new DomainError('NOT_FOUND', `manifest ${reference} unknown`, { oci: 'MANIFEST_UNKNOWN' });
const blobUnknown = (digest: string) => new DomainError('NOT_FOUND', `blob ${digest} unknown to this repository`, { oci: 'BLOB_UNKNOWN' });

/** The remote repository's own upstream path for an image name (the upstream's `/v2/<name>/...`). */
const upstreamPath = (name: string, tail: string) => `v2/${name}/${tail}`;

/** A file that is arriving is consumed into the store first (manifests are small; the client gets them whole). */
async function settled(remote: RemoteFile): Promise<StoredFile> {
  if ('file' in remote) return remote.file;
  // a failure (bytes that do not match the digest) is the rejection of `stored`
  remote.arriving.on('error', () => undefined).resume();
  return remote.stored;
}

/** The upstream's 404 is the protocol's own "unknown" error. */
function unknownWhenMissing(e: unknown, unknown: DomainError): never {
  if (isDomainError(e) && e.code === 'NOT_FOUND') throw unknown;
  throw e;
}

/**
 * A manifest by digest, kept like a file: fetched once from the upstream, verified against the
 * digest (sha256 or sha512), recorded (UpstreamFetched) with the upstream's media type, and
 * served from the store afterwards (also when the upstream is down).
 */
export async function remoteManifestByDigest(ctx: OciContext, digest: string): Promise<StoredFile> {
  const remote = await ctx.services.remote
    .file(ctx.repository, { path: `${ctx.name}/manifests/${digest}`, url: upstreamPath(ctx.name, `manifests/${digest}`), name: ctx.name, version: digest, mediaType: '', accept: MANIFEST_ACCEPT, ...expectation(digest) }, eventMetadata(ctx.req))
    .catch((e: unknown) => unknownWhenMissing(e, manifestUnknown(digest)));
  return settled(remote);
}

/**
 * A tag, through the cached upstream document (the repository's metadataMaxAgeSeconds, then a
 * conditional request; the last copy when the upstream is down). What the tag resolved to is
 * recorded by keeping that manifest by digest too: its UpstreamFetched event is the provenance,
 * and a pull by digest works offline afterwards.
 */
async function remoteManifestByTag(ctx: OciContext, tag: string): Promise<{ file: StoredFile; digest: string }> {
  const doc = await ctx.services.remote.metadata(ctx.repository, `oci:${ctx.name}:manifests/${tag}`, upstreamPath(ctx.name, `manifests/${tag}`), { accept: MANIFEST_ACCEPT });
  if (!doc) throw manifestUnknown(tag);
  const digest = digestOf('sha256', doc.body);
  const file = await remoteManifestByDigest(ctx, digest);
  if (file.digest !== digest) {
    throw new DomainError('UPSTREAM_MISMATCH', `the upstream's tag ${tag} resolves to ${digest}, but the manifest recorded under that digest differs`);
  }
  return { file, digest };
}

/** GET/HEAD /v2/<remote>/<name>/manifests/<reference> of a remote repository: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests */
export async function getRemoteManifest(ctx: OciContext, ref: string): Promise<void> {
  authorizeOci(ctx, 'read');
  let file: StoredFile;
  let digest: string;
  if (isDigest(ref)) {
    file = await remoteManifestByDigest(ctx, ref);
    digest = ref;
  } else {
    if (ref.includes(':')) parseDigest(ref);
    if (!TAG.test(ref)) throw new DomainError('BAD_REQUEST', `invalid tag "${ref}"`, { oci: 'TAG_INVALID' });
    ({ file, digest } = await remoteManifestByTag(ctx, ref));
  }
  const sent = await serveBlob(ctx.req, ctx.res, ctx.services.blobs, {
    sha256: file.digest.slice('sha256:'.length),
    size: file.size,
    contentType: file.mediaType,
    cacheControl: isDigest(ref) ? IMMUTABLE : 'no-cache',
    headers: { 'docker-content-digest': digest },
  });
  ctx.services.traffic.bytesOut(OCI, sent);
}

/**
 * GET/HEAD /v2/<remote>/<name>/blobs/<digest> of a remote repository: fetched once per image name
 * (concurrent pulls share one upstream fetch), streamed to the first client while it is stored
 * and verified against the digest, served from the store afterwards.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
 */
export async function getRemoteBlob(ctx: OciContext, digestParam: string): Promise<void> {
  authorizeOci(ctx, 'read');
  const digest = parseDigest(digestParam);
  const remote = await ctx.services.remote
    .file(ctx.repository, { path: `${ctx.name}/blobs/${digest}`, url: upstreamPath(ctx.name, `blobs/${digest}`), name: ctx.name, version: digest, mediaType: 'application/octet-stream', ...expectation(digest) }, eventMetadata(ctx.req))
    .catch((e: unknown) => unknownWhenMissing(e, blobUnknown(digest)));
  const sent = await serveRemoteFile(ctx.req, ctx.res, ctx.services.blobs, remote, () => ({ contentType: 'application/octet-stream', cacheControl: IMMUTABLE, headers: { 'docker-content-digest': digest } }));
  ctx.services.traffic.bytesOut(OCI, sent);
}

/**
 * GET /v2/<remote>/<name>/tags/list?n=&last=: what the upstream lists, cached for the
 * repository's metadataMaxAgeSeconds (stale when the upstream is down), under this repository's name.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 */
export async function listRemoteTags(ctx: OciContext): Promise<void> {
  authorizeOci(ctx, 'read');
  const q = ctx.req.query as Record<string, string | undefined>;
  const n = q.n !== undefined && /^\d+$/.test(q.n) ? Number(q.n) : undefined;
  if (q.n !== undefined && n === undefined) throw new DomainError('BAD_REQUEST', 'n must be a non-negative integer', { oci: 'PAGINATION_NUMBER_INVALID' });
  const params = new URLSearchParams();
  if (n !== undefined) params.set('n', String(n));
  if (typeof q.last === 'string' && q.last) params.set('last', q.last);
  const query = params.toString() ? `?${params}` : '';
  const doc = await ctx.services.remote.metadata(ctx.repository, `oci:${ctx.name}:tags${query}`, upstreamPath(ctx.name, `tags/list${query}`), { accept: 'application/json' });
  if (!doc) throw new DomainError('NOT_FOUND', `repository ${ctx.repository.name}/${ctx.name} not known upstream`, { oci: 'NAME_UNKNOWN' });
  let tags: string[];
  try {
    const parsed = JSON.parse(doc.body.toString('utf8')) as { tags?: unknown };
    tags = Array.isArray(parsed.tags) ? parsed.tags.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    throw new DomainError('UPSTREAM_UNAVAILABLE', 'the upstream answered a tag list that is not JSON');
  }
  if (n && tags.length === n) ctx.res.set('link', `</v2/${ctx.repository.name}/${ctx.name}/tags/list?n=${n}&last=${encodeURIComponent(tags[tags.length - 1])}>; rel="next"`);
  ctx.res.status(200).json({ name: `${ctx.repository.name}/${ctx.name}`, tags });
}

/**
 * GET /v2/<remote>/<name>/referrers/<digest>: the upstream's referrers index, cached like a tag
 * list. An upstream without the referrers API (distribution 2.8) answers 404, and so do we, so
 * that clients fall back to the referrers tag schema (`sha256-<hex>` tags), which pulls through.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
export async function listRemoteReferrers(ctx: OciContext, digestParam: string): Promise<void> {
  authorizeOci(ctx, 'read');
  const digest = parseDigest(digestParam);
  const artifactType = typeof ctx.req.query.artifactType === 'string' ? ctx.req.query.artifactType : undefined;
  const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
  const doc = await ctx.services.remote.metadata(ctx.repository, `oci:${ctx.name}:referrers/${digest}${query}`, upstreamPath(ctx.name, `referrers/${digest}${query}`), { accept: MEDIA.ociIndex });
  if (!doc) throw new DomainError('NOT_FOUND', `the upstream of ${ctx.repository.name} has no referrers API`, { oci: 'UNSUPPORTED' });
  let index: { manifests?: unknown };
  try {
    index = JSON.parse(doc.body.toString('utf8')) as { manifests?: unknown };
  } catch {
    throw new DomainError('UPSTREAM_UNAVAILABLE', 'the upstream answered a referrers index that is not JSON');
  }
  const manifests = Array.isArray(index.manifests) ? index.manifests : [];
  if (artifactType) ctx.res.set('oci-filters-applied', 'artifactType');
  ctx.res.status(200).type(MEDIA.ociIndex).send(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
}
