import type { Readable } from 'node:stream';
import { DomainError } from '../../domain/index.js';
import type { ByteRange } from '../../ports/index.js';

/** Stored content to inspect: its size and ranged reads (the blob store's `get`). */
export interface ContentSource {
  size: number;
  read(range?: ByteRange): Promise<Readable>;
}

/** The most core metadata we read from an archive (METADATA, PKG-INFO): long READMEs fit easily. */
export const MAX_CORE_METADATA = 16 * 1024 * 1024;
/** An archive may unpack to at most this many times its own size (deflate tops out near 1032:1; real packages stay far below 100:1) ... */
export const MAX_UNPACK_RATIO = 100;
/** ... or to this much, whichever is more, so that small, well-compressed packages pass. */
export const MIN_UNPACK_ALLOWANCE = 64 * 1024 * 1024;
export const MAX_ENTRIES = 100_000;

export const unpackLimit = (archiveSize: number) => Math.max(MIN_UNPACK_ALLOWANCE, archiveSize * MAX_UNPACK_RATIO);

export const invalidArchive = (kind: string, why: string) => new DomainError('INVALID_PACKAGE', `the ${kind} is not valid: ${why}`);

/** A member name that would land outside the extraction folder (or cannot be written at all). */
export function unsafeMemberName(name: string): boolean {
  return (
    name.startsWith('/') ||
    /^[A-Za-z]:/.test(name) ||
    name.includes('\\') ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f]/.test(name) ||
    name.split('/').includes('..')
  );
}

/** Collects a stream into one Buffer, failing once it passes `limit` bytes. */
export async function collect(stream: Readable, limit: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
