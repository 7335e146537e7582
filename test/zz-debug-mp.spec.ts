import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startS3rver } from './support/s3rver.js';
import { HashingStream } from '../libs/adapters/blob-store-fs/hashing-stream.js';
it('mp', async () => {
  const s = await startS3rver();
  const c = new S3Client({ endpoint: s.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await c.send(new CreateBucketCommand({ Bucket: 'bb' }));
  const body = randomBytes(20 * 1024 * 1024);
  const chunks: Buffer[] = []; for (let a = 0; a < body.length; a += 256 * 1024) chunks.push(body.subarray(a, a + 256 * 1024));
  for (const viaHasher of [false, true]) {
    const src = Readable.from(chunks, { objectMode: false });
    const h = new HashingStream();
    const u = new Upload({ client: c, params: { Bucket: 'bb', Key: 'tmp/x', Body: viaHasher ? h : src }, partSize: 8 * 1024 * 1024, leavePartsOnError: true });
    const p = viaHasher ? pipeline(src, h) : Promise.resolve();
    try { console.log(viaHasher, (await u.done()).ETag); } catch (e) { console.log(viaHasher, 'ERR', e); }
    await p;
  }
  c.destroy();
  await s.stop();
});
