import type { IdentityEvent } from './identity.js';
import type { UpstreamConfig, VirtualConfig } from './remote.js';

/**
 * Events are plain data with literal type names (never class names). `schemaVersion` lets an
 * upcaster turn an old shape into the current one on read; stored events are never rewritten.
 */

export interface EventMetadata {
  /** user id or token id that caused the change; `system` for the registry's own jobs */
  actor: string;
  /** how the actor authenticated: `token`, `bootstrap-token`, `password`, `system`, ... */
  authMethod: string;
  clientIp?: string;
  userAgent?: string;
  correlationId: string;
  causationId?: string;
  /** the API token used, when the actor authenticated with one */
  tokenId?: string;
}

export interface StoredFile {
  path: string;
  /** `sha256:<hex>`: the content address in the blob store */
  digest: string;
  size: number;
  mediaType: string;
  sha1?: string;
  md5?: string;
  /** only for files stored with `IncomingFile.sha512` (Maven) */
  sha512?: string;
}

export type RepositoryType = 'hosted' | 'remote' | 'virtual';

export interface RepositoryConfig {
  description?: string;
  /** anonymous clients may read (default false) */
  anonymousRead: boolean;
  /** a path or version may be overwritten (default false: immutable) */
  allowRedeploy: boolean;
  /** streaming uploads are cut off beyond this many bytes (default 10 GiB) */
  maxUploadBytes: number;
  /** remote repositories: the upstream they cache (its credential is sealed outside the log) */
  upstream?: UpstreamConfig;
  /** virtual repositories: the ordered members they resolve through */
  members?: string[];
  /** virtual repositories: the hosted member publishes go to */
  publishTo?: string;
  /** virtual repositories: the dependency-confusion guard (on by default) */
  confusionGuard?: VirtualConfig['confusionGuard'];
  /** Maven repositories: which versions they take (absent: both releases and SNAPSHOTs) */
  versionPolicy?: 'releases' | 'snapshots' | 'both';
  /** hosted repositories: what may be promoted into this one (absent: any same-format source, by an authorised caller) */
  promotion?: PromotionRules;
  /** how long a deleted version can be restored (and its blobs are kept), in days (default: the server's STRATA_UNDO_WINDOW_SECONDS) */
  restoreWindowDays?: number;
  /** keep every blob this repository ever referenced, whatever the windows say (default false) */
  legalHold?: boolean;
  /** OCI repositories: the online GC policy (absent: untagged manifests are kept) */
  oci?: OciPolicy;
}

/** OCI GC policy: untagged manifests older than `untaggedGraceSeconds` are deleted by the OCI GC. */
export interface OciPolicy {
  untaggedGraceSeconds: number;
}

/** Rules a target repository sets for promotions into it. */
export interface PromotionRules {
  /** only from these repositories */
  allowedSources?: string[];
  /** refuse versions that are deprecated or yanked in the source */
  rejectDeprecated?: boolean;
  /** the source version must carry every one of these tags in the source (for example `qa-passed`) */
  requiredTags?: string[];
}

interface Event<T extends string, D, V extends number = 1> {
  type: T;
  schemaVersion: V;
  data: D;
}

export type RepositoryCreated = Event<'RepositoryCreated', { repository: string; format: string; repositoryType: RepositoryType; config: RepositoryConfig }>;
export type RepositoryConfigured = Event<'RepositoryConfigured', { repository: string; config: RepositoryConfig }>;
export type RepositoryDeleted = Event<'RepositoryDeleted', { repository: string }>;
export type ArtifactPublished = Event<'ArtifactPublished', {
  repository: string;
  format: string;
  name: string;
  version: string;
  files: StoredFile[];
  metadata: Record<string, unknown>;
}>;
/**
 * Files added to a version that already has live files (a PyPI release gains a wheel beside its
 * sdist). `metadata` is format-specific, about the added files; the format's projections merge it.
 */
export type ArtifactFilesAdded = Event<'ArtifactFilesAdded', {
  repository: string;
  format: string;
  name: string;
  version: string;
  files: StoredFile[];
  metadata: Record<string, unknown>;
}>;
export type ArtifactDeleted = Event<'ArtifactDeleted', {
  repository: string;
  format: string;
  name: string;
  version: string;
  /** the files the deleted artifact referenced, so reference counts can drop without a lookup */
  files: StoredFile[];
}>;
/** A named pointer to a version: npm dist-tags, OCI tags. */
export type TagSet = Event<'TagSet', { repository: string; format: string; name: string; tag: string; version: string }>;
export type TagRemoved = Event<'TagRemoved', { repository: string; format: string; name: string; tag: string }>;
/** `message` '' takes a deprecation back. */
export type ArtifactDeprecated = Event<'ArtifactDeprecated', { repository: string; format: string; name: string; version: string; message: string }>;
/** Yanked versions stay installable by exact pin (PyPI PEP 592, Cargo); `yanked: false` un-yanks. */
export type ArtifactYanked = Event<'ArtifactYanked', { repository: string; format: string; name: string; version: string; yanked: boolean; reason?: string }>;
/**
 * A version of another repository (same format) now also lives in `repository` (= `to`): the same
 * files (same digests, no bytes copied) and format metadata. Appended to the target's artifact
 * stream. Projections that handle ArtifactPublished see it as one (see libs/app event-presentation).
 */
export type ArtifactPromoted = Event<'ArtifactPromoted', {
  repository: string;
  format: string;
  name: string;
  version: string;
  files: StoredFile[];
  metadata: Record<string, unknown>;
  from: string;
  to: string;
  /** position of the source's last event about the version when it was promoted */
  sourcePosition?: number;
  /** how read models see it when the version was not made live by ArtifactPublished (OCI: ManifestPushed) */
  presentAs?: string;
}>;
/** A deleted version is live again with the files and metadata it had (an admin's undo). */
export type ArtifactRestored = Event<'ArtifactRestored', {
  repository: string;
  format: string;
  name: string;
  version: string;
  files: StoredFile[];
  metadata: Record<string, unknown>;
  /** as in ArtifactPromoted */
  presentAs?: string;
}>;
/**
 * An OCI manifest or index pushed: `version` is its digest, `files` the manifest itself and every
 * blob (config, layers) or child manifest it references, so blob references keep them alive.
 * `metadata` holds the OCI details (mediaType, artifactType, subject, annotations, ...).
 */
export type ManifestPushed = Event<'ManifestPushed', {
  repository: string;
  format: string;
  name: string;
  version: string;
  files: StoredFile[];
  metadata: Record<string, unknown>;
}>;
export type BlobPurged = Event<'BlobPurged', { digest: string; size: number; reason: string }>;
/**
 * A remote repository fetched an artifact file from its upstream and keeps it: what the upstream
 * served (URL, ETag, digests) is provable from the log. Shaped like ArtifactFilesAdded (the file
 * under the version it belongs to) so blob references keep cached files alive.
 */
export type UpstreamFetched = Event<'UpstreamFetched', {
  repository: string;
  format: string;
  name: string;
  version: string;
  files: StoredFile[];
  url: string;
  etag?: string;
}>;
/**
 * The upstream now offers other bytes for a file the remote repository already recorded ("same
 * version, different bytes"): the new bytes are refused, the recorded ones keep being served.
 */
export type UpstreamMismatchDetected = Event<'UpstreamMismatchDetected', {
  repository: string;
  format: string;
  name: string;
  version: string;
  path: string;
  url: string;
  recordedDigest: string;
  offeredDigest: string;
}>;

export type DomainEvent =
  | IdentityEvent
  | RepositoryCreated
  | RepositoryConfigured
  | RepositoryDeleted
  | ArtifactPublished
  | ArtifactFilesAdded
  | ArtifactDeleted
  | TagSet
  | TagRemoved
  | ArtifactDeprecated
  | ArtifactYanked
  | ArtifactPromoted
  | ArtifactRestored
  | ManifestPushed
  | BlobPurged
  | UpstreamFetched
  | UpstreamMismatchDetected;

export type DomainEventType = DomainEvent['type'];

/** An event as the log returns it. */
export interface RecordedEvent<E extends { type: string; schemaVersion: number; data: unknown } = DomainEvent> {
  position: number;
  streamId: string;
  streamVersion: number;
  type: E['type'];
  schemaVersion: number;
  data: E['data'];
  metadata: EventMetadata;
  /** ISO 8601 with milliseconds, UTC */
  recordedAt: string;
  prevHash: string;
  hash: string;
}

export const streams = {
  repository: (repository: string) => `repository-${repository}`,
  artifact: (repository: string, format: string, name: string) => `artifact-${repository}-${format}-${name}`,
  blobs: () => 'blobs',
  upstream: (repository: string, name: string) => `upstream-${repository}-${name}`,
};
