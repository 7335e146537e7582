import type { Readable } from 'node:stream';
import type { EventMetadata, RepositoryView, StoredFile } from '../domain/index.js';
import type { BlobStore, ExpectedDigests, SqlExecutor } from '../ports/index.js';

export interface PublishRequest {
  repository: RepositoryView;
  format: string;
  name: string;
  version: string;
  files: { path: string; mediaType: string; body: Readable; expected?: ExpectedDigests }[];
  metadata?: Record<string, unknown>;
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
  deleteArtifact(repository: string, format: string, name: string, version: string, metadata: EventMetadata): Promise<{ position: number }>;
  readonly blobs: Pick<BlobStore, 'get' | 'stat'>;
  readonly sql: SqlExecutor;
  readonly traffic: {
    bytesIn(format: string, bytes: number): void;
    bytesOut(format: string, bytes: number): void;
    /** marks an upload in flight; call the returned function when it ends */
    uploadStarted(format: string): () => void;
  };
}

export const FORMAT_SERVICES = Symbol('FormatServices');
