import { DomainError } from '../../domain/index.js';
import { isDigest } from './oci-names.js';

/** https://github.com/opencontainers/image-spec/blob/main/descriptor.md */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  empty: 'application/vnd.oci.empty.v1+json',
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
} as const;

/** The empty JSON object `{}` (image-spec "empty descriptor"), which clients may not upload. */
export const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  /** config and layers (image) to be found among the name's blobs */
  blobs: Descriptor[];
  /** child manifests (index) to be found among the name's manifests */
  manifests: Descriptor[];
  config?: Descriptor;
  subject?: Descriptor;
  /** the manifest's artifactType, else its config's media type (as the referrers API reports it) */
  artifactType?: string;
  annotations?: Record<string, string>;
}

const invalid = (message: string) => new DomainError('BAD_REQUEST', message, { oci: 'MANIFEST_INVALID' });

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw invalid(`${where} is not a descriptor`);
  if (typeof d.mediaType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(d.mediaType)) throw invalid(`${where}.mediaType is missing or invalid`);
  if (typeof d.digest !== 'string' || !isDigest(d.digest)) throw invalid(`${where}.digest is missing or not a sha256/sha512 digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`${where}.size is missing or invalid`);
  if (d.annotations !== undefined && (typeof d.annotations !== 'object' || d.annotations === null)) throw invalid(`${where}.annotations must be an object`);
  return d as Descriptor;
}

/** Does a layer live elsewhere (Windows foreign layers), so that the registry need not hold it? */
const isForeign = (d: Descriptor) => /nondistributable|foreign/.test(d.mediaType) && (d.urls?.length ?? 0) > 0;

/**
 * Validates an image manifest or index (OCI image-spec 1.1 and Docker v2 schema 2):
 * https://github.com/opencontainers/image-spec/blob/main/manifest.md and .../image-index.md.
 * `contentType` is the request's; a `mediaType` in the body must agree with it.
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid('the manifest is not JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('the manifest is not a JSON object');
  if (doc.schemaVersion !== 2) throw invalid('schemaVersion must be 2');
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const sent = contentType?.split(';')[0].trim().toLowerCase();
  const mediaType = declared ?? (sent && sent !== 'application/json' && sent !== 'application/octet-stream' ? sent : undefined) ?? (Array.isArray(doc.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest);
  if (declared && sent && sent !== declared.toLowerCase() && sent !== 'application/json' && sent !== 'application/octet-stream') {
    throw invalid(`the body says mediaType ${declared} but Content-Type is ${sent}`);
  }
  const subject = doc.subject === undefined ? undefined : descriptor(doc.subject, 'subject');
  const annotations = doc.annotations as Record<string, string> | undefined;
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : undefined;
  if (mediaType === MEDIA.ociManifest || mediaType === MEDIA.dockerManifest) {
    const config = descriptor(doc.config, 'config');
    if (!Array.isArray(doc.layers)) throw invalid('layers must be a list');
    const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`));
    if (mediaType === MEDIA.ociManifest && config.mediaType === MEDIA.empty && !artifactType) throw invalid('an artifact with an empty config needs an artifactType');
    return { mediaType, kind: 'image', blobs: [config, ...layers.filter((l) => !isForeign(l))], manifests: [], config, subject, artifactType: artifactType ?? config.mediaType, annotations };
  }
  if (mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList) {
    if (!Array.isArray(doc.manifests)) throw invalid('manifests must be a list');
    const manifests = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
    return { mediaType, kind: 'index', blobs: [], manifests, subject, artifactType, annotations };
  }
  throw invalid(`unsupported manifest media type ${mediaType}`);
}
