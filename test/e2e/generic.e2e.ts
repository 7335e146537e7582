import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import { binary, filesUnder } from '../support/http-helpers.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('generic format: PUT/GET/HEAD/DELETE, ranges, checksums, listing', () => {
  let r: TestRegistry;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const head = async () => Number((await request(r.http).get('/api/v1/events?limit=1').set(admin())).headers['x-strata-head-position']);
  const blobCount = async () => (await filesUnder(join(r.dataDir, 'blobs', 'sha256'))).length;

  beforeAll(async () => {
    r = await startTestRegistry();
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'files', format: 'generic' }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'public', format: 'generic', anonymousRead: true }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'mutable', format: 'generic', allowRedeploy: true }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'tiny', format: 'generic', maxUploadBytes: 1024 }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'proxy', format: 'generic', type: 'remote', upstream: { url: 'https://example.org/' } }).expect(201);
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('curl -T then GET returns the same bytes with ETag, length, checksums and Last-Modified', async () => {
    const body = randomBytes(300_000);
    const put = await request(r.http).put('/generic/files/releases/1.0/app.bin').set(admin()).set('content-type', 'application/octet-stream').send(body).expect(201);
    expect(put.body).toEqual({ repository: 'files', path: 'releases/1.0/app.bin', sha256: sha256(body), sha1: sha1(body), md5: md5(body), size: body.length, mediaType: 'application/octet-stream' });
    const get = await request(r.http).get('/generic/files/releases/1.0/app.bin').set(admin()).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(get.body as Buffer, body)).toBe(0);
    expect(get.headers).toMatchObject({
      etag: `"${sha256(body)}"`,
      'content-length': String(body.length),
      'x-checksum-sha256': sha256(body),
      'x-checksum-sha1': sha1(body),
      'x-checksum-md5': md5(body),
      'accept-ranges': 'bytes',
    });
    expect(new Date(get.headers['last-modified']).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const headRes = await request(r.http).head('/generic/files/releases/1.0/app.bin').set(admin()).expect(200);
    expect(headRes.headers['content-length']).toBe(String(body.length));
    await request(r.http).get('/generic/files/releases/1.0/app.bin').set(admin()).set('if-none-match', `"${sha256(body)}"`).expect(304);
  });

  it.each([
    ['bytes=0-9', 206, 0, 9],
    ['bytes=10-', 206, 10, 299_999],
    ['bytes=-5', 206, 299_995, 299_999],
    ['bytes=299999-400000', 206, 299_999, 299_999],
  ])('serves Range %s as %d', async (range, status, start, end) => {
    const res = await request(r.http).get('/generic/files/releases/1.0/app.bin').set(admin()).set('range', range).buffer(true).parse(binary).expect(status);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/300000`);
    expect((res.body as Buffer).length).toBe(end - start + 1);
  });

  it('answers an unsatisfiable range with 416 and Content-Range */size', async () => {
    const res = await request(r.http).get('/generic/files/releases/1.0/app.bin').set(admin()).set('range', 'bytes=300000-').expect(416);
    expect(res.headers['content-range']).toBe('bytes */300000');
  });

  it('refuses to overwrite an existing path (409) unless the repository allows redeploy', async () => {
    const before = await head();
    const res = await request(r.http).put('/generic/files/releases/1.0/app.bin').set(admin()).send(Buffer.from('other')).expect(409);
    expect(res.body.code).toBe('VERSION_EXISTS');
    expect(await head()).toBe(before);
    await request(r.http).put('/generic/mutable/a.txt').set(admin()).send(Buffer.from('one')).expect(201);
    await request(r.http).put('/generic/mutable/a.txt').set(admin()).send(Buffer.from('two')).expect(201);
    expect(((await request(r.http).get('/generic/mutable/a.txt').set(admin()).buffer(true).parse(binary)).body as Buffer).toString()).toBe('two');
  });

  it('exactly one of many concurrent PUTs to the same new path wins', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => request(r.http).put('/generic/files/race/x.bin').set(admin()).send(Buffer.from(`body-${i}`))));
    expect(results.map((x) => x.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const events = (await request(r.http).get('/api/v1/repositories/files/packages/race/x.bin/history').set(admin()).expect(200)).body.items;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['ArtifactPublished']);
  });

  it('refuses a declared digest that does not match: 400, no event, no blob', async () => {
    const before = await head();
    const blobs = await blobCount();
    const body = Buffer.from('payload');
    for (const [header, value] of [['x-checksum-sha256', 'a'.repeat(64)], ['x-checksum-sha1', 'b'.repeat(40)], ['x-checksum-md5', 'c'.repeat(32)]]) {
      const res = await request(r.http).put('/generic/files/bad/digest.bin').set(admin()).set(header, value).send(body).expect(400);
      expect(res.body.code).toBe('DIGEST_MISMATCH');
    }
    await request(r.http).put('/generic/files/bad/digest.bin').set(admin()).set('x-checksum-sha256', 'not-hex').send(body).expect(400);
    expect(await head()).toBe(before);
    expect(await blobCount()).toBe(blobs);
    expect(await filesUnder(join(r.dataDir, 'blobs', 'tmp'))).toEqual([]);
    await request(r.http).put('/generic/files/bad/digest.bin').set(admin()).set('x-checksum-sha256', sha256(body)).send(body).expect(201);
  });

  it('enforces the repository upload limit while streaming (413) and keeps nothing', async () => {
    const before = await head();
    await request(r.http).put('/generic/tiny/big.bin').set(admin()).send(randomBytes(2048)).expect(413);
    expect(await head()).toBe(before);
    expect(await filesUnder(join(r.dataDir, 'blobs', 'tmp'))).toEqual([]);
    await request(r.http).put('/generic/tiny/small.bin').set(admin()).send(randomBytes(1000)).expect(201);
  });

  it.each([
    ['dot-dot', '/generic/files/a/../etc/passwd'],
    ['encoded dot-dot', '/generic/files/a/%2e%2e/etc'],
    ['encoded slash', '/generic/files/a%2f..%2fb'],
    ['backslash', '/generic/files/a%5c..%5cb'],
    ['NUL', '/generic/files/a%00b'],
    ['over-long path', `/generic/files/${'x'.repeat(200)}/${'y/'.repeat(500)}z`],
    ['empty segment', '/generic/files/a//b'],
  ])('refuses a traversal or malformed path (%s) with 400 and changes nothing', async (_label, path) => {
    const before = await head();
    const res = await request(r.http).put(path).set(admin()).send(Buffer.from('x'));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_PATH');
    expect(await head()).toBe(before);
  });

  it.each([
    ['unknown repository', '/generic/nope/a.txt', 404, 'REPOSITORY_NOT_FOUND'],
    ['upload into a remote repository', '/generic/proxy/a.txt', 405, 'METHOD_NOT_ALLOWED'],
    ['upload to a folder path', '/generic/files/folder/', 400, 'INVALID_PATH'],
    ['a file under an existing file', '/generic/files/releases/1.0/app.bin/inner', 409, 'ALREADY_EXISTS'],
    ['a file where a folder is', '/generic/files/releases', 409, 'ALREADY_EXISTS'],
  ])('refuses %s', async (_label, path, status, code) => {
    const res = await request(r.http).put(path).set(admin()).send(Buffer.from('x')).expect(status);
    expect(res.body.code).toBe(code);
  });

  it('lists a folder as JSON', async () => {
    await request(r.http).put('/generic/files/docs/readme.md').set(admin()).set('content-type', 'text/markdown').send(Buffer.from('# hi')).expect(201);
    const root = await request(r.http).get('/generic/files/').set(admin()).expect(200);
    expect(root.body.children.map((c: { name: string; type: string }) => `${c.type}:${c.name}`)).toEqual(expect.arrayContaining(['folder:releases', 'folder:docs', 'folder:race']));
    const docs = await request(r.http).get('/generic/files/docs/').set(admin()).expect(200);
    expect(docs.body).toMatchObject({ repository: 'files', path: 'docs', children: [{ name: 'readme.md', type: 'file', size: 4, sha256: sha256(Buffer.from('# hi')) }] });
    expect((await request(r.http).get('/generic/files/docs/readme.md').set(admin())).headers['content-type']).toMatch(/^text\/markdown/);
    await request(r.http).get('/generic/files/nothing/here/').set(admin()).expect(404);
  });

  it('DELETE removes the file with an ArtifactDeleted event; GET is then 404; the path may be reused', async () => {
    await request(r.http).put('/generic/files/tmp/gone.txt').set(admin()).send(Buffer.from('bye')).expect(201);
    await request(r.http).delete('/generic/files/tmp/gone.txt').set(admin()).expect(204);
    await request(r.http).get('/generic/files/tmp/gone.txt').set(admin()).expect(404);
    await request(r.http).delete('/generic/files/tmp/gone.txt').set(admin()).expect(404);
    const history = (await request(r.http).get('/api/v1/repositories/files/packages/tmp/gone.txt/history').set(admin()).expect(200)).body.items;
    expect(history.map((e: { type: string }) => e.type)).toEqual(['ArtifactPublished', 'ArtifactDeleted']);
    await request(r.http).put('/generic/files/tmp/gone.txt').set(admin()).send(Buffer.from('back')).expect(201);
  });

  it('stores the same content once (content-addressed)', async () => {
    const body = randomBytes(5000);
    const before = await blobCount();
    await request(r.http).put('/generic/files/dedup/one.bin').set(admin()).send(body).expect(201);
    await request(r.http).put('/generic/files/dedup/two.bin').set(admin()).send(body).expect(201);
    expect(await blobCount()).toBe(before + 1);
  });

  describe('authorisation (generic routes and the admin API)', () => {
    const wrong = { authorization: 'Bearer strata_not_a_real_token_123456' };
    it.each([
      ['anonymous GET, private repo', 'get', '/generic/files/docs/readme.md', {}, 401],
      ['anonymous GET, public repo', 'get', '/generic/public/none.txt', {}, 404],
      ['anonymous PUT, public repo', 'put', '/generic/public/x.txt', {}, 401],
      ['anonymous DELETE, public repo', 'delete', '/generic/public/x.txt', {}, 401],
      ['wrong token GET, public repo', 'get', '/generic/public/none.txt', wrong, 401],
      ['wrong token PUT', 'put', '/generic/files/x.txt', wrong, 401],
      ['anonymous admin API', 'get', '/api/v1/users', {}, 401],
      ['wrong token admin API', 'post', '/api/v1/repositories', wrong, 401],
      ['anonymous event log', 'get', '/api/v1/events', {}, 401],
      ['anonymous gc', 'post', '/api/v1/gc', {}, 401],
    ] as const)('%s → %d', async (_label, method, path, headers, status) => {
      const res = await request(r.http)[method](path).set(headers as Record<string, string>).send(method === 'put' ? Buffer.from('x') : undefined);
      expect(res.status).toBe(status);
      if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^(Basic|Bearer) realm="strata"/);
    });

    it('accepts the token as the Basic password (curl -u user:token)', async () => {
      await request(r.http).get('/generic/files/docs/readme.md').auth('anyone', r.token).expect(200);
    });
  });

  it('counts generic bytes in and out in /metrics', async () => {
    const text = (await request(r.http).get('/metrics')).text;
    expect(Number(/strata_bytes_in_total\{format="generic"\} (\d+)/.exec(text)?.[1])).toBeGreaterThan(300_000);
    expect(Number(/strata_bytes_out_total\{format="generic"\} (\d+)/.exec(text)?.[1])).toBeGreaterThan(300_000);
  });
});
