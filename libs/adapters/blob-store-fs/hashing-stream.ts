import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DomainError } from '../../domain/index.js';
import { SideHashes } from './side-hashes.js';
import type { BlobDigests, ExpectedDigests } from '../../ports/index.js';

/**
 * The one pass every BlobStore adapter makes over a body: sha256/sha1/md5 and a byte count,
 * computed while the bytes flow on to storage, so no adapter ever holds a whole body.
 * Shared by the filesystem and S3 adapters (both live in this repository's adapter layer).
 */
export interface HashingLimits {
  /** TOO_LARGE as soon as more than this many bytes arrive */
  maxBytes?: number;
  /** DIGEST_MISMATCH as soon as more bytes arrive than the client declared */
  expectedSize?: number;
  /** also compute sha512 */
  sha512?: boolean;
  /** also compute BLAKE2b-256 */
  blake2b256?: boolean;
}

export class HashingStream extends Transform {
  private readonly sha256: Hash = createHash('sha256');
  // sha1 and md5 on a worker thread: see side-hashes.ts
  private readonly side: SideHashes;
  // Not named `size`: lib-storage's Upload reads `Body.size` (and `length`, `byteLength`) as the
  // body's total length and plans its parts from it; a running count of 0 there breaks uploads.
  private bytesSeen = 0;
  private result?: Promise<BlobDigests>;

  constructor(private readonly limits: HashingLimits = {}) {
    super();
    this.side = new SideHashes({ sha512: limits.sha512, blake2b256: limits.blake2b256 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesSeen += chunk.length;
    const { maxBytes, expectedSize } = this.limits;
    // Checked per chunk, before hashing or passing it on: an oversized upload stops here, while
    // the client is still sending, instead of after the whole body has been stored.
    if (maxBytes !== undefined && this.bytesSeen > maxBytes) {
      callback(new DomainError('TOO_LARGE', `body exceeds ${maxBytes} bytes`, { maxBytes }));
      return;
    }
    if (expectedSize !== undefined && this.bytesSeen > expectedSize) {
      callback(
        new DomainError('DIGEST_MISMATCH', `body is larger than the declared ${expectedSize} bytes`, {
          field: 'size',
          expected: expectedSize,
        }),
      );
      return;
    }
    this.sha256.update(chunk);
    this.side.update(chunk);
    callback(null, chunk);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // streams destroy themselves after a normal end too: only an abandoned body is forgotten
    if (error || !this.writableFinished) this.side.abort();
    callback(error);
  }

  /** The digests of everything that passed; only meaningful once the stream has ended. */
  digests(): Promise<BlobDigests> {
    this.result ??= this.side.digests().then((side) => ({ sha256: this.sha256.digest('hex'), ...side, size: this.bytesSeen }));
    return this.result;
  }
}

/** Throws DIGEST_MISMATCH naming the first declared digest the body does not match. */
export function verifyDigests(actual: BlobDigests, expected: ExpectedDigests | undefined): void {
  if (!expected) return;
  if (expected.size !== undefined && expected.size !== actual.size) {
    throw mismatch('size', expected.size, actual.size);
  }
  for (const field of ['sha256', 'sha1', 'md5', 'sha512', 'blake2b256'] as const) {
    const want = expected[field];
    // the optional digests are checked when the put computed them
    if ((field === 'sha512' || field === 'blake2b256') && actual[field] === undefined) continue;
    // Clients differ in hex case; the stored address is always lowercase.
    if (want !== undefined && want.toLowerCase() !== actual[field]) {
      throw mismatch(field, want, actual[field] ?? '');
    }
  }
}

function mismatch(field: string, expected: string | number, actual: string | number): DomainError {
  return new DomainError('DIGEST_MISMATCH', `${field} of the body does not match the declared one`, {
    field,
    expected,
    actual,
  });
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Normalises a content address, or returns null for anything that cannot be one. Adapters build
 * paths and keys from it, so this is also what keeps `../` and friends out of them.
 */
export function normalizeSha256(sha256: string): string | null {
  const lower = sha256.toLowerCase();
  return SHA256_HEX.test(lower) ? lower : null;
}

/** Counts the bytes passing through (no hashing), failing with TOO_LARGE beyond `maxBytes`. */
export class ByteCounter extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes?: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.maxBytes !== undefined && this.bytes > this.maxBytes) {
      callback(new DomainError('TOO_LARGE', `body exceeds ${this.maxBytes} bytes`, { maxBytes: this.maxBytes }));
      return;
    }
    callback(null, chunk);
  }
}
