import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { Broadcast } from './broadcast.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('Broadcast', () => {
  it('gives every reader that joins while the start is kept the whole body', async () => {
    const source = new PassThrough();
    const cast = new Broadcast(source, 100);
    const first = cast.join()!;
    source.write('hello ');
    await tick();
    const second = cast.join()!;
    source.end('world');
    expect((await buffer(first)).toString()).toBe('hello world');
    expect((await buffer(second)).toString()).toBe('hello world');
    expect((await buffer(cast.join()!)).toString()).toBe('hello world');
  });

  it('refuses a late reader once more than replayBytes have passed, and keeps serving the others', async () => {
    const source = new PassThrough();
    const cast = new Broadcast(source, 4);
    const early = cast.join()!;
    source.write('12345678');
    await tick();
    expect(cast.join()).toBeNull();
    source.end('9');
    expect((await buffer(early)).toString()).toBe('123456789');
  });

  it('goes as fast as the slowest reader, and a reader that leaves releases the others', async () => {
    const source = new PassThrough();
    const cast = new Broadcast(source, 1 << 20);
    const slow = cast.join()!;
    const fast = cast.join()!;
    const got: number[] = [];
    fast.on('data', (c: Buffer) => got.push(c.length));
    for (let i = 0; i < 64; i++) source.write(Buffer.alloc(16 * 1024));
    await tick();
    expect(source.isPaused()).toBe(true);
    slow.destroy();
    await tick();
    source.end();
    await new Promise((r) => fast.on('end', r));
    expect(got.reduce((a, b) => a + b, 0)).toBe(64 * 16 * 1024);
  });

  it('passes a source error to every reader', async () => {
    const source = new PassThrough();
    const cast = new Broadcast(source, 100);
    const reader = cast.join()!;
    source.destroy(new Error('upstream reset'));
    await expect(buffer(reader)).rejects.toThrow('upstream reset');
  });
});
