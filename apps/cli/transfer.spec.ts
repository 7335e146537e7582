import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { captureIo, startStub, type Stub, type StubHandler } from './stub-server.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('strata upload / download against a stub generic endpoint', () => {
  let dir: string;
  let stub: Stub;
  let handler: StubHandler;
  const content = randomBytes(300_000); // several chunks, so the body really streams
  const env = () => ({ STRATA_URL: stub.url, STRATA_TOKEN: 'sekret' });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-transfer-'));
    stub = await startStub((req) => handler(req));
  });
  afterAll(async () => {
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    stub.requests.length = 0;
  });

  it('strata upload streams the file with its sha256 and a Bearer token', async () => {
    const file = join(dir, 'big file.bin');
    await writeFile(file, content);
    handler = (req) => ({ status: 201, body: { repository: 'libs', path: 'a b/big file.bin', sha256: sha256(req.body), sha1: 'x', md5: 'y', size: req.body.length } });

    const io = captureIo(env());
    expect(await main(['upload', file, 'libs/a b/big file.bin'], io)).toBe(0);

    expect(stub.requests).toHaveLength(1);
    const [req] = stub.requests;
    expect(req!.method).toBe('PUT');
    expect(req!.path).toBe('/generic/libs/a%20b/big%20file.bin');
    expect(req!.headers.authorization).toBe('Bearer sekret');
    expect(req!.headers['x-checksum-sha256']).toBe(sha256(content));
    expect(req!.headers['content-length']).toBe(String(content.length));
    expect(req!.headers['transfer-encoding']).toBeUndefined();
    expect(req!.body.equals(content)).toBe(true);
    expect(io.out()).toBe(`uploaded ${file} to libs/a b/big file.bin (300 kB, sha256 ${sha256(content)})\n`);
    expect(io.err()).toBe(''); // stderr is not a terminal: no progress bar
  });

  it('a target ending in / keeps the file name; --json prints the server answer', async () => {
    const file = join(dir, 'x.tgz');
    await writeFile(file, 'tiny');
    const answer = { repository: 'libs', path: 'builds/x.tgz', sha256: sha256(Buffer.from('tiny')), sha1: 's', md5: 'm', size: 4 };
    handler = () => ({ status: 201, body: answer });
    const io = captureIo(env());
    expect(await main(['upload', file, 'libs/builds/', '--json'], io)).toBe(0);
    expect(stub.requests[0]!.path).toBe('/generic/libs/builds/x.tgz');
    expect(JSON.parse(io.out())).toEqual(answer);
  });

  it('shows a progress bar on a terminal', async () => {
    const file = join(dir, 'p.bin');
    await writeFile(file, content);
    handler = (req) => ({ status: 201, body: { repository: 'libs', path: 'p.bin', sha256: sha256(req.body), size: req.body.length } });
    const io = captureIo(env(), { tty: true });
    expect(await main(['upload', file, 'libs/p.bin'], io)).toBe(0);
    expect(io.err()).toContain('uploading p.bin [########################] 100%  300 kB / 300 kB');
  });

  it('prints the problem detail and exits 1 when the server refuses', async () => {
    const file = join(dir, 'dup.bin');
    await writeFile(file, 'again');
    handler = () => ({ status: 409, body: { type: 'about:blank', title: 'Already exists', status: 409, detail: 'libs/dup.bin exists and the repository does not allow redeploy' } });
    const io = captureIo(env());
    expect(await main(['upload', file, 'libs/dup.bin'], io)).toBe(1);
    expect(io.err()).toBe('strata: Already exists (HTTP 409): libs/dup.bin exists and the repository does not allow redeploy\n');
    expect(io.out()).toBe('');
  });

  it('refuses to upload a file that does not exist, without calling the server', async () => {
    const io = captureIo(env());
    expect(await main(['upload', join(dir, 'nope.bin'), 'libs/nope.bin'], io)).toBe(1);
    expect(io.err()).toContain('not a readable file');
    expect(stub.requests).toHaveLength(0);
  });

  it('strata download writes the exact bytes after checking the ETag', async () => {
    handler = () => ({ status: 200, headers: { etag: `"${sha256(content)}"`, 'content-type': 'application/octet-stream' }, body: content });
    const out = join(dir, 'down.bin');
    const io = captureIo(env());
    expect(await main(['download', 'libs/a b/big file.bin', out], io)).toBe(0);
    expect(stub.requests[0]).toMatchObject({ method: 'GET', path: '/generic/libs/a%20b/big%20file.bin' });
    expect(stub.requests[0]!.headers.authorization).toBe('Bearer sekret');
    expect((await readFile(out)).equals(content)).toBe(true);
    expect(io.out()).toContain(`sha256 ${sha256(content)} verified`);
  });

  it('downloads into a directory under the artifact name', async () => {
    const target = await mkdtemp(join(dir, 'into-'));
    handler = () => ({ status: 200, headers: { etag: `"${sha256(content)}"` }, body: content });
    expect(await main(['download', 'libs/deep/name.bin', target], captureIo(env()))).toBe(0);
    expect((await readFile(join(target, 'name.bin'))).equals(content)).toBe(true);
  });

  it('refuses bytes that do not match the ETag and leaves no file behind', async () => {
    const target = await mkdtemp(join(dir, 'mismatch-'));
    const out = join(target, 'bad.bin');
    handler = () => ({ status: 200, headers: { etag: `"${sha256(Buffer.from('something else'))}"` }, body: content });
    const io = captureIo(env());
    expect(await main(['download', 'libs/bad.bin', out], io)).toBe(1);
    expect(io.err()).toContain('checksum mismatch for libs/bad.bin');
    expect(await readdir(target)).toEqual([]);
  });

  it('exits 1 with the problem detail on 404 and writes nothing', async () => {
    const target = await mkdtemp(join(dir, 'missing-'));
    handler = () => ({ status: 404, body: { type: 'about:blank', title: 'Not found', status: 404, detail: 'libs/none.bin does not exist' } });
    const io = captureIo(env());
    expect(await main(['download', 'libs/none.bin', join(target, 'none.bin')], io)).toBe(1);
    expect(io.err()).toBe('strata: Not found (HTTP 404): libs/none.bin does not exist\n');
    expect(await readdir(target)).toEqual([]);
  });

  it('explains an upload refused before its body was read (connection closed mid-upload)', async () => {
    const other = sha256(Buffer.from('other'));
    const refusing = await startStub(
      (req) => ({ status: req.method === 'HEAD' ? 200 : 500, headers: { etag: `"${other}"` } }),
      (req, res) => {
        if (req.method !== 'PUT') return false;
        // what the registry does: answer at once, `Connection: close`, never read the body
        res.writeHead(409, { 'content-type': 'application/problem+json', connection: 'close' });
        res.end(JSON.stringify({ title: 'Already exists', status: 409, detail: 'libs/taken.bin already exists' }), () => req.socket.destroy());
        return true;
      },
    );
    try {
      const file = join(dir, 'taken.bin');
      await writeFile(file, randomBytes(8_000_000));
      const io = captureIo({ STRATA_URL: refusing.url });
      expect(await main(['upload', file, 'libs/taken.bin'], io)).toBe(1);
      // either fetch got the 409 itself, or the HEAD probe found the path taken
      expect(io.err()).toMatch(/already exists/);
      expect(io.err()).not.toContain('unexpected error');
    } finally {
      await refusing.close();
    }
  });

  it('a download cut off mid-body fails and leaves no file', async () => {
    const cutting = await startStub(
      () => ({ status: 500 }),
      (_req, res) => {
        res.writeHead(200, { etag: `"${sha256(content)}"`, 'content-length': String(content.length) });
        res.write(content.subarray(0, 1000), () => res.destroy());
        return true;
      },
    );
    try {
      const target = await mkdtemp(join(dir, 'cut-'));
      const io = captureIo({ STRATA_URL: cutting.url });
      expect(await main(['download', 'libs/cut.bin', join(target, 'cut.bin')], io)).toBe(1);
      expect(io.err()).toMatch(/^strata: download of libs\/cut.bin failed: .*nothing was written\n$/);
      expect(await readdir(target)).toEqual([]);
    } finally {
      await cutting.close();
    }
  });
});
