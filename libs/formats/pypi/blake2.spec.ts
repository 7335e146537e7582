import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blake2b } from 'hash-wasm';
import { blake2Check, hashesOnWorker } from './blake2.js';

/** Sends `parts` through blake2Check and collects what comes out. */
async function through(parts: Buffer[], expected?: string): Promise<{ out: Buffer; digest: string }> {
  const check = await blake2Check(Readable.from(parts), expected);
  const chunks: Buffer[] = [];
  await pipeline(check.stream, new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
  return { out: Buffer.concat(chunks), digest: check.digest() };
}

describe('BLAKE2b-256 of an upload, on a worker thread', () => {
  it('runs on the worker here (the inline fallback is for places where none can start)', () => {
    expect(hashesOnWorker()).toBe(true);
  });

  it('passes the bytes through unchanged and gives the digest hash-wasm gives, across batch boundaries', async () => {
    const parts = [randomBytes(10), randomBytes(1024 * 1024 + 7), randomBytes(3 * 1024 * 1024), Buffer.alloc(0), randomBytes(100)];
    const whole = Buffer.concat(parts);
    const { out, digest } = await through(parts);
    expect(Buffer.compare(out, whole)).toBe(0);
    expect(digest).toBe(await blake2b(whole, 256));
  });

  it('hashes concurrent bodies apart', async () => {
    const bodies = Array.from({ length: 5 }, (_, i) => randomBytes(300_000 * (i + 1)));
    const results = await Promise.all(bodies.map((b) => through([b.subarray(0, 1000), b.subarray(1000)])));
    expect(results.map((r) => r.digest)).toEqual(await Promise.all(bodies.map((b) => blake2b(b, 256))));
  });

  it('accepts the declared digest and fails the stream at its end on another (DIGEST_MISMATCH)', async () => {
    const body = randomBytes(2_000_000);
    await expect(through([body], await blake2b(body, 256))).resolves.toMatchObject({ digest: await blake2b(body, 256) });
    await expect(through([body], 'f'.repeat(64))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('an empty body has the empty digest', async () => {
    expect((await through([])).digest).toBe(await blake2b(Buffer.alloc(0), 256));
  });
});
