import { createHash, randomBytes } from 'node:crypto';
import { blake2b } from 'hash-wasm';
import { SideHashes, sideHashesOnWorker } from './side-hashes.js';

describe('side hashes (sha1 and md5 on a worker thread)', () => {
  it('gives the same digests as hashing inline, across batch boundaries', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    const side = new SideHashes();
    side.update(data.subarray(0, 2_000_000));
    side.update(data.subarray(2_000_000));
    expect(await side.digests()).toMatchObject({
      sha1: createHash('sha1').update(data).digest('hex'),
      md5: createHash('md5').update(data).digest('hex'),
    });
  });

  it('adds sha512 only when asked (Maven serves .sha512 for every file)', async () => {
    const data = Buffer.alloc(2 * 1024 * 1024 + 3, 9);
    const side = new SideHashes({ sha512: true });
    side.update(data);
    expect(await side.digests()).toEqual({
      sha1: createHash('sha1').update(data).digest('hex'),
      md5: createHash('md5').update(data).digest('hex'),
      sha512: createHash('sha512').update(data).digest('hex'),
    });
    const plain = new SideHashes();
    plain.update(data);
    expect((await plain.digests()).sha512).toBeUndefined();
  });

  it('runs on the worker here (the inline fallback is for places where none can start)', () => {
    expect(sideHashesOnWorker()).toBe(true);
  });

  it('adds BLAKE2b-256 when asked (PyPI), the digest hash-wasm gives, across batch boundaries', async () => {
    const parts = [randomBytes(10), randomBytes(1024 * 1024 + 7), randomBytes(3 * 1024 * 1024), Buffer.alloc(0), randomBytes(100)];
    const whole = Buffer.concat(parts);
    const side = new SideHashes({ blake2b256: true });
    for (const p of parts) side.update(p);
    expect((await side.digests()).blake2b256).toBe(await blake2b(whole, 256));
    const plain = new SideHashes();
    plain.update(whole);
    expect((await plain.digests()).blake2b256).toBeUndefined();
  });

  it('hashes concurrent bodies apart', async () => {
    const bodies = Array.from({ length: 5 }, (_, i) => randomBytes(300_000 * (i + 1)));
    const results = await Promise.all(
      bodies.map((b) => {
        const side = new SideHashes({ blake2b256: true });
        side.update(b.subarray(0, 1000));
        side.update(b.subarray(1000));
        return side.digests();
      }),
    );
    expect(results.map((r) => r.blake2b256)).toEqual(await Promise.all(bodies.map((b) => blake2b(b, 256))));
  });

  it('an empty body has the empty digests', async () => {
    expect((await new SideHashes({ blake2b256: true }).digests()).blake2b256).toBe(await blake2b(Buffer.alloc(0), 256));
  });
});
