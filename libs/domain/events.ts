import type { IdentityEvent } from './identity.js';

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
  /** remote repositories: the upstream they cache */
  upstream?: { url: string };
  /** virtual repositories: the ordered members they resolve through */
  members?: string[];
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
export type BlobPurged = Event<'BlobPurged', { digest: string; size: number; reason: string }>;

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
  | BlobPurged;

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
};
