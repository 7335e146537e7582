import { DomainError } from '../../domain/index.js';
import { serveBlob } from '../../format-kit/index.js';
import { authorizeFor, notModified, type MavenContext } from './maven-context.js';
import type { ChecksumAlgorithm } from './maven-path.js';
import type { MavenPathRow } from './maven-queries.js';
import { MAVEN } from './maven-state.js';

const MUTABLE = 'private, max-age=0, must-revalidate';
const IMMUTABLE = 'private, max-age=31536000, immutable';

/**
 * GET/HEAD of a file, a plain `-SNAPSHOT` name (the newest build's file), a maven-metadata.xml,
 * or a checksum of any of them (https://maven.apache.org/repository/layout.html). Checksums come
 * from the stored digests, whether or not the client uploaded any. Deployed files never change:
 * cached for good; metadata and SNAPSHOT names revalidate (ETag).
 */
export async function downloadPath(ctx: MavenContext, path: string, checksum: ChecksumAlgorithm | undefined): Promise<void> {
  const row = await ctx.queries.path(ctx.repository.name, path);
  authorizeFor(ctx, 'read', row?.artifact ?? undefined);
  if (!row) throw new DomainError('NOT_FOUND', `${path} not found`);
  await sendRow(ctx, path, row, checksum);
}

/** A checksum file (`.sha1`, ...): the hex digest alone, as Maven Resolver reads it. */
export function sendChecksum(ctx: MavenContext, algo: ChecksumAlgorithm, value: string, cacheControl: string): void {
  const etag = `"${algo}-${value}"`;
  ctx.res.status(200).set({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': cacheControl, etag, 'content-length': String(value.length) });
  if (notModified(ctx.req, etag)) {
    ctx.res.status(304).end();
    return;
  }
  if (ctx.req.method === 'HEAD') ctx.res.end();
  else ctx.res.end(value);
}

/** A small document held in memory (rendered or merged metadata), with its ETag. */
export function sendDocument(ctx: MavenContext, body: string | Buffer, sha256: string, extra: Record<string, string> = {}): void {
  const { req, res } = ctx;
  const etag = `"${sha256}"`;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.set({ ...extra, etag, 'content-type': 'application/xml', 'cache-control': MUTABLE, 'x-checksum-sha256': sha256 });
  if (notModified(req, etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).set('content-length', String(bytes.length));
  if (req.method === 'HEAD') res.end();
  else res.end(bytes);
}

/** Sends a read-model row (of `ctx.repository`): its checksum, its rendered document, or its blob (ranges, 304, HEAD through serveBlob). */
export async function sendRow(ctx: MavenContext, path: string, row: MavenPathRow, checksum: ChecksumAlgorithm | undefined): Promise<void> {
  const cache = row.kind === 'file' ? IMMUTABLE : MUTABLE;
  if (checksum) {
    const value = row[checksum];
    if (!value) throw new DomainError('NOT_FOUND', `no ${checksum} is known for ${path}`);
    sendChecksum(ctx, checksum, value, cache);
    return;
  }
  const modified = new Date(row.modified).toUTCString();
  if (row.body !== null) {
    sendDocument(ctx, row.body, row.sha256, { 'last-modified': modified, ...(row.sha1 ? { 'x-checksum-sha1': row.sha1 } : {}), ...(row.md5 ? { 'x-checksum-md5': row.md5 } : {}) });
    return;
  }
  const sent = await serveBlob(ctx.req, ctx.res, ctx.services.blobs, {
    sha256: row.sha256,
    size: row.size,
    contentType: row.mediaType,
    cacheControl: cache,
    headers: { 'last-modified': modified, 'x-checksum-sha1': row.sha1 ?? undefined, 'x-checksum-md5': row.md5 ?? undefined },
  });
  ctx.services.traffic.bytesOut(MAVEN, sent);
}
