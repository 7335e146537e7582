import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describeBlobStoreContract } from '../../ports/blob-store.contract.js';
import { describeStagedUploadsContract } from '../../ports/staged-uploads.contract.js';
import { FsBlobStore } from './fs-blob-store.js';

async function freshRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'strata-blobs-'));
}

// No `leaveTemporary`: temp files appear as soon as a put starts, so the contract exercises the
// real thing (a put whose body never ends).
describeBlobStoreContract('filesystem', async () => {
  const root = await freshRoot();
  return { store: new FsBlobStore({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describeStagedUploadsContract('filesystem', async () => {
  const root = await freshRoot();
  return { store: new FsBlobStore({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('FsBlobStore', () => {
  let root: string;
  let store: FsBlobStore;

  beforeEach(async () => {
    root = await freshRoot();
    store = new FsBlobStore({ root });
  });

  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lays blobs out as sha256/ab/cd/<hex> and leaves tmp/ empty', async () => {
    const { sha256 } = await store.put(Readable.from([Buffer.from('hello')], { objectMode: false }));
    expect((await stat(join(root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256))).size).toBe(5);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('keeps young temp files and removes old ones', async () => {
    await writeFile(join(root, 'tmp', 'young'), 'x');
    await writeFile(join(root, 'tmp', 'old'), 'x');
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(join(root, 'tmp', 'old'), longAgo, longAgo);
    expect(await store.cleanTemporary(60_000)).toBe(1);
    expect(await readdir(join(root, 'tmp'))).toEqual(['young']);
  });

  it('treats anything that is not a sha256 as unknown content (no path tricks)', async () => {
    await writeFile(join(root, 'secret'), 'x');
    expect(await store.stat('../../secret')).toBeNull();
    expect(await store.delete('../../secret')).toBe(false);
    await expect(store.get('../../secret')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await stat(join(root, 'secret'))).toBeTruthy();
  });

  it('finds content by an upper-case address', async () => {
    const { sha256 } = await store.put(Readable.from([Buffer.from('hello')], { objectMode: false }));
    expect(await store.stat(sha256.toUpperCase())).toMatchObject({ sha256, size: 5 });
  });

  it('ignores stray files in the blob folders when listing', async () => {
    const { sha256 } = await store.put(Readable.from([Buffer.from('hello')], { objectMode: false }));
    await writeFile(join(root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), 'stray.txt'), 'x');
    await writeFile(join(root, 'sha256', 'README'), 'x');
    const listed: string[] = [];
    for await (const info of store.list()) listed.push(info.sha256);
    expect(listed).toEqual([sha256]);
  });
});
