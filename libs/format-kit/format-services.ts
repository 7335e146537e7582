import type { Readable } from 'node:stream';
import type { EventMetadata, RepositoryView, StoredFile } from '../domain/index.js';
import type { BlobStore, ExpectedDigests, SqlExecutor, StagedUploads } from '../ports/index.js';
import type { Principal, RegistryTokenClaims } from '../auth/index.js';
import type { RemoteServices, VirtualServices } from './remote-services.js';

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
  /** also compute (and check an expected) sha512; recorded in `StoredFile.sha512` */
  sha512?: boolean;
  /** also compute (and check an expected) BLAKE2b-256; returned beside the file, not part of it */
  blake2b256?: boolean;
}

/** What `storeFile` gives back: the file, and its BLAKE2b-256 when it was asked for (a format records it where it needs it). */
export type StoredUpload = StoredFile & { blake2b256?: string };

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
  storeFile(repository: RepositoryView, file: IncomingFile): Promise<StoredUpload>;
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
  /** appendable uploads in the blob store's temporary area (OCI chunked, resumable uploads) */
  readonly uploads: StagedUploads;
  /**
   * OCI: records a manifest whose content and referenced blobs are stored (`files`), as
   * ManifestPushed (nothing when that digest is already live), and points `tag` at it.
   */
  pushManifest(target: ArtifactTarget, digest: string, files: StoredFile[], manifest: Record<string, unknown>, tag: string | undefined, metadata: EventMetadata): Promise<{ position: number }>;
  readonly identity: FormatIdentity;
  /** remote repositories: upstream metadata and files (see RemoteServices) */
  readonly remote: RemoteServices;
  /** virtual repositories: members to consult, the dependency-confusion guard, the publish target */
  readonly virtual: VirtualServices;
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
  /** The browser sign-in flows configured here that can send the browser back to a page of ours (npm web login links to them). */
  singleSignOn?(): SingleSignOn[];
  /** A user's principal (groups and grants loaded), as after a sign-in with `authMethod`. */
  principalFor?(userId: string, authMethod: Principal['authMethod']): Promise<Principal>;
  /** Signs an OCI registry bearer token (GET /v2/token) for `service`. */
  issueRegistryToken?(claims: RegistryTokenClaims, service: string): Promise<{ token: string; expiresIn: number; issuedAt: string }>;
}

/**
 * A browser sign-in flow (OIDC): `<loginPath>?<returnParam>=<path>` signs the user in and sends the
 * browser to `<path>#tokenType=...&accessToken=...` (the session in the fragment, never sent to a server).
 */
export interface SingleSignOn {
  label: string;
  loginPath: string;
  returnParam: string;
}

export const FORMAT_SERVICES = Symbol('FormatServices');
