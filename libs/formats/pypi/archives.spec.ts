import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { coreMetadata, sdistOf, tarGzOf, wheelOf, zipOf } from '../../../test/support/pypi-fixtures.js';
import type { ContentSource } from './archive-limits.js';
import { readSdist } from './sdist.js';
import { readWheel } from './wheel.js';

/** Stored content as the blob store serves it: ranged reads, counted. */
function sourceOf(bytes: Buffer): ContentSource & { reads: number } {
  const s = {
    size: bytes.length,
    reads: 0,
    read: async (range?: { start: number; end: number }) => {
      s.reads++;
      return Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]);
    },
  };
  return s;
}

const refusal = expect.objectContaining({ code: 'INVALID_PACKAGE' });

describe('reading wheels', () => {
  it('returns the exact METADATA bytes of the one .dist-info folder, in a few ranged reads', async () => {
    const metadata = coreMetadata('bars-hello', '1.0.0', { 'Requires-Python': '>=3.8' });
    const many = Array.from({ length: 300 }, (_, i) => ({ name: `bars_hello/m${i}.py`, data: `x = ${i}\n` }));
    const source = sourceOf(wheelOf('bars-hello', '1.0.0', { metadata, extra: many }).bytes);
    const wheel = await readWheel(source, 'bars-hello');
    expect(wheel.metadata.toString()).toBe(metadata);
    expect(wheel).toMatchObject({ distInfoName: 'bars_hello', distInfoVersion: '1.0.0' });
    expect(source.reads).toBeLessThan(6);
  });

  it.each([
    ['bytes that are not a zip', () => randomBytes(4000)],
    ['no .dist-info folder', () => zipOf([{ name: 'bars_hello/__init__.py', data: '' }])],
    ['two .dist-info folders', () => wheelOf('bars-hello', '1.0.0', { extra: [{ name: 'other-1.0.dist-info/METADATA', data: coreMetadata('other', '1.0') }] }).bytes],
    ['a .dist-info folder of another project', () => wheelOf('bars-hello', '1.0.0', { distInfo: 'other-1.0.0.dist-info' }).bytes],
    ['a .dist-info folder without METADATA', () => zipOf([{ name: 'bars_hello-1.0.dist-info/WHEEL', data: 'Wheel-Version: 1.0\n' }])],
    ['a member named ../evil.py', () => wheelOf('bars-hello', '1.0.0', { extra: [{ name: '../evil.py', data: 'x' }] }).bytes],
    ['a member named bars_hello/../../evil.py', () => wheelOf('bars-hello', '1.0.0', { extra: [{ name: 'bars_hello/../../evil.py', data: 'x' }] }).bytes],
    ['an absolute member name', () => wheelOf('bars-hello', '1.0.0', { extra: [{ name: '/etc/evil', data: 'x' }] }).bytes],
    ['a Windows drive member name', () => wheelOf('bars-hello', '1.0.0', { extra: [{ name: 'C:/evil', data: 'x' }] }).bytes],
    ['a member declaring 2 GiB (a zip bomb)', () => wheelOf('bars-hello', '1.0.0', { extra: [{ name: 'bars_hello/bomb.bin', data: Buffer.alloc(1000), declaredSize: 2 ** 31 }] }).bytes],
    ['a METADATA declared beyond the limit', () => zipOf([{ name: 'bars_hello-1.0.dist-info/METADATA', data: 'x', declaredSize: 64 * 1024 * 1024 }])],
    ['a METADATA inflating past its declared size', () => zipOf([{ name: 'bars_hello-1.0.dist-info/METADATA', data: Buffer.alloc(1024 * 1024, 0x41), declaredSize: 100 }])],
    ['a truncated archive', () => wheelOf('bars-hello', '1.0.0').bytes.subarray(0, 200)],
  ])('refuses %s', async (_what, make) => {
    await expect(readWheel(sourceOf(make()), 'bars-hello')).rejects.toThrow(refusal);
  });
});

describe('reading sdists', () => {
  it('returns PKG-INFO from the top-level folder', async () => {
    const { bytes } = await sdistOf('bars-hello', '1.0.0');
    const sdist = await readSdist(sourceOf(bytes));
    expect(sdist.topFolder).toBe('bars-hello-1.0.0');
    expect(sdist.metadata.toString()).toMatch(/^Metadata-Version: 2.1\nName: bars-hello\nVersion: 1.0.0\n/);
  });

  it('accepts links that stay inside the archive', async () => {
    const bytes = await tarGzOf({ 'p-1.0/PKG-INFO': coreMetadata('p', '1.0'), 'p-1.0/docs/readme': { type: 'symlink', linkname: '../PKG-INFO' }, 'p-1.0/copy': { type: 'link', linkname: 'p-1.0/PKG-INFO' } });
    await expect(readSdist(sourceOf(bytes))).resolves.toMatchObject({ topFolder: 'p-1.0' });
  });

  it.each([
    ['bytes that are not gzip', async () => randomBytes(3000)],
    ['gzip that is not tar', async () => (await import('node:zlib')).gzipSync(randomBytes(3000))],
    ['no PKG-INFO', async () => tarGzOf({ 'p-1.0/setup.py': '' })],
    ['PKG-INFO only deeper down', async () => tarGzOf({ 'p-1.0/sub/PKG-INFO': coreMetadata('p', '1.0') })],
    ['two top-level folders', async () => tarGzOf({ 'p-1.0/PKG-INFO': coreMetadata('p', '1.0'), 'q-1.0/x': '' })],
    ['a member named ../evil', async () => tarGzOf({ 'p-1.0/PKG-INFO': coreMetadata('p', '1.0'), '../evil': 'x' })],
    ['a member named p-1.0/../../evil', async () => tarGzOf({ 'p-1.0/PKG-INFO': coreMetadata('p', '1.0'), 'p-1.0/../../evil': 'x' })],
    ['an absolute member name', async () => tarGzOf({ 'p-1.0/PKG-INFO': coreMetadata('p', '1.0'), '/etc/evil': 'x' })],
    ['a symlink out of the archive', async () => tarGzOf({ 'p-1.0/PKG-INFO': coreMetadata('p', '1.0'), 'p-1.0/evil': { type: 'symlink', linkname: '../../etc/passwd' } })],
    ['an absolute symlink', async () => tarGzOf({ 'p-1.0/PKG-INFO': coreMetadata('p', '1.0'), 'p-1.0/evil': { type: 'symlink', linkname: '/etc/passwd' } })],
    ['a device', async () => tarGzOf({ 'p-1.0/PKG-INFO': coreMetadata('p', '1.0'), 'p-1.0/dev': { type: 'character-device' } })],
    ['a gzip bomb (80 MiB of zeros in ~80 KiB)', async () => tarGzOf({ 'p-1.0/PKG-INFO': coreMetadata('p', '1.0'), 'p-1.0/zeros': Buffer.alloc(80 * 1024 * 1024) })],
  ])('refuses %s', async (_what, make) => {
    await expect(readSdist(sourceOf(await make()))).rejects.toThrow(refusal);
  });
});
