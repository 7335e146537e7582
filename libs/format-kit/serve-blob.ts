import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { DomainError } from '../domain/index.js';
import type { BlobStore, ByteRange } from '../ports/index.js';
import { parseRange } from './range.js';

/** What a format knows about a stored file it is about to send. */
export interface BlobToServe {
  /** the content address; also the strong ETag (`"<sha256>"`) */
  sha256: string;
  size: number;
  contentType: string;
  /** e.g. `private, max-age=31536000, immutable` for files that never change under their URL */
  cacheControl: string;
  /** extra response headers (`last-modified`, `x-checksum-sha1`, ...); undefined values are left out */
  headers?: Record<string, string | undefined>;
}

/**
 * Does `If-None-Match` name `etag` (or `*`)? Weak comparison, as RFC 9110 section 13.1.2 asks for
 * this header: `W/"x"` matches `"x"`.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  return !!header && header.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag);
}

/**
 * Sends a stored blob the way every format's file download needs it (RFC 9110): a strong ETag
 * from its sha256 and `304` on a matching `If-None-Match` (section 13.1.2); one `Range: bytes=`
 * as `206` with `Content-Range`, honoured only while `If-Range` names the same ETag (section 14);
 * an unsatisfiable range as RANGE_NOT_SATISFIABLE with `Content-Range: bytes *\/<size>`; `HEAD`
 * with the headers and no body; content purged from the blob store as GONE. The body streams from
 * the store, never buffered. Returns the number of body bytes sent (0 for 304 and HEAD), for the
 * format's traffic counter. Errors are thrown as DomainErrors for the format's own envelope.
 */
export async function serveBlob(req: Request, res: Response, blobs: Pick<BlobStore, 'get'>, blob: BlobToServe): Promise<number> {
  const etag = `"${blob.sha256}"`;
  const extra = Object.fromEntries(Object.entries(blob.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
  res.set({ ...extra, etag, 'accept-ranges': 'bytes', 'x-checksum-sha256': blob.sha256, 'content-type': blob.contentType, 'cache-control': blob.cacheControl });
  if (matchesIfNoneMatch(req.get('if-none-match'), etag)) {
    res.status(304).end();
    return 0;
  }
  let range: ByteRange | undefined;
  try {
    range = parseRange(req.get('range'), blob.size);
  } catch (e) {
    res.set('content-range', `bytes */${blob.size}`);
    throw e;
  }
  const ifRange = req.get('if-range');
  if (range && ifRange !== undefined && ifRange.trim() !== etag) range = undefined;
  const length = range ? range.end - range.start + 1 : blob.size;
  if (range) res.status(206).set('content-range', `bytes ${range.start}-${range.end}/${blob.size}`);
  else res.status(200);
  res.set('content-length', String(length));
  if (req.method === 'HEAD') {
    res.end();
    return 0;
  }
  const body = await blobs.get(blob.sha256, range).catch((e: unknown) => {
    if (e instanceof DomainError && e.code === 'NOT_FOUND') throw new DomainError('GONE', 'the content of this file has been purged');
    throw e;
  });
  // a client that goes away mid-body ends the pipeline; there is nobody left to answer
  await pipeline(body, res).catch(() => body.destroy());
  return length;
}
