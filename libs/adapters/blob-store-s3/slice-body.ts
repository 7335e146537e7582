import { Readable } from 'node:stream';
import type { ByteRange } from '../../ports/index.js';

/**
 * Returns exactly `range` from a ranged GetObject body. Conforming servers already did; this
 * trims when one did not: s3rver reads `bytes=0-0` as "from 0 to the end" (it treats end 0 as
 * absent) and answers with the whole object. A server that ignores Range entirely (200, no
 * Content-Range) starts at byte 0.
 */
export function sliceBody(body: Readable, range: ByteRange, contentRange: string | undefined): Readable {
  const match = contentRange ? /^bytes (\d+)-(\d+)\//.exec(contentRange) : null;
  const from = match ? Number(match[1]) : 0;
  if (match && from === range.start && Number(match[2]) === range.end) return body;
  if (from > range.start) {
    body.destroy();
    throw new Error(`S3 answered range ${contentRange} for bytes=${range.start}-${range.end}`);
  }
  let skip = range.start - from;
  let take = range.end - range.start + 1;
  async function* trimmed(): AsyncGenerator<Buffer> {
    // Leaving the loop early (return) destroys the source: the rest is never downloaded.
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const usable = chunk.subarray(Math.min(skip, chunk.length));
      skip -= chunk.length - usable.length;
      if (usable.length === 0) continue;
      yield usable.subarray(0, take);
      take -= Math.min(take, usable.length);
      if (take === 0) return;
    }
    throw new Error(`S3 body ended ${take} bytes short of bytes=${range.start}-${range.end}`);
  }
  return Readable.from(trimmed(), { objectMode: false });
}
