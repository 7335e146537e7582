import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describeBlobStoreContract } from '../../ports/blob-store.contract.js';
import { describeStagedUploadsContract } from '../../ports/staged-uploads.contract.js';
import { startS3rver, type S3rverHandle } from '../../../test/support/s3rver.js';
import { testS3Endpoint } from '../../../test/support/services.js';
import { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';

/**
 * Runs against TEST_S3_ENDPOINT when set (CI: MinIO or similar), else against s3rver started in
 * this process. Every store gets a fresh bucket, so runs never see each other's objects.
 */
const MiB = 1024 * 1024;
/** s3rver (ours, and CI's TEST_S3_ENDPOINT) lacks UploadPartCopy; set TEST_S3_PART_COPY=1 for MinIO or AWS S3 */
const supportsPartCopy = process.env.TEST_S3_PART_COPY === '1';
const definedIf = (condition: boolean) => (condition ? it : () => undefined);

let server: S3rverHandle;
let admin: S3Client;

beforeAll(async () => {
  server = testS3Endpoint
    ? {
        endpoint: testS3Endpoint,
        accessKeyId: process.env.TEST_S3_ACCESS_KEY_ID ?? 'S3RVER',
        secretAccessKey: process.env.TEST_S3_SECRET_ACCESS_KEY ?? 'S3RVER',
        stop: async () => {},
      }
    : await startS3rver();
  admin = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
});

afterAll(async () => {
  admin?.destroy();
  await server?.stop();
});

function optionsFor(bucket: string, extra: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions {
  return {
    endpoint: server.endpoint,
    region: 'us-east-1',
    bucket,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
    ...extra,
  };
}

async function keysUnder(bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function dropBucket(bucket: string): Promise<void> {
  for (const key of await keysUnder(bucket)) await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
}

async function freshStore(extra: Partial<S3BlobStoreOptions> = {}): Promise<{ store: S3BlobStore; bucket: string }> {
  const bucket = `strata-test-${randomBytes(6).toString('hex')}`;
  const store = new S3BlobStore(optionsFor(bucket, extra));
  await store.init();
  return { store, bucket };
}

const streamOf = (body: Buffer, chunkSize = 256 * 1024): Readable =>
  Readable.from(
    (function* () {
      for (let at = 0; at < body.length; at += chunkSize) yield body.subarray(at, at + chunkSize);
    })(),
    { objectMode: false },
  );

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// The prefix is part of what is under test: every key the adapter writes must sit below it.
describeBlobStoreContract(testS3Endpoint ? `s3 (${testS3Endpoint})` : 's3 (s3rver)', async () => {
  const prefix = 'registry/';
  const { store, bucket } = await freshStore({ prefix });
  return {
    store,
    cleanup: () => dropBucket(bucket),
    // what a put that died between upload and commit leaves: a complete object under tmp/
    leaveTemporary: async () => {
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}tmp/${randomUUID()}`, Body: 'partial' }));
    },
  };
});

describeStagedUploadsContract(testS3Endpoint ? `s3 (${testS3Endpoint})` : 's3 (s3rver)', async () => {
  const { store, bucket } = await freshStore({ prefix: 'registry/' });
  return { store, cleanup: () => dropBucket(bucket) };
});

describe('S3BlobStore', () => {
  let store: S3BlobStore;
  let bucket: string;

  beforeEach(async () => {
    ({ store, bucket } = await freshStore());
  });

  afterEach(async () => {
    await store.close();
    await dropBucket(bucket);
  });

  it('creates its bucket in init, and init is idempotent', async () => {
    await store.init();
    await expect(admin.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
  });

  it('commits under blobs/sha256/ab/cd/<hex> and removes the temp key', async () => {
    const { sha256 } = await store.put(streamOf(Buffer.from('hello')));
    expect(await keysUnder(bucket)).toEqual([`blobs/sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`]);
  });

  it('stores a 20 MiB body as a multipart upload with 8 MiB parts', async () => {
    const body = randomBytes(20 * MiB);
    const digests = await store.put(streamOf(body));
    expect(digests).toEqual({
      sha256: createHash('sha256').update(body).digest('hex'),
      sha1: createHash('sha1').update(body).digest('hex'),
      md5: createHash('md5').update(body).digest('hex'),
      size: body.length,
    });
    expect(await store.stat(digests.sha256)).toMatchObject({ size: body.length });
    expect((await readAll(await store.get(digests.sha256))).equals(body)).toBe(true);
    for (const at of [8 * MiB, 16 * MiB]) {
      const slice = await readAll(await store.get(digests.sha256, { start: at - 3, end: at + 2 }));
      expect(slice.equals(body.subarray(at - 3, at + 3))).toBe(true);
    }
    expect(await keysUnder(bucket, 'tmp/')).toEqual([]);
  });

  it('leaves nothing when the body fails after a part was uploaded', async () => {
    const source = new PassThrough();
    const put = store.put(source);
    source.write(randomBytes(10 * MiB));
    while (source.readableLength > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    source.destroy(new Error('client went away'));
    // the body's error, not the one s3rver gives for the AbortMultipartUpload it lacks
    await expect(put).rejects.toThrow('client went away');
    expect(await keysUnder(bucket)).toEqual([]);
  });

  it('stops a multipart put with TOO_LARGE once maxBytes is passed', async () => {
    await expect(store.put(streamOf(randomBytes(20 * MiB)), { maxBytes: 12 * MiB })).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
    expect(await keysUnder(bucket)).toEqual([]);
  });

  it('keeps stores with different prefixes apart in one bucket', async () => {
    const a = new S3BlobStore(optionsFor(bucket, { prefix: 'a' }));
    const b = new S3BlobStore(optionsFor(bucket, { prefix: 'b/' }));
    try {
      const { sha256 } = await a.put(streamOf(Buffer.from('only in a')));
      expect(await b.stat(sha256)).toBeNull();
      const listed: string[] = [];
      for await (const info of b.list()) listed.push(info.sha256);
      expect(listed).toEqual([]);
      expect((await keysUnder(bucket)).every((key) => key.startsWith('a/blobs/'))).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  definedIf(supportsPartCopy)('commits bodies above the threshold by multipart copy', async () => {
    const big = new S3BlobStore(optionsFor(bucket, { multipartCopyThreshold: 6 * MiB, copyPartSize: 5 * MiB }));
    try {
      const body = randomBytes(12 * MiB + 5);
      const { sha256 } = await big.put(streamOf(body));
      expect((await readAll(await big.get(sha256))).equals(body)).toBe(true);
    } finally {
      await big.close();
    }
  });

  definedIf(!supportsPartCopy)('leaves nothing when the commit fails (s3rver lacks UploadPartCopy)', async () => {
    const big = new S3BlobStore(optionsFor(bucket, { multipartCopyThreshold: 1024 }));
    try {
      await expect(big.put(streamOf(randomBytes(4096)))).rejects.toMatchObject({ name: 'NotImplemented' });
      expect(await keysUnder(bucket)).toEqual([]);
    } finally {
      await big.close();
    }
  });
});
