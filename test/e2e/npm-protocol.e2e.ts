import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { integrityOf, packageTarball, publishDocument, shasumOf, tarOf } from '../support/npm-fixtures.js';
import { binary, filesUnder } from '../support/http-helpers.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const PASSWORD = 'correct horse battery staple';
const ABBREVIATED = 'application/vnd.npm.install-v1+json';

describe('npm registry protocol over HTTP: documents, errors, access, bad input', () => {
  let r: TestRegistry;
  let alice: string;
  let reader: string;
  let teamDev: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const head = async () => Number((await request(r.http).get('/api/v1/events?limit=1').set(admin())).headers['x-strata-head-position']);
  const blobCount = async () => (await filesUnder(join(r.dataDir, 'blobs', 'sha256'))).length;
  const publish = async (repo: string, name: string, doc: unknown, token = alice) =>
    request(r.http).put(`/npm/${repo}/${name.replace('/', '%2f')}`).set(bearer(token)).set('content-type', 'application/json').send(JSON.stringify(doc));
  const mintFor = async (user: string) => (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: `${user}-t`, user }).expect(201)).body.token as string;

  beforeAll(async () => {
    r = await startTestRegistry({ STRATA_BASE_URL: 'https://registry.example.com/' });
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'js', format: 'npm' }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'open', format: 'npm', anonymousRead: true }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'tiny', format: 'npm', maxUploadBytes: 1024 }).expect(201);
    for (const username of ['alice', 'reader', 'team-dev']) await request(r.http).post('/api/v1/users').set(admin()).send({ username, password: PASSWORD }).expect(201);
    const grant = (repo: string, id: string, actions: string[], pattern?: string) =>
      request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id }, actions, ...(pattern ? { pattern } : {}) }).expect(201);
    await grant('js', 'alice', ['write', 'delete']);
    await grant('tiny', 'alice', ['write']);
    await grant('open', 'alice', ['write']);
    await grant('js', 'reader', ['read']);
    await grant('js', 'team-dev', ['write'], '@team/*');
    [alice, reader, teamDev] = await Promise.all(['alice', 'reader', 'team-dev'].map(mintFor));
    const t = await packageTarball('@acme/widget', '1.0.0', { dependencies: { 'left-pad': '^1.0.0' }, scripts: { postinstall: 'node x.js' }, bin: { widget: 'index.js' } }, { 'package/npm-shrinkwrap.json': '{}' });
    await publish('js', '@acme/widget', publishDocument('@acme/widget', '1.0.0', t, { manifest: { dependencies: { 'left-pad': '^1.0.0' }, scripts: { postinstall: 'node x.js' }, bin: { widget: 'index.js' }, keywords: ['ui'] } })).then((res) => expect(res.status).toBe(201));
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('serves the full packument like the public registry: _id, _rev, dist-tags, versions with dist, time, maintainers, readme', async () => {
    const res = await request(r.http).get('/npm/js/@acme%2fwidget').set(bearer(reader)).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = JSON.parse(res.text);
    expect(doc).toMatchObject({ _id: '@acme/widget', name: '@acme/widget', 'dist-tags': { latest: '1.0.0' }, readme: '# @acme/widget\n', description: '@acme/widget for tests', keywords: ['ui'], maintainers: [{ name: 'alice', email: '' }] });
    expect(doc._rev).toMatch(/^\d+-[0-9a-f]{32}$/);
    expect(Object.keys(doc.time)).toEqual(['created', 'modified', '1.0.0']);
    const v = doc.versions['1.0.0'];
    expect(v).toMatchObject({ name: '@acme/widget', version: '1.0.0', _id: '@acme/widget@1.0.0', _npmUser: { name: 'alice' }, _hasShrinkwrap: true, hasInstallScript: true, dependencies: { 'left-pad': '^1.0.0' } });
    expect(v).not.toHaveProperty('readme');
    expect(v.dist).toMatchObject({ tarball: 'https://registry.example.com/npm/js/@acme/widget/-/widget-1.0.0.tgz', integrity: expect.stringMatching(/^sha512-/), shasum: expect.stringMatching(/^[0-9a-f]{40}$/), fileCount: 3 });
    // the raw scoped form routes the same
    expect(JSON.parse((await request(r.http).get('/npm/js/@acme/widget').set(bearer(reader)).expect(200)).text)._rev).toBe(doc._rev);
  });

  it('serves the abbreviated document for Accept: application/vnd.npm.install-v1+json, with an ETag and 304', async () => {
    const res = await request(r.http).get('/npm/js/@acme%2fwidget').set(bearer(reader)).set('accept', `${ABBREVIATED}; q=1.0, application/json; q=0.8, */*`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/vnd\.npm\.install-v1\+json/);
    expect(res.headers.vary).toMatch(/Accept/);
    const doc = JSON.parse(res.text);
    expect(Object.keys(doc).sort()).toEqual(['dist-tags', 'modified', 'name', 'versions']);
    expect(Object.keys(doc.versions['1.0.0']).sort()).toEqual(['_hasShrinkwrap', 'bin', 'dependencies', 'dist', 'hasInstallScript', 'name', 'version']);
    await request(r.http).get('/npm/js/@acme%2fwidget').set(bearer(reader)).set('accept', ABBREVIATED).set('if-none-match', res.headers.etag).expect(304);
    const full = await request(r.http).get('/npm/js/@acme%2fwidget').set(bearer(reader)).expect(200);
    expect(full.headers.etag).not.toBe(res.headers.etag);
  });

  it('serves packuments gzip-encoded when the client accepts gzip (npm does), the same document as without', async () => {
    for (const accept of [ABBREVIATED, 'application/json']) {
      const plain = await request(r.http).get('/npm/js/@acme%2fwidget').set(bearer(reader)).set('accept', accept).set('accept-encoding', 'identity').expect(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      const zipped = await request(r.http).get('/npm/js/@acme%2fwidget').set(bearer(reader)).set('accept', accept).set('accept-encoding', 'gzip, deflate, br').expect(200);
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toBe('Accept, Accept-Encoding');
      expect(zipped.text).toBe(plain.text);
      expect(Number(zipped.headers['content-length'])).toBeLessThan(Buffer.byteLength(plain.text));
      expect(zipped.headers.etag).toBe(`W/${plain.headers.etag}`);
      await request(r.http).get('/npm/js/@acme%2fwidget').set(bearer(reader)).set('accept', accept).set('accept-encoding', 'gzip').set('if-none-match', zipped.headers.etag).expect(304);
    }
  });

  it('serves tarballs (scoped name raw or encoded), one version manifest, and 404s in npm\'s shape', async () => {
    const tgz = await request(r.http).get('/npm/js/@acme/widget/-/widget-1.0.0.tgz').set(bearer(reader)).buffer(true).parse(binary).expect(200);
    expect(tgz.headers['content-type']).toBe('application/octet-stream');
    const doc = JSON.parse((await request(r.http).get('/npm/js/@acme%2fwidget').set(bearer(reader))).text);
    expect(integrityOf(tgz.body as Buffer)).toBe(doc.versions['1.0.0'].dist.integrity);
    await request(r.http).get('/npm/js/@acme%2fwidget/-/widget-1.0.0.tgz').set(bearer(reader)).expect(200);
    await request(r.http).get('/npm/js/@acme/widget/-/widget-1.0.0.tgz').set(bearer(reader)).set('if-none-match', tgz.headers.etag).expect(304);
    expect((await request(r.http).get('/npm/js/@acme%2fwidget/latest').set(bearer(reader)).expect(200)).body).toMatchObject({ version: '1.0.0' });
    expect((await request(r.http).get('/npm/js/@acme/widget/-/widget-9.9.9.tgz').set(bearer(reader)).expect(404)).body).toEqual({ error: expect.any(String) });
    expect((await request(r.http).get('/npm/js/nothing-here').set(bearer(reader)).expect(404)).body).toEqual({ error: expect.any(String) });
    await request(r.http).get('/npm/nope/left-pad').set(bearer(reader)).expect(404);
  });

  it('asks for credentials with 401 + WWW-Authenticate, refuses with 403, accepts Basic (token as password) and anonymous reads where allowed', async () => {
    const anon = await request(r.http).get('/npm/js/@acme%2fwidget').expect(401);
    expect(anon.headers['www-authenticate']).toBe('Bearer realm="strata"');
    expect(anon.body).toEqual({ error: expect.any(String) });
    await request(r.http).get('/npm/js/@acme%2fwidget').auth('reader', reader).expect(200);
    await request(r.http).get('/npm/js/-/whoami').auth('reader', reader).expect(200, { username: 'reader' });
    await request(r.http).get('/npm/js/-/whoami').expect(401);
    const t = await packageTarball('plain', '1.0.0');
    expect((await publish('js', 'plain', publishDocument('plain', '1.0.0', t), reader)).status).toBe(403);
    await publish('open', 'free', publishDocument('free', '1.0.0', await packageTarball('free', '1.0.0'))).then((res) => expect(res.status).toBe(201));
    await request(r.http).get('/npm/open/free').expect(200);
    expect((await publish('open', 'free2', publishDocument('free2', '1.0.0', await packageTarball('free2', '1.0.0')), '')).status).toBe(401);
  });

  it('applies name-pattern grants: @team/* may publish @team packages only', async () => {
    const ok = await publish('js', '@team/lib', publishDocument('@team/lib', '1.0.0', await packageTarball('@team/lib', '1.0.0')), teamDev);
    expect(ok.status).toBe(201);
    const denied = await publish('js', '@other/lib', publishDocument('@other/lib', '1.0.0', await packageTarball('@other/lib', '1.0.0')), teamDev);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ error: expect.stringMatching(/not allowed to write/) });
  });

  it('a first publish with a tag other than latest sets latest too; later ones leave latest alone', async () => {
    expect((await publish('js', 'tagged', publishDocument('tagged', '1.0.0-rc.1', await packageTarball('tagged', '1.0.0-rc.1'), { tag: 'next' }))).status).toBe(201);
    expect((await publish('js', 'tagged', publishDocument('tagged', '1.0.0-rc.2', await packageTarball('tagged', '1.0.0-rc.2'), { tag: 'next' }))).status).toBe(201);
    const tags = (await request(r.http).get('/npm/js/-/package/tagged/dist-tags').set(bearer(reader)).expect(200)).body;
    expect(tags).toEqual({ latest: '1.0.0-rc.1', next: '1.0.0-rc.2' });
  });

  it('search lists only what the caller may read (pattern grants included)', async () => {
    // every fixture's description ends in "for tests"
    const names = async (token: string) => (await request(r.http).get('/npm/js/-/v1/search?text=tests&size=5').set(bearer(token)).expect(200)).body;
    const all = await names(reader);
    expect(all.objects.map((o: { package: { name: string } }) => o.package.name)).toEqual(['@acme/widget', '@team/lib', 'tagged']);
    expect(all).toMatchObject({ total: 3, time: expect.any(String) });
    expect(all.objects[0]).toMatchObject({ score: { final: expect.any(Number), detail: { quality: expect.any(Number), popularity: expect.any(Number), maintenance: expect.any(Number) } }, searchScore: expect.any(Number) });
    const team = await names(teamDev);
    expect(team.objects.map((o: { package: { name: string } }) => o.package.name)).toEqual(['@team/lib']);
    const page = (await request(r.http).get('/npm/js/-/v1/search?text=tests&size=1&from=1').set(bearer(reader)).expect(200)).body;
    expect(page).toMatchObject({ total: 3, objects: [{ package: { name: '@team/lib' } }] });
  });

  it('refuses a stale _rev with 409 and leaves the package as it was', async () => {
    const doc = JSON.parse((await request(r.http).get('/npm/js/@acme%2fwidget?write=true').set(bearer(alice))).text);
    doc.versions['1.0.0'].deprecated = 'old';
    const stale = await request(r.http).put('/npm/js/@acme%2fwidget').set(bearer(alice)).set('content-type', 'application/json').send(JSON.stringify({ ...doc, _rev: '1-00000000000000000000000000000000' }));
    expect(stale.status).toBe(409);
    expect(JSON.parse((await request(r.http).get('/npm/js/@acme%2fwidget').set(bearer(alice))).text).versions['1.0.0'].deprecated).toBeUndefined();
  });

  it('npm login (legacy couch flow, as npm-profile sends it): a token for the right password, 401 otherwise, never a new user', async () => {
    const body = (name: string, password: string) => ({ _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [], date: new Date().toISOString() });
    const ok = await request(r.http).put('/npm/js/-/user/org.couchdb.user:alice').set('content-type', 'application/json').send(body('alice', PASSWORD)).expect(201);
    expect(ok.body).toMatchObject({ ok: true, token: expect.stringMatching(/^strata_/) });
    await request(r.http).get('/npm/js/-/whoami').set(bearer(ok.body.token)).expect(200, { username: 'alice' });
    const wrong = await request(r.http).put('/npm/js/-/user/org.couchdb.user:alice').set('content-type', 'application/json').send(body('alice', 'wrong-password-1')).expect(401);
    expect(wrong.body).toEqual({ error: expect.any(String) });
    const unknown = await request(r.http).put('/npm/js/-/user/org.couchdb.user:mallory').set('content-type', 'application/json').send({ ...body('mallory', PASSWORD), email: 'm@example.com' }).expect(401);
    expect(unknown.body.error).toBe(wrong.body.error);
    await request(r.http).get('/npm/js/-/user/org.couchdb.user:mallory').set(bearer(alice)).expect(404);
    // npm sends along the stale token still in .npmrc: the login itself must still work
    const revoked = ok.body.token as string;
    const tokenId = (await request(r.http).get('/api/v1/tokens?user=alice').set(admin())).body.items.find((t: { name: string }) => t.name === 'npm login').tokenId;
    await request(r.http).delete(`/api/v1/tokens/${tokenId}`).set(admin()).expect(204);
    await request(r.http).get('/npm/js/-/whoami').set(bearer(revoked)).expect(401);
    const again = await request(r.http).put('/npm/js/-/user/org.couchdb.user:alice').set(bearer(revoked)).set('content-type', 'application/json').send(body('alice', PASSWORD)).expect(201);
    await request(r.http).get('/npm/js/-/whoami').set(bearer(again.body.token)).expect(200, { username: 'alice' });
  });

  describe('bad publishes: 4xx in npm\'s shape, nothing stored, no event', () => {
    const name = 'bad-input';
    const cases: [string, () => Promise<{ repo?: string; route?: string; body: string | Buffer }>, number][] = [
      ['corrupt base64', async () => doc((d) => (d._attachments[`${name}-1.0.0.tgz`].data = '!!!not base64!!!')), 400],
      ['a truncated attachment (length disagrees)', async () => doc((d) => (d._attachments[`${name}-1.0.0.tgz`].length += 1)), 400],
      ['mismatched integrity', async () => doc((d) => (d.versions['1.0.0'].dist.integrity = integrityOf(Buffer.from('other')))), 400],
      ['mismatched shasum', async () => doc((d) => (d.versions['1.0.0'].dist.shasum = shasumOf(Buffer.from('other')))), 400],
      ['no declared digest', async () => doc((d) => (d.versions['1.0.0'].dist = {})), 400],
      ['a tarball that is not gzip', async () => doc(undefined, Buffer.from('just some bytes, not an archive')), 400],
      ['gzip that is not tar', async () => doc(undefined, gzipSync(randomBytes(2000))), 400],
      ['a tarball without package/package.json', async () => doc(undefined, gzipSync(await tarOf({ 'package/index.js': '1' }))), 400],
      ['a package.json naming another package', async () => doc(undefined, await packageTarball('someone-else', '1.0.0')), 400],
      ['a package.json with another version', async () => doc(undefined, await packageTarball(name, '1.0.1')), 400],
      ['a name npm rejects (capitals)', async () => ({ route: 'Bad-Input', body: JSON.stringify(publishDocument('Bad-Input', '1.0.0', await packageTarball('Bad-Input', '1.0.0'))) }), 400],
      ['a name npm rejects (traversal)', async () => ({ route: '..%2f..%2fetc', body: JSON.stringify(publishDocument('../../etc', '1.0.0', await packageTarball('../../etc', '1.0.0'))) }), 400],
      ['a version that is not semver', async () => ({ body: JSON.stringify(publishDocument(name, '1.0', await packageTarball(name, '1.0'))) }), 400],
      ['a document naming another package than the URL', async () => doc((d) => (d.name = 'other-name')), 400],
      ['two attachments', async () => doc((d) => (d._attachments['x.tgz'] = d._attachments[`${name}-1.0.0.tgz`])), 400],
      ['an invalid dist-tag', async () => doc((d) => (d['dist-tags'] = { '1.x': '1.0.0' })), 400],
      ['a body that is not JSON', async () => ({ body: '{"name": "bad-input", ' }), 400],
      ['an oversized document', async () => ({ repo: 'tiny', body: JSON.stringify(publishDocument(name, '1.0.0', await packageTarball(name, '1.0.0', {}, { 'package/blob.txt': randomBytes(900_000).toString('base64') }))) }), 413],
      ['a tarball beyond the repository\'s maxUploadBytes', async () => ({ repo: 'tiny', body: JSON.stringify(publishDocument(name, '1.0.0', await packageTarball(name, '1.0.0', {}, { 'package/blob.txt': randomBytes(2000).toString('base64') }))) }), 413],
    ];
    let tarball: Buffer;
    async function doc(edit?: (d: Record<string, any>) => void, bytes?: Buffer) {
      const d = publishDocument(name, '1.0.0', bytes ?? tarball);
      edit?.(d);
      return { body: JSON.stringify(d) };
    }
    beforeAll(async () => {
      tarball = await packageTarball(name, '1.0.0');
    });

    it.each(cases)('refuses %s', async (_what, make, status) => {
      const { repo = 'js', route = name, body } = await make();
      const before = { head: await head(), blobs: await blobCount() };
      const res = await request(r.http).put(`/npm/${repo}/${route}`).set(bearer(alice)).set('content-type', 'application/json').send(body);
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error: expect.any(String) });
      expect({ head: await head(), blobs: await blobCount() }).toEqual(before);
    });

    it('then accepts the good document', async () => {
      expect((await publish('js', name, publishDocument(name, '1.0.0', tarball))).status).toBe(201);
      const again = await publish('js', name, publishDocument(name, '1.0.0', tarball));
      expect(again.status).toBe(403);
      expect(again.body.error).toMatch(/cannot publish over the previously published versions/);
    });
  });
});
