import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { blake2b } from 'hash-wasm';
import { DomainError, type ErrorCode } from '../domain/index.js';
import type { BlobDigests, BlobInfo, BlobStore, ExpectedDigests } from './blob-store.js';

export interface BlobStoreUnderTest {
  store: BlobStore;
  /** removes what the adapter left behind (folders, buckets); called after `store.close()` */
  cleanup(): Promise<void>;
  /**
   * Leaves what a put interrupted by a crash leaves behind (a temp file, a temp object), written
   * now. Without it the suite uses a put whose body never ends, which only works for adapters
   * whose temp data appears as soon as bytes arrive (S3 buffers a whole part first).
   */
  leaveTemporary?(): Promise<void>;
}

const MiB = 1024 * 1024;
const HOUR = 60 * 60 * 1000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls instead of sleeping a fixed time, so a slow machine only makes the test slower, not red. */
async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function digestsOf(body: Buffer): BlobDigests {
  const hex = (algorithm: string): string => createHash(algorithm).update(body).digest('hex');
  return { sha256: hex('sha256'), sha1: hex('sha1'), md5: hex('md5'), size: body.length };
}

/** A byte stream of `body` in small chunks, so adapters see many writes, not one. */
function streamOf(body: Buffer, chunkSize = 16 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunkSize) chunks.push(body.subarray(at, at + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function listAll(store: BlobStore): Promise<BlobInfo[]> {
  const all: BlobInfo[] = [];
  for await (const info of store.list()) all.push(info);
  return all.sort((a, b) => a.sha256.localeCompare(b.sha256));
}

async function expectDomainError(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
}

/**
 * A Date from any realm: under jest's vm modules, Dates made by native code (fs.Stats) are not
 * `instanceof` the test's Date.
 */
function expectDate(value: unknown): void {
  expect(Object.prototype.toString.call(value)).toBe('[object Date]');
  expect(Number.isFinite((value as Date).getTime())).toBe(true);
}

/** Another digest of the same length: flips the last hex digit. */
const wrong = (hex: string): string => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');

/**
 * A deterministic large body: chunk i is a fixed random block stamped with i, so any byte range
 * can be rebuilt for comparison without keeping the body.
 */
function largeBody(size: number): { stream(): Readable; slice(start: number, end: number): Buffer } {
  const block = randomBytes(64 * 1024);
  const chunk = (i: number): Buffer => {
    const c = Buffer.from(block);
    c.writeUInt32BE(i, 0);
    return c.subarray(0, Math.min(block.length, size - i * block.length));
  };
  const count = Math.ceil(size / block.length);
  return {
    stream: () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < count; i++) yield chunk(i);
        })(),
        { objectMode: false },
      ),
    slice: (start, end) => {
      const parts: Buffer[] = [];
      for (let i = Math.floor(start / block.length); i * block.length <= end; i++) parts.push(chunk(i));
      const offset = Math.floor(start / block.length) * block.length;
      return Buffer.concat(parts).subarray(start - offset, end - offset + 1);
    },
  };
}

/**
 * The BlobStore port contract (see blob-store.ts). Each test gets a fresh, empty store.
 * "Nothing is left" is checked through the port itself: after a failed put, `cleanTemporary(0)`
 * must find nothing to remove.
 */
export function describeBlobStoreContract(label: string, factory: () => Promise<BlobStoreUnderTest>): void {
  describe(`BlobStore contract: ${label}`, () => {
    let subject: BlobStoreUnderTest | undefined;
    let store: BlobStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      if (!subject) return;
      await subject.store.close();
      await subject.cleanup();
      subject = undefined;
    });

    /** Starts what an interrupted put leaves behind; `settle` ends any put still running. */
    async function leaveTemporary(): Promise<{ settle(): Promise<void> }> {
      if (subject?.leaveTemporary) {
        await subject.leaveTemporary();
        return { settle: async () => {} };
      }
      const source = new PassThrough();
      const put = store.put(source).then(
        () => 'stored',
        () => 'failed',
      );
      // Many small writes, far more than the stream buffers between the source and storage hold
      // (a few 16 KiB high-water marks): once all are drained, the adapter has been writing to
      // its temp entry, not merely buffering while it opens it.
      for (let i = 0; i < 64; i++) source.write(randomBytes(4 * 1024));
      await waitFor('the put to consume the body so far', () => source.writableLength + source.readableLength === 0);
      return {
        settle: async () => {
          source.destroy(new Error('client went away'));
          expect(await put).toBe('failed');
        },
      };
    }

    async function expectNothingLeft(before: BlobInfo[], sha256: string): Promise<void> {
      expect(await store.stat(sha256)).toBeNull();
      expect(await listAll(store)).toEqual(before);
      expect(await store.cleanTemporary(0)).toBe(0);
    }

    it('streams a put and returns its sha256, sha1, md5 and size', async () => {
      const body = randomBytes(300 * 1024 + 7);
      const expected = digestsOf(body);
      expect(await store.put(streamOf(body, 7 * 1024))).toEqual(expected);
      const info = await store.stat(expected.sha256);
      expect(info).toMatchObject({ sha256: expected.sha256, size: body.length });
      expectDate(info?.modifiedAt);
      expect((await readAll(await store.get(expected.sha256))).equals(body)).toBe(true);
    });

    it('stores an empty body', async () => {
      const expected = digestsOf(Buffer.alloc(0));
      expect(await store.put(Readable.from([], { objectMode: false }))).toEqual(expected);
      expect(await store.stat(expected.sha256)).toMatchObject({ size: 0 });
      expect((await readAll(await store.get(expected.sha256))).length).toBe(0);
    });

    it('stores the same content once and refreshes its modification time', async () => {
      const body = randomBytes(10_000);
      const first = await store.put(streamOf(body));
      const before = await store.stat(first.sha256);
      // S3 reports modification times in whole seconds.
      await sleep(1_100);
      expect(await store.put(streamOf(body))).toEqual(first);
      const after = await store.stat(first.sha256);
      expect(after!.modifiedAt.getTime()).toBeGreaterThan(before!.modifiedAt.getTime());
      expect((await listAll(store)).map((b) => b.sha256)).toEqual([first.sha256]);
    });

    it('accepts a body that matches every declared digest', async () => {
      const body = randomBytes(5_000);
      const expected = digestsOf(body);
      expect(await store.put(streamOf(body), { expected, maxBytes: body.length })).toEqual(expected);
    });

    const mismatches: Array<[string, (d: BlobDigests) => ExpectedDigests]> = [
      ['sha256', (d) => ({ sha256: wrong(d.sha256) })],
      ['sha1', (d) => ({ sha256: d.sha256, sha1: wrong(d.sha1) })],
      ['md5', (d) => ({ md5: wrong(d.md5) })],
      ['size (declared larger)', (d) => ({ size: d.size + 1 })],
      ['size (declared smaller)', (d) => ({ size: d.size - 1 })],
    ];
    it.each(mismatches)('refuses a body whose %s differs from the declared one, leaving nothing', async (_, declare) => {
      await store.put(streamOf(randomBytes(1_000)));
      const before = await listAll(store);
      const body = randomBytes(100 * 1024);
      const actual = digestsOf(body);
      await expectDomainError(store.put(streamOf(body), { expected: declare(actual) }), 'DIGEST_MISMATCH');
      await expectNothingLeft(before, actual.sha256);
    });

    it('computes sha512 when asked (and checks a declared one), and only then', async () => {
      const body = randomBytes(70_000);
      const sha512 = createHash('sha512').update(body).digest('hex');
      expect(await store.put(streamOf(body), { sha512: true })).toEqual({ ...digestsOf(body), sha512 });
      expect((await store.put(streamOf(body))).sha512).toBeUndefined();
      const other = randomBytes(1_000);
      await expectDomainError(store.put(streamOf(other), { sha512: true, expected: { sha512: wrong(sha512) } }), 'DIGEST_MISMATCH');
      expect(await store.stat(digestsOf(other).sha256)).toBeNull();
    });

    it('computes BLAKE2b-256 when asked (and checks a declared one), and only then', async () => {
      const body = randomBytes(70_000);
      const blake2b256 = await blake2b(body, 256);
      expect(await store.put(streamOf(body), { blake2b256: true })).toEqual({ ...digestsOf(body), blake2b256 });
      expect((await store.put(streamOf(body))).blake2b256).toBeUndefined();
      const other = randomBytes(1_000);
      await expectDomainError(store.put(streamOf(other), { blake2b256: true, expected: { blake2b256: wrong(blake2b256) } }), 'DIGEST_MISMATCH');
      expect(await store.stat(digestsOf(other).sha256)).toBeNull();
    });

    it('accepts a body of exactly maxBytes', async () => {
      const body = randomBytes(4_096);
      expect((await store.put(streamOf(body), { maxBytes: 4_096 })).size).toBe(4_096);
    });

    it('fails with TOO_LARGE as soon as the body exceeds maxBytes, leaving nothing', async () => {
      const before = await listAll(store);
      // The body never ends: the put can only settle by noticing the limit while bytes arrive.
      const source = new PassThrough();
      const body = randomBytes(64 * 1024 + 1);
      const put = store.put(source, { maxBytes: 64 * 1024 });
      source.write(body);
      await expectDomainError(put, 'TOO_LARGE');
      source.destroy();
      await expectNothingLeft(before, digestsOf(body).sha256);
    });

    it('leaves nothing when the body stream fails midway', async () => {
      const before = await listAll(store);
      const source = new PassThrough();
      const put = store.put(source);
      const body = randomBytes(128 * 1024);
      source.write(body);
      await waitFor('the put to consume the first bytes', () => source.readableLength === 0);
      source.destroy(new Error('client went away'));
      await expect(put).rejects.toThrow('client went away');
      await expectNothingLeft(before, digestsOf(body).sha256);
    });

    it('gives null for the stat and NOT_FOUND for the get of unknown content', async () => {
      const unknown = digestsOf(randomBytes(16)).sha256;
      expect(await store.stat(unknown)).toBeNull();
      await expectDomainError(store.get(unknown), 'NOT_FOUND');
      await expectDomainError(store.get(unknown, { start: 0, end: 0 }), 'NOT_FOUND');
    });

    it('returns exactly the requested bytes of a range', async () => {
      const body = randomBytes(1_000);
      const { sha256 } = await store.put(streamOf(body, 100));
      const read = async (start: number, end: number): Promise<Buffer> => readAll(await store.get(sha256, { start, end }));
      expect(await read(0, 0)).toEqual(body.subarray(0, 1));
      expect(await read(999, 999)).toEqual(body.subarray(999, 1_000));
      expect(await read(100, 199)).toEqual(body.subarray(100, 200));
      expect(await read(0, 999)).toEqual(body);
    });

    it('deletes: true the first time, false after, and the content is gone', async () => {
      const { sha256 } = await store.put(streamOf(randomBytes(2_000)));
      expect(await store.delete(sha256)).toBe(true);
      expect(await store.delete(sha256)).toBe(false);
      expect(await store.stat(sha256)).toBeNull();
      await expectDomainError(store.get(sha256), 'NOT_FOUND');
      expect(await listAll(store)).toEqual([]);
    });

    it('lists every committed blob and no temporary data', async () => {
      const bodies = [randomBytes(10), randomBytes(2_000), randomBytes(30_000)];
      const stored = await Promise.all(bodies.map((b) => store.put(streamOf(b))));
      const pending = await leaveTemporary();
      const listed = await listAll(store);
      expect(listed.map(({ sha256, size }) => ({ sha256, size }))).toEqual(
        stored.map(({ sha256, size }) => ({ sha256, size })).sort((a, b) => a.sha256.localeCompare(b.sha256)),
      );
      for (const info of listed) expectDate(info.modifiedAt);
      await pending.settle();
    });

    it('cleans up leftovers of interrupted puts older than the given age', async () => {
      const kept = await store.put(streamOf(randomBytes(1_000)));
      const pending = await leaveTemporary();
      expect(await store.cleanTemporary(HOUR)).toBe(0);
      // A put that is still running can touch its entry a moment longer (buffered writes
      // landing), which keeps it "younger than 0 ms" for that moment: poll, don't sleep.
      let removed = 0;
      await waitFor('the leftover to be cleaned', async () => (removed = await store.cleanTemporary(0)) > 0);
      expect(removed).toBe(1);
      expect(await store.cleanTemporary(0)).toBe(0);
      await pending.settle();
      expect((await listAll(store)).map((b) => b.sha256)).toEqual([kept.sha256]);
      expect(await store.stat(kept.sha256)).toMatchObject({ size: 1_000 });
    });

    it('streams a 50 MiB body generated on the fly, intact', async () => {
      const size = 50 * MiB + 123;
      const body = largeBody(size);
      const expected = { sha256: createHash('sha256'), sha1: createHash('sha1'), md5: createHash('md5') };
      for await (const chunk of body.stream()) for (const h of Object.values(expected)) h.update(chunk as Buffer);
      const digests = await store.put(body.stream(), { maxBytes: size });
      expect(digests).toEqual({
        sha256: expected.sha256.digest('hex'),
        sha1: expected.sha1.digest('hex'),
        md5: expected.md5.digest('hex'),
        size,
      });
      expect(await store.stat(digests.sha256)).toMatchObject({ size });

      const readBack = createHash('sha256');
      for await (const chunk of await store.get(digests.sha256)) readBack.update(chunk as Buffer);
      expect(readBack.digest('hex')).toBe(digests.sha256);
      // across the 8 MiB boundary (an S3 part boundary) and at the very end
      for (const [start, end] of [
        [8 * MiB - 10, 8 * MiB + 10],
        [size - 100, size - 1],
      ] as const) {
        expect((await readAll(await store.get(digests.sha256, { start, end }))).equals(body.slice(start, end))).toBe(true);
      }
    });
  });
}
