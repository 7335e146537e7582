import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { holdLastChunk } from './hold-last-chunk.js';
import { SingleFlight } from './single-flight.js';

describe('SingleFlight', () => {
  it('runs the work once for concurrent callers of a key, and again after it settled', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const work = async () => {
      runs += 1;
      await gate;
      return runs;
    };
    const calls = Array.from({ length: 5 }, () => flight.run('k', work));
    expect(calls.map((c) => c.leader)).toEqual([true, false, false, false, false]);
    release();
    expect(await Promise.all(calls.map((c) => c.result))).toEqual([1, 1, 1, 1, 1]);
    expect(flight.size).toBe(0);
    expect(await flight.run('k', work).result).toBe(2);
  });
});

describe('holdLastChunk', () => {
  it('releases the last chunk when the verdict resolves', async () => {
    let accept!: () => void;
    const verdict = new Promise<void>((r) => (accept = r));
    const source = new PassThrough();
    const out = source.pipe(holdLastChunk(verdict));
    const seen: string[] = [];
    out.on('data', (c: Buffer) => seen.push(c.toString()));
    source.write('a');
    source.write('b');
    source.end('c');
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['a', 'b']);
    accept();
    await new Promise((r) => out.on('end', r));
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('fails the stream, without its last chunk, when the verdict rejects', async () => {
    const source = new PassThrough();
    const out = source.pipe(holdLastChunk(Promise.reject(new Error('digest mismatch'))));
    source.end('only');
    await expect(buffer(out)).rejects.toThrow('digest mismatch');
  });
});
