import type { Readable } from 'node:stream';
import type { EventMetadata, RepositoryView, StoredFile } from '../domain/index.js';
import type { BlobStore, ExpectedDigests, SqlExecutor } from '../ports/index.js';

export interface PublishRequest {
  repository: RepositoryView;
  format: string;
  name: string;
  version: string;
  files: IncomingFile[];
  metadata?: Record<string, unknown>;
  /** tags to point at the new version in the same append (npm: `latest` or `--tag`) */
  tags?: string[];
}

/** One upload to store before anything is recorded (see `FormatServices.storeFile`). */
export interface IncomingFile {
  path: string;
  mediaType: string;
  body: Readable;
  expected?: ExpectedDigests;
}

/** Files already stored with `storeFile`, to add to a version. */
export interface AddFilesRequest {
  repository: RepositoryView;
  format: string;
  name: string;
  version: string;
  files: StoredFile[];
  /** format-specific, about the added files (ArtifactPublished / ArtifactFilesAdded `metadata`) */
  metadata: Record<string, unknown>;
}

export interface ArtifactTarget {
  repository: string;
  format: string;
  name: string;
}

/**
 * What the registry gives every format: the write path (blobs + events + read-your-writes),
 * repository lookup, blob reads and SQL for the format's own read models. Formats depend on
 * this interface, never on the application layer's classes.
 */
export interface FormatServices {
  /** The repository, which must exist and be of `format` (REPOSITORY_NOT_FOUND / WRONG_FORMAT). */
  repository(name: string, format: string): Promise<RepositoryView>;
  publish(request: PublishRequest, metadata: EventMetadata): Promise<{ position: number; files: StoredFile[] }>;
  /**
   * Streams a file into the blob store (hashed, checked against `expected`, refused beyond the
   * repository's maxUploadBytes) without recording anything, so that a format can inspect the
   * content (`blobs.get`) before it decides. Content never added is removed by GC after its grace.
   */
  storeFile(repository: RepositoryView, file: IncomingFile): Promise<StoredFile>;
  /**
   * Adds stored files to a version; its first files publish it (ArtifactPublished), later ones
   * are ArtifactFilesAdded. A path already used in the artifact, live or deleted, is FILE_EXISTS
   * (reuse after delete follows the plugin's `allowReuseAfterDelete`).
   */
  addFiles(request: AddFilesRequest, metadata: EventMetadata): Promise<{ position: number }>;
  /**
   * Deletes a version; tags on it are removed, except `latest`, which moves to what `pickLatest`
   * chooses among the remaining versions (format-specific ordering).
   */
  deleteArtifact(repository: string, format: string, name: string, version: string, metadata: EventMetadata, pickLatest?: (remaining: string[]) => string | undefined): Promise<{ position: number }>;
  setTag(target: ArtifactTarget, tag: string, version: string, metadata: EventMetadata): Promise<{ position: number }>;
  /** `protectedTags` cannot be removed (npm: `latest`) */
  removeTag(target: ArtifactTarget, tag: string, metadata: EventMetadata, protectedTags?: string[]): Promise<{ position: number }>;
  /** `message` '' takes the deprecation back */
  deprecate(target: ArtifactTarget, version: string, message: string, metadata: EventMetadata): Promise<{ position: number }>;
  yank(target: ArtifactTarget, version: string, yanked: boolean, reason: string | undefined, metadata: EventMetadata): Promise<{ position: number }>;
  readonly blobs: Pick<BlobStore, 'get' | 'stat'>;
  readonly identity: FormatIdentity;
  /** the registry's external URL (STRATA_BASE_URL), or one derived from the request */
  baseUrl(req: { protocol: string; get(name: string): string | undefined }): string;
  readonly sql: SqlExecutor;
  readonly traffic: {
    bytesIn(format: string, bytes: number): void;
    bytesOut(format: string, bytes: number): void;
    /** marks an upload in flight; call the returned function when it ends */
    uploadStarted(format: string): () => void;
  };
}

/** What a protocol's own account endpoints need (npm login, npm token, npm owner). */
export interface FormatIdentity {
  /** Checks a user name and password (local or LDAP, rate-limited); the user id, or UNAUTHORIZED. */
  verifyPassword(username: string, password: string, address: string, metadata: EventMetadata): Promise<string>;
  /** Issues an API token for `userId`; the secret is returned once. */
  mintToken(userId: string, options: { name: string; readOnly?: boolean; cidrs?: string[] | null; expiresAt?: string | null }, metadata: EventMetadata): Promise<{ tokenId: string; secret: string }>;
  tokens(userId: string): Promise<{ tokenId: string; name: string; readOnly: boolean; cidrs: string[] | null; createdAt: string; expiresAt: string | null; revokedAt: string | null }[]>;
  /** Revokes a token of `userId` (NOT_FOUND when it is someone else's). */
  revokeToken(userId: string, tokenId: string, metadata: EventMetadata): Promise<void>;
  userExists(userId: string): Promise<boolean>;
  grants(repository: string): Promise<{ grantId: string; subject: { type: string; id: string }; actions: string[]; pattern?: string }[]>;
  grant(repository: string, subject: { type: 'user' | 'group'; id: string }, actions: ('read' | 'write' | 'delete' | 'admin')[], pattern: string | undefined, metadata: EventMetadata): Promise<string>;
  revokeGrant(repository: string, grantId: string, metadata: EventMetadata): Promise<void>;
}

export const FORMAT_SERVICES = Symbol('FormatServices');
