import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobStoreUnderTest } from './blob-store.contract.js';
import type { BlobStore } from './blob-store.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const streamOf = (b: Buffer) => Readable.from([b], { objectMode: false });

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** The StagedUploads part of the BlobStore contract (see blob-store.ts); fresh store per test. */
export function describeStagedUploadsContract(label: string, factory: () => Promise<BlobStoreUnderTest>): void {
  describe(`StagedUploads contract: ${label}`, () => {
    let subject: BlobStoreUnderTest;
    let store: BlobStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.store.close();
      await subject.cleanup();
    });

    it('appends chunks in order and commits them as one blob, leaving no upload behind', async () => {
      const parts = [randomBytes(70 * 1024), Buffer.alloc(0), randomBytes(3), randomBytes(200 * 1024)];
      const id = await store.createStaged();
      expect(await store.stagedSize(id)).toBe(0);
      let size = 0;
      for (const part of parts) {
        size += part.length;
        expect(await store.appendStaged(id, streamOf(part))).toBe(size);
      }
      expect(await store.stagedSize(id)).toBe(size);
      const whole = Buffer.concat(parts);
      const digests = await store.commitStaged(id, { expected: { sha256: sha256(whole) } });
      expect(digests).toMatchObject({ sha256: sha256(whole), size: whole.length });
      expect(await readAll(await store.get(digests.sha256))).toEqual(whole);
      expect(await store.stagedSize(id)).toBeNull();
      expect(await store.cleanTemporary(0)).toBe(0);
    });

    it('keeps the upload as it was when the commit does not match the declared digest', async () => {
      const id = await store.createStaged();
      await store.appendStaged(id, streamOf(Buffer.from('hello')));
      await expect(store.commitStaged(id, { expected: { sha256: sha256(Buffer.from('other')) } })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
      expect(await store.stat(sha256(Buffer.from('hello')))).toBeNull();
      expect(await store.stagedSize(id)).toBe(5);
      await store.abortStaged(id);
      expect(await store.stagedSize(id)).toBeNull();
    });

    it('refuses an append beyond maxBytes and keeps the size from before', async () => {
      const id = await store.createStaged();
      await store.appendStaged(id, streamOf(Buffer.alloc(10)));
      await expect(store.appendStaged(id, streamOf(Buffer.alloc(20)), { maxBytes: 25 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
      expect(await store.stagedSize(id)).toBe(10);
    });

    it('knows nothing of unknown or malformed ids', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', '../../etc/passwd', '']) {
        expect(await store.stagedSize(id)).toBeNull();
        await expect(store.appendStaged(id, streamOf(Buffer.from('x')))).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(store.commitStaged(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await store.abortStaged(id);
      }
    });

    it('survives a new store instance on the same storage (a restart)', async () => {
      const id = await store.createStaged();
      await store.appendStaged(id, streamOf(Buffer.from('abc')));
      expect(await store.stagedSize(id)).toBe(3);
      expect(await store.cleanTemporary(60_000)).toBe(0);
      expect(await store.stagedSize(id)).toBe(3);
      expect(await store.cleanTemporary(0)).toBeGreaterThan(0);
      expect(await store.stagedSize(id)).toBeNull();
    });
  });
}
