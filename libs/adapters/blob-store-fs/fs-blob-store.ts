import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../../domain/index.js';
import type { BlobDigests, BlobInfo, BlobStore, ByteRange, PutOptions } from '../../ports/index.js';
import { ByteCounter, HashingStream, normalizeSha256, verifyDigests } from './hashing-stream.js';
import { SmallBlobCache } from './small-blob-cache.js';

export interface FsBlobStoreOptions {
  /** folder that holds `sha256/` (committed blobs) and `tmp/` (puts in progress) */
  root: string;
  /** blobs up to 64 KiB are kept in memory up to this many bytes (default 32 MiB; 0: off) */
  smallBlobCacheBytes?: number;
}

const FAN_OUT = /^[0-9a-f]{2}$/;
const STAGED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Content-addressed blobs on a local filesystem (the embedded profile).
 *
 * Layout: `<root>/sha256/ab/cd/<hex>`: two levels of 256-way fan-out keep every folder small
 * even with millions of blobs. A put writes `<root>/tmp/<uuid>` (same filesystem, so the final
 * rename is atomic), fsyncs it, verifies it, then renames it into place: a reader can never see
 * a partial blob, and a crash leaves only a temp file for `cleanTemporary`.
 */
export class FsBlobStore implements BlobStore {
  private readonly blobDir: string;
  private readonly tmpDir: string;
  private readonly small: SmallBlobCache;

  constructor(options: FsBlobStoreOptions) {
    this.small = new SmallBlobCache(64 * 1024, options.smallBlobCacheBytes ?? 32 * 1024 * 1024);
    this.blobDir = join(options.root, 'sha256');
    this.tmpDir = join(options.root, 'tmp');
    // Synchronous, once, at construction: `put` must attach its pipeline to the caller's stream
    // before its first await, or an error the stream emits in between would go unhandled.
    mkdirSync(this.tmpDir, { recursive: true });
    mkdirSync(this.blobDir, { recursive: true });
  }

  async put(body: Readable, options: PutOptions = {}): Promise<BlobDigests> {
    const tmpPath = join(this.tmpDir, randomUUID());
    const hasher = new HashingStream({ maxBytes: options.maxBytes, expectedSize: options.expected?.size, sha512: options.sha512, blake2b256: options.blake2b256 });
    // `flush` fsyncs before close, and pipeline settles only after the file's 'close': once it
    // resolves, the bytes are on disk.
    const file = createWriteStream(tmpPath, { flags: 'wx', flush: true });
    try {
      await pipeline(body, hasher, file);
      const digests = await hasher.digests();
      // Verify before the rename: a mismatching body must never become visible, not even briefly.
      verifyDigests(digests, options.expected);
      await this.commit(tmpPath, digests.sha256);
      return digests;
    } catch (error) {
      // a body that fails at once can fail before the file is even opened: the open still
      // completes (and creates the file) after the pipeline gave up, so wait for the close first
      if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
      await rm(tmpPath, { force: true });
      throw error;
    }
  }

  async createStaged(): Promise<string> {
    const id = randomUUID();
    await writeFile(this.stagedPath(id)!, '', { flag: 'wx' });
    return id;
  }

  /** Appends to `tmp/staged-<id>`; a failed append truncates the file back to its size before. */
  async appendStaged(id: string, body: Readable, options: { maxBytes?: number } = {}): Promise<number> {
    const path = this.stagedPath(id);
    const before = path ? await this.stagedSize(id) : null;
    if (!path || before === null) {
      body.resume();
      throw new DomainError('NOT_FOUND', `upload ${id} not found`);
    }
    const limit = options.maxBytes === undefined ? undefined : options.maxBytes - before;
    const counter = new ByteCounter(limit);
    try {
      await pipeline(body, counter, createWriteStream(path, { flags: 'a', flush: true }));
      return before + counter.bytes;
    } catch (error) {
      await truncate(path, before).catch(() => undefined);
      throw error;
    }
  }

  async stagedSize(id: string): Promise<number | null> {
    const path = this.stagedPath(id);
    if (!path) return null;
    try {
      return (await stat(path)).size;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Hashes the staged file in place, verifies it, then renames it to its address (no copy). */
  async commitStaged(id: string, options: PutOptions = {}): Promise<BlobDigests> {
    const path = this.stagedPath(id);
    if (!path || (await this.stagedSize(id)) === null) throw new DomainError('NOT_FOUND', `upload ${id} not found`);
    const hasher = new HashingStream({ maxBytes: options.maxBytes, sha512: options.sha512, blake2b256: options.blake2b256 });
    await pipeline(createReadStream(path), hasher, new Writable({ write: (_chunk, _encoding, done) => done() }));
    const digests = await hasher.digests();
    verifyDigests(digests, options.expected);
    await this.commit(path, digests.sha256);
    return digests;
  }

  async abortStaged(id: string): Promise<void> {
    const path = this.stagedPath(id);
    if (path) await rm(path, { force: true });
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    const path = this.pathOf(sha256);
    if (!path) return null;
    try {
      const info = await stat(path);
      return { sha256: sha256.toLowerCase(), size: info.size, modifiedAt: info.mtime };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(sha256);
    if (!path) throw new DomainError('NOT_FOUND', `blob ${sha256} not found`);
    // Open first, then stream from the handle: a missing blob becomes NOT_FOUND here rather than
    // an error event mid-response, and a concurrent delete cannot pull the file from under us.
    const key = sha256.toLowerCase();
    const cached = this.small.get(key);
    if (cached) return Readable.from([range ? cached.subarray(range.start, range.end + 1) : cached], { objectMode: false });
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isNotFound(error)) throw new DomainError('NOT_FOUND', `blob ${sha256} not found`);
      throw error;
    }
    const { size } = await handle.stat();
    if (size <= this.small.maxEntryBytes) {
      const bytes = Buffer.alloc(size);
      try {
        for (let at = 0; at < size; ) {
          const { bytesRead } = await handle.read(bytes, at, size - at, at);
          if (bytesRead === 0) break;
          at += bytesRead;
        }
      } finally {
        await handle.close();
      }
      this.small.set(key, bytes);
      return Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes], { objectMode: false });
    }
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(sha256: string): Promise<boolean> {
    const path = this.pathOf(sha256);
    if (!path) return false;
    this.small.delete(sha256.toLowerCase());
    try {
      await unlink(path);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const first of await readdirOrEmpty(this.blobDir)) {
      if (!FAN_OUT.test(first)) continue;
      for (const second of await readdirOrEmpty(join(this.blobDir, first))) {
        if (!FAN_OUT.test(second)) continue;
        const dir = join(this.blobDir, first, second);
        for (const name of await readdirOrEmpty(dir)) {
          if (normalizeSha256(name) !== name || !name.startsWith(first + second)) continue;
          const info = await this.stat(name);
          // null: deleted while we walked; a listing is a snapshot of nothing in particular.
          if (info) yield info;
        }
      }
    }
  }

  async cleanTemporary(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of await readdirOrEmpty(this.tmpDir)) {
      const path = join(this.tmpDir, name);
      try {
        // mtime moves with every write, so a slow upload that is still arriving is never "old".
        // Floor it: mtimeMs has sub-millisecond digits that would put a file written this very
        // millisecond after `cutoff` when olderThanMs is 0.
        if (Math.floor((await stat(path)).mtimeMs) > cutoff) continue;
        await unlink(path);
        removed += 1;
      } catch (error) {
        // the put finished (renamed or removed its file) between readdir and here
        if (!isNotFound(error)) throw error;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    // nothing held open between calls
  }

  /**
   * Moves a verified temp file to its address. Existing content is not rewritten: its mtime is
   * bumped instead, so GC's grace period restarts for content that was just referenced again.
   */
  private async commit(tmpPath: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256) as string;
    const now = new Date();
    try {
      await utimes(target, now, now);
      await rm(tmpPath, { force: true });
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const dir = dirname(target);
    const created = await mkdir(dir, { recursive: true });
    // A concurrent put of the same content may rename first; rename replaces atomically and the
    // bytes are identical, so the race is harmless.
    await rename(tmpPath, target);
    // The rename is durable only once the folder holding the new entry is fsynced, and a
    // freshly created fan-out folder only once its own parent is.
    const stopAt = created ? dirname(created) : dir;
    for (let d = dir; ; d = dirname(d)) {
      await fsyncDir(d);
      if (d === stopAt) break;
    }
  }

  private stagedPath(id: string): string | null {
    return STAGED_ID.test(id) ? join(this.tmpDir, `staged-${id.toLowerCase()}`) : null;
  }

  private pathOf(sha256: string): string | null {
    const hex = normalizeSha256(sha256);
    return hex ? join(this.blobDir, hex.slice(0, 2), hex.slice(2, 4), hex) : null;
  }
}

async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
