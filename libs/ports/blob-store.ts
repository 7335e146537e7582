import type { Readable } from 'node:stream';

export interface BlobDigests {
  /** lowercase hex; the content address */
  sha256: string;
  sha1: string;
  md5: string;
  /** only when the put asked for it (`PutOptions.sha512`) */
  sha512?: string;
  /** only when the put asked for it (`PutOptions.blake2b256`) */
  blake2b256?: string;
  size: number;
}

export interface ExpectedDigests {
  sha256?: string;
  sha1?: string;
  md5?: string;
  /** checked only when the put computes sha512 (`PutOptions.sha512`) */
  sha512?: string;
  /** checked only when the put computes BLAKE2b-256 (`PutOptions.blake2b256`) */
  blake2b256?: string;
  size?: number;
}

export interface PutOptions {
  /** digests the client declared; any mismatch fails the put with DIGEST_MISMATCH */
  expected?: ExpectedDigests;
  /** fail with TOO_LARGE as soon as more than this many bytes arrive */
  maxBytes?: number;
  /** also compute sha512 (Maven serves `.sha512` for every file), off the event loop like sha1/md5 */
  sha512?: boolean;
  /** also compute BLAKE2b-256 (PyPI's `blake2_256_digest`), on the same worker */
  blake2b256?: boolean;
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
export interface BlobStore extends StagedUploads {
  put(body: Readable, options?: PutOptions): Promise<BlobDigests>;
  stat(sha256: string): Promise<BlobInfo | null>;
  get(sha256: string, range?: ByteRange): Promise<Readable>;
  delete(sha256: string): Promise<boolean>;
  list(): AsyncIterable<BlobInfo>;
  cleanTemporary(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Appendable uploads in the store's temporary area (OCI chunked and resumable blob uploads).
 *
 * Contract:
 * - `createStaged` starts an empty upload and returns its id (opaque, URL-safe). Ids survive a
 *   restart of the process: the bytes live in the store, not in memory.
 * - `appendStaged` streams a body onto the end (never buffering it whole) and resolves to the new
 *   total size; `maxBytes` bounds the total (TOO_LARGE, and the upload keeps its size before
 *   the call). Concurrent appends to one upload are undefined: callers serialise them.
 * - `stagedSize` is the number of bytes appended so far, or null for an unknown (committed,
 *   aborted, expired) id.
 * - `commitStaged` verifies the bytes against `expected` (DIGEST_MISMATCH, and the upload stays
 *   as it was) and commits them like `put`; the upload is gone afterwards.
 * - `abortStaged` removes an upload; unknown ids are ignored.
 * - Staged data counts as temporary: `cleanTemporary(age)` removes uploads not appended to for
 *   `age` ms. Unknown ids (also malformed ones) are NOT_FOUND for append and commit.
 */
export interface StagedUploads {
  createStaged(): Promise<string>;
  appendStaged(id: string, body: Readable, options?: { maxBytes?: number }): Promise<number>;
  stagedSize(id: string): Promise<number | null>;
  commitStaged(id: string, options?: PutOptions): Promise<BlobDigests>;
  abortStaged(id: string): Promise<void>;
}

export const BLOB_STORE = Symbol('BlobStore');
