import type { Readable } from 'node:stream';

export interface BlobDigests {
  /** lowercase hex; the content address */
  sha256: string;
  sha1: string;
  md5: string;
  size: number;
}

export interface ExpectedDigests {
  sha256?: string;
  sha1?: string;
  md5?: string;
  size?: number;
}

export interface PutOptions {
  /** digests the client declared; any mismatch fails the put with DIGEST_MISMATCH */
  expected?: ExpectedDigests;
  /** fail with TOO_LARGE as soon as more than this many bytes arrive */
  maxBytes?: number;
}

export interface BlobInfo {
  sha256: string;
  size: number;
  modifiedAt: Date;
}

export interface ByteRange {
  /** first byte, inclusive */
  start: number;
  /** last byte, inclusive */
  end: number;
}

/**
 * Content-addressed blob storage.
 *
 * Contract:
 * - `put` streams the body (never buffering it whole), hashing as it writes to a temporary
 *   location, and commits under its sha256 only when the body is complete and matches every
 *   expected digest. On any failure (mismatch, size limit, aborted stream) nothing is visible
 *   and the temporary data is removed. The same content is stored once; putting existing
 *   content refreshes its modification time (so GC's grace period restarts).
 * - `get` with a range returns exactly bytes start..end inclusive; the caller validates ranges.
 * - `stat`/`get` of unknown content: `stat` gives null, `get` throws DomainError NOT_FOUND.
 * - `list` yields every committed blob (order undefined); temporary data is never listed.
 * - `cleanTemporary(age)` removes leftovers of interrupted puts older than `age` ms.
 */
export interface BlobStore {
  put(body: Readable, options?: PutOptions): Promise<BlobDigests>;
  stat(sha256: string): Promise<BlobInfo | null>;
  get(sha256: string, range?: ByteRange): Promise<Readable>;
  delete(sha256: string): Promise<boolean>;
  list(): AsyncIterable<BlobInfo>;
  cleanTemporary(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}

export const BLOB_STORE = Symbol('BlobStore');
