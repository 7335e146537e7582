import { pipeline } from 'node:stream/promises';
import { DomainError } from '../../domain/index.js';
import { authorizeFor, notModified, type MavenContext } from './maven-context.js';
import type { ChecksumAlgorithm } from './maven-path.js';
import { MAVEN } from './maven-state.js';

/**
 * GET/HEAD of a file, a plain `-SNAPSHOT` name (the newest build's file), a maven-metadata.xml,
 * or a checksum of any of them (https://maven.apache.org/repository/layout.html). Checksums come
 * from the stored digests, whether or not the client uploaded any. Deployed files never change:
 * cached for good; metadata and SNAPSHOT names revalidate (ETag).
 */
export async function downloadPath(ctx: MavenContext, path: string, checksum: ChecksumAlgorithm | undefined): Promise<void> {
  const { req, res } = ctx;
  const row = await ctx.queries.path(ctx.repository.name, path);
  authorizeFor(ctx, 'read', row?.artifact ?? undefined);
  if (!row) throw new DomainError('NOT_FOUND', `${path} not found`);
  const mutable = row.kind !== 'file';
  const cache = mutable ? 'private, max-age=0, must-revalidate' : 'private, max-age=31536000, immutable';
  if (checksum) {
    const value = row[checksum];
    if (!value) throw new DomainError('NOT_FOUND', `no ${checksum} is known for ${path}`);
    res.status(200).set({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': cache, etag: `"${checksum}-${value}"`, 'content-length': String(value.length) });
    if (req.method === 'HEAD') res.end();
    else res.end(value);
    return;
  }
  const etag = `"${row.sha256}"`;
  res.set({
    etag,
    'content-type': row.mediaType,
    'cache-control': cache,
    'last-modified': new Date(row.modified).toUTCString(),
    'x-checksum-sha256': row.sha256,
    ...(row.sha1 ? { 'x-checksum-sha1': row.sha1 } : {}),
    ...(row.md5 ? { 'x-checksum-md5': row.md5 } : {}),
  });
  if (notModified(req, etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).set('content-length', String(row.size));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (row.body !== null) {
    res.end(row.body);
    return;
  }
  const body = await ctx.services.blobs.get(row.sha256).catch((e) => {
    if (e instanceof DomainError && e.code === 'NOT_FOUND') throw new DomainError('GONE', 'the content of this file has been purged');
    throw e;
  });
  await pipeline(body, res).catch(() => body.destroy());
  ctx.services.traffic.bytesOut(MAVEN, row.size);
}
