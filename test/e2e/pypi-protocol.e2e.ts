import { createHash } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import { coreMetadata, digestsOf, multipartBody, sdistOf, tarGzOf, uploadFields, wheelOf, zipOf } from '../support/pypi-fixtures.js';
import { binary, filesUnder } from '../support/http-helpers.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const JSON_V1 = 'application/vnd.pypi.simple.v1+json';
const PIP_ACCEPT = `${JSON_V1}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01`;

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

type Dist = { filename: string; bytes: Buffer };

describe('PyPI repository protocol over HTTP: upload API, simple API, files, yank, bad input', () => {
  let r: TestRegistry;
  let alice: string;
  let reader: string;
  let team: string;
  let wheel: Dist;
  let sdist: Dist;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const head = async () => Number((await request(r.http).get('/api/v1/events?limit=1').set(admin())).headers['x-strata-head-position']);
  const blobCount = async () => (await filesUnder(join(r.dataDir, 'blobs', 'sha256'))).length;
  const events = async () => (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items as { type: string; data: Record<string, unknown> }[];
  const mintFor = async (user: string) => (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: `${user}-t`, user }).expect(201)).body.token as string;

  /** twine's request: the metadata fields, then the file as `content` (one POST per file) */
  function upload(repo: string, fields: Record<string, string>, dist: Dist, token = alice, path = `/pypi/${repo}/`, fileFirst = false) {
    const { body, contentType } = multipartBody(fields, dist, { fileFirst });
    return request(r.http).post(path).auth('__token__', token).set('content-type', contentType).send(body);
  }
  const uploadDist = async (repo: string, name: string, version: string, dist: Dist, token = alice) => upload(repo, await uploadFields(name, version, dist.filename, dist.bytes), dist, token);

  beforeAll(async () => {
    r = await startTestRegistry();
    for (const [name, extra] of [['py', {}], ['open', { anonymousRead: true }], ['tiny', { maxUploadBytes: 2048 }]] as const) {
      await request(r.http).post('/api/v1/repositories').set(admin()).send({ name, format: 'pypi', ...extra }).expect(201);
    }
    for (const username of ['alice', 'reader', 'team']) await request(r.http).post('/api/v1/users').set(admin()).send({ username, password: 'correct horse battery staple' }).expect(201);
    const grant = (repo: string, id: string, actions: string[], pattern?: string) =>
      request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id }, actions, ...(pattern ? { pattern } : {}) }).expect(201);
    await grant('py', 'alice', ['write', 'delete']);
    await grant('open', 'alice', ['write']);
    await grant('tiny', 'alice', ['write']);
    await grant('py', 'reader', ['read']);
    await grant('py', 'team', ['write'], 'team-*');
    [alice, reader, team] = await Promise.all(['alice', 'reader', 'team'].map(mintFor));
    wheel = wheelOf('Bars_Hello', '1.0.0', { metadata: coreMetadata('Bars_Hello', '1.0.0', { 'Requires-Python': '>=3.8' }) });
    sdist = await sdistOf('bars-hello', '1.0.0', { 'bars-hello-1.0.0/PKG-INFO': coreMetadata('Bars_Hello', '1.0.0', { 'Requires-Python': '>=3.8' }), 'bars-hello-1.0.0/setup.py': '' });
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('twine upload: an sdist, then a wheel of the same release (POST /pypi/<repo>/ and /legacy/), recorded as ArtifactPublished + ArtifactFilesAdded', async () => {
    const first = await uploadDist('py', 'Bars_Hello', '1.0.0', sdist);
    expect(first.status).toBe(200);
    const second = await upload('py', await uploadFields('bars-hello', '1.0.0', wheel.filename, wheel.bytes), wheel, alice, '/pypi/py/legacy/');
    expect(second.status).toBe(200);
    const mine = (await events()).filter((e) => e.data.format === 'pypi' && e.type.startsWith('Artifact'));
    expect(mine.map((e) => `${e.type} ${e.data.name} ${e.data.version}`)).toEqual(['ArtifactPublished bars-hello 1.0.0', 'ArtifactFilesAdded bars-hello 1.0.0']);
    expect((mine[1].data.files as { path: string }[]).map((f) => f.path)).toEqual([wheel.filename, `${wheel.filename}.metadata`]);
    expect(mine[1].data.metadata).toMatchObject({ files: { [wheel.filename]: { filetype: 'bdist_wheel', name: 'Bars_Hello', requiresPython: '>=3.8', blake2_256: (await digestsOf(wheel.bytes)).blake2_256_digest } } });
  });

  it('serves the project page as PEP 691 JSON to pip, with PEP 700 fields, PEP 658/714 metadata and an ETag', async () => {
    const res = await request(r.http).get('/pypi/py/simple/bars-hello/').set('accept', PIP_ACCEPT).auth('__token__', reader).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/vnd\.pypi\.simple\.v1\+json/);
    expect(res.headers.vary).toMatch(/Accept/);
    const page = JSON.parse(res.text);
    const whl = page.files.find((f: { filename: string }) => f.filename === wheel.filename);
    const sd = page.files.find((f: { filename: string }) => f.filename === sdist.filename);
    expect(page).toMatchObject({ meta: { 'api-version': '1.1' }, name: 'bars-hello', versions: ['1.0.0'] });
    expect(whl).toEqual({
      filename: wheel.filename,
      url: `../../files/bars-hello/${wheel.filename}`,
      hashes: { sha256: sha256(wheel.bytes) },
      'requires-python': '>=3.8',
      'core-metadata': { sha256: sha256(coreMetadata('Bars_Hello', '1.0.0', { 'Requires-Python': '>=3.8' })) },
      'dist-info-metadata': { sha256: expect.any(String) },
      size: wheel.bytes.length,
      'upload-time': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    });
    expect(sd).toMatchObject({ hashes: { sha256: sha256(sdist.bytes) }, size: sdist.bytes.length });
    expect(sd).not.toHaveProperty('core-metadata');
    await request(r.http).get('/pypi/py/simple/bars-hello/').set('accept', PIP_ACCEPT).set('if-none-match', res.headers.etag).auth('__token__', reader).expect(304);
  });

  it('serves PEP 503 HTML for text/html and by default, with sha256 fragments and data-* attributes', async () => {
    for (const accept of ['text/html', undefined]) {
      const req = request(r.http).get('/pypi/py/simple/bars-hello/').auth('__token__', reader);
      const res = await (accept ? req.set('accept', accept) : req).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<meta name="pypi:repository-version" content="1.1">');
      const meta = sha256(coreMetadata('Bars_Hello', '1.0.0', { 'Requires-Python': '>=3.8' }));
      expect(res.text).toContain(
        `<a href="../../files/bars-hello/${wheel.filename}#sha256=${sha256(wheel.bytes)}" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=${meta}" data-core-metadata="sha256=${meta}">${wheel.filename}</a>`,
      );
    }
    const html = await request(r.http).get('/pypi/py/simple/bars-hello/').set('accept', 'application/vnd.pypi.simple.v1+html').auth('__token__', reader).expect(200);
    expect(html.headers['content-type']).toMatch(/^application\/vnd\.pypi\.simple\.v1\+html/);
  });

  it('redirects non-normalised names and missing slashes to the normalised page (PEP 503)', async () => {
    for (const path of ['/pypi/py/simple/Bars_Hello/', '/pypi/py/simple/BARS.hello', '/pypi/py/simple/bars-hello']) {
      const res = await request(r.http).get(path).auth('__token__', reader).expect(301);
      expect(res.headers.location).toBe('/pypi/py/simple/bars-hello/');
    }
    expect((await request(r.http).get('/pypi/py/simple').auth('__token__', reader).expect(301)).headers.location).toBe('/pypi/py/simple/');
    await request(r.http).get('/pypi/py/simple/nothing-here/').auth('__token__', reader).expect(404);
  });

  it('serves the files and their core metadata (<file>.metadata) with the advertised hashes', async () => {
    const whl = await request(r.http).get(`/pypi/py/files/bars-hello/${wheel.filename}`).auth('__token__', reader).buffer(true).parse(binary).expect(200);
    expect(sha256(whl.body as Buffer)).toBe(sha256(wheel.bytes));
    expect(whl.headers.etag).toBe(`"${sha256(wheel.bytes)}"`);
    const meta = await request(r.http).get(`/pypi/py/files/bars-hello/${wheel.filename}.metadata`).auth('__token__', reader).expect(200);
    expect(meta.text).toBe(coreMetadata('Bars_Hello', '1.0.0', { 'Requires-Python': '>=3.8' }));
    await request(r.http).head(`/pypi/py/files/bars-hello/${sdist.filename}`).auth('__token__', reader).expect(200).expect('content-length', String(sdist.bytes.length));
    await request(r.http).get(`/pypi/py/files/bars-hello/${sdist.filename}.metadata`).auth('__token__', reader).expect(404);
    await request(r.http).get('/pypi/py/files/bars-hello/..%2f..%2fetc%2fpasswd').auth('__token__', reader).expect(400);
  });

  it('refuses a file name that exists (400 with the reason, as PyPI) but takes new files of the release', async () => {
    const before = { head: await head(), blobs: await blobCount() };
    const again = await uploadDist('py', 'bars-hello', '1.0.0', sdist);
    expect(again.status).toBe(400);
    expect((again as unknown as { res: { statusMessage: string } }).res.statusMessage).toMatch(/already exists/);
    expect(again.body).toMatchObject({ code: 'FILE_EXISTS', detail: expect.stringMatching(/already exists/) });
    expect({ head: await head(), blobs: await blobCount() }).toEqual(before);
    const build1 = { filename: 'bars_hello-1.0.0-1-py3-none-any.whl', bytes: wheelOf('bars-hello', '1.0.0').bytes };
    expect((await uploadDist('py', 'bars-hello', '1.0', build1)).status).toBe(200);
    const page = JSON.parse((await request(r.http).get('/pypi/py/simple/bars-hello/').set('accept', JSON_V1).auth('__token__', reader)).text);
    expect(page.versions).toEqual(['1.0.0']);
    expect(page.files).toHaveLength(3);
  });

  it('concurrent uploads: the wheel and sdist of a new release both land (one publishes, one joins); the same file twice lands once', async () => {
    const [w, sd] = [wheelOf('racer', '2.0'), await sdistOf('racer', '2.0')];
    const both = await Promise.all([uploadDist('py', 'racer', '2.0', w), uploadDist('py', 'racer', '2.0', sd)]);
    expect(both.map((res) => res.status)).toEqual([200, 200]);
    const racer = (await events()).filter((e) => e.data.name === 'racer' && e.type.startsWith('Artifact')).map((e) => e.type);
    expect(racer.sort()).toEqual(['ArtifactFilesAdded', 'ArtifactPublished']);
    const twin = wheelOf('racer', '2.1');
    const twice = await Promise.all([uploadDist('py', 'racer', '2.1', twin), uploadDist('py', 'racer', '2.1', twin)]);
    expect(twice.map((res) => res.status).sort()).toEqual([200, 400]);
  });

  it('lists projects at /simple/ in HTML and JSON, only those the caller may read', async () => {
    await uploadDist('py', 'team-tool', '0.1', wheelOf('team-tool', '0.1'), team).then((res) => expect(res.status).toBe(200));
    const html = await request(r.http).get('/pypi/py/simple/').auth('__token__', reader).expect(200);
    expect(html.text).toContain('<a href="bars-hello/">Bars_Hello</a>');
    const json = await request(r.http).get('/pypi/py/simple/').set('accept', JSON_V1).auth('__token__', reader).expect(200);
    expect(JSON.parse(json.text)).toEqual({ meta: { 'api-version': '1.1' }, projects: [{ name: 'Bars_Hello' }, { name: 'racer' }, { name: 'team-tool' }] });
    const teamView = JSON.parse((await request(r.http).get('/pypi/py/simple/?format=application/vnd.pypi.simple.v1%2Bjson').auth('__token__', team).expect(200)).text);
    expect(teamView.projects).toEqual([{ name: 'team-tool' }]);
  });

  it('asks for Basic credentials (401), refuses writers without the grant (403), allows anonymous reads where configured', async () => {
    const anon = await request(r.http).get('/pypi/py/simple/bars-hello/').expect(401);
    expect(anon.headers['www-authenticate']).toMatch(/^Basic realm="strata"/);
    expect((await uploadDist('py', 'bars-hello', '1.0.1', await sdistOf('bars-hello', '1.0.1'), reader)).status).toBe(403);
    expect((await uploadDist('py', 'other-tool', '1.0', wheelOf('other-tool', '1.0'), team)).status).toBe(403);
    expect((await uploadDist('py', 'x', '1.0', wheelOf('x', '1.0'), 'strata_not_a_token')).status).toBe(401);
    expect((await uploadDist('open', 'free', '1.0', wheelOf('free', '1.0'))).status).toBe(200);
    await request(r.http).get('/pypi/open/simple/free/').expect(200);
    await request(r.http).get(`/pypi/open/files/free/${wheelOf('free', '1.0').filename}`).expect(200);
  });

  it('yanks a release with a reason (PEP 592) with delete rights; the files stay listed and served; un-yank takes it back', async () => {
    await request(r.http).post('/pypi/py/bars-hello/1.0.0/yank').auth('__token__', team).send({ reason: 'x' }).expect(403);
    const yank = await request(r.http).post('/pypi/py/Bars_Hello/1.0/yank').auth('__token__', alice).send({ reason: 'broken <build>' }).expect(200);
    expect(yank.body).toEqual({ project: 'bars-hello', version: '1.0.0', yanked: true, reason: 'broken <build>' });
    const json = JSON.parse((await request(r.http).get('/pypi/py/simple/bars-hello/').set('accept', JSON_V1).auth('__token__', reader)).text);
    expect(json.files.every((f: { yanked?: string }) => f.yanked === 'broken <build>')).toBe(true);
    const html = (await request(r.http).get('/pypi/py/simple/bars-hello/').auth('__token__', reader)).text;
    expect(html).toContain('data-yanked="broken &lt;build&gt;"');
    await request(r.http).get(`/pypi/py/files/bars-hello/${wheel.filename}`).auth('__token__', reader).expect(200);
    await request(r.http).delete('/pypi/py/bars-hello/1.0.0/yank').auth('__token__', alice).expect(200);
    expect((await request(r.http).get('/pypi/py/simple/bars-hello/').auth('__token__', reader)).text).not.toContain('data-yanked');
    await request(r.http).post('/pypi/py/bars-hello/9.9/yank').auth('__token__', alice).expect(404);
    expect((await events()).filter((e) => e.type === 'ArtifactYanked').map((e) => e.data.yanked)).toEqual([true, false]);
  });

  it('deletes a release; its file names stay used (400 on re-upload), as on PyPI', async () => {
    const dist = wheelOf('gone', '1.0');
    expect((await uploadDist('py', 'gone', '1.0', dist)).status).toBe(200);
    await request(r.http).delete('/pypi/py/gone/1.0/').auth('__token__', team).expect(403);
    await request(r.http).delete('/pypi/py/gone/1.0/').auth('__token__', alice).expect(204);
    await request(r.http).get('/pypi/py/simple/gone/').auth('__token__', reader).expect(404);
    await request(r.http).get(`/pypi/py/files/gone/${dist.filename}`).auth('__token__', reader).expect(404);
    const again = await uploadDist('py', 'gone', '1.0', dist);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('FILE_EXISTS');
    expect((await uploadDist('py', 'gone', '1.0', await sdistOf('gone', '1.0'))).status).toBe(200);
  });

  it('serves PyPI\'s JSON API (/pypi/<project>/json, /pypi/<project>/<version>/json) from the stored state: info, urls, releases, digests, yanks', async () => {
    const rich = coreMetadata('Json_Api_Demo', '1.0', {
      'Requires-Python': '>=3.9', 'Requires-Dist': ['requests>=2', 'rich; extra == "fancy"'], 'Provides-Extra': 'fancy',
      Classifier: 'Programming Language :: Python :: 3', 'Project-URL': 'Source, https://example.com/src', License: 'MIT', 'Author-email': 'a@example.com',
    });
    const w10 = wheelOf('json_api_demo', '1.0', { metadata: rich });
    const dists: [string, Dist][] = [['1.0', w10], ['1.0', await sdistOf('json-api-demo', '1.0', { 'json-api-demo-1.0/PKG-INFO': rich })], ['1.1', wheelOf('json_api_demo', '1.1')], ['2.0b1', wheelOf('json_api_demo', '2.0b1')]];
    for (const [version, dist] of dists) expect((await uploadDist('py', 'Json_Api_Demo', version, dist)).status).toBe(200);
    await request(r.http).post('/pypi/py/json-api-demo/1.1/yank').auth('__token__', alice).send({ reason: 'oops' }).expect(200);

    const res = await request(r.http).get('/pypi/py/pypi/json-api-demo/json').auth('__token__', reader).expect(200).expect('content-type', /^application\/json/);
    const doc = res.body;
    expect(Object.keys(doc.releases)).toEqual(['1.0', '1.1', '2.0b1']);
    expect(doc.info).toMatchObject({
      name: 'Json_Api_Demo', version: '1.0', requires_python: '>=3.9', requires_dist: ['requests>=2', 'rich; extra == "fancy"'], provides_extra: ['fancy'],
      classifiers: ['Programming Language :: Python :: 3'], project_urls: { Source: 'https://example.com/src' }, license: 'MIT', summary: 'Json_Api_Demo for tests', yanked: false, author_email: '',
    });
    expect(doc.last_serial).toBe(await head());
    const wheelEntry = doc.urls.find((u: { packagetype: string }) => u.packagetype === 'bdist_wheel');
    const digests = await digestsOf(w10.bytes);
    expect(wheelEntry).toMatchObject({
      filename: w10.filename, size: w10.bytes.length, python_version: 'py3', requires_python: '>=3.9', yanked: false, md5_digest: digests.md5_digest,
      digests: { sha256: digests.sha256_digest, md5: digests.md5_digest, blake2b_256: digests.blake2_256_digest },
      url: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/pypi/py/files/json-api-demo/${w10.filename.replace(/\./g, '\\.')}$`)),
    });
    const download = await request(r.http).get(new URL(wheelEntry.url).pathname).auth('__token__', reader).buffer(true).parse(binary).expect(200);
    expect(sha256(download.body as Buffer)).toBe(digests.sha256_digest);
    expect(doc.releases['1.1'][0]).toMatchObject({ yanked: true, yanked_reason: 'oops' });
    // the document names absolute URLs, so its ETag follows the host it is asked from (supertest picks a new port each time)
    const asked = () => request(r.http).get('/pypi/py/pypi/json-api-demo/json').set('host', 'pypi.example').auth('__token__', reader);
    const etag = (await asked().expect(200)).headers.etag;
    await asked().set('if-none-match', etag).expect(304);

    const release = (await request(r.http).get('/pypi/py/pypi/json-api-demo/1.1/json').auth('__token__', reader).expect(200)).body;
    expect(release).not.toHaveProperty('releases');
    expect(release.info).toMatchObject({ version: '1.1', yanked: true, yanked_reason: 'oops' });
    expect((await request(r.http).get('/pypi/py/pypi/json-api-demo/1.0.0/json').auth('__token__', reader).expect(200)).body.urls).toHaveLength(2);
    expect((await request(r.http).get('/pypi/py/pypi/Json.Api_Demo/2.0b1/json').auth('__token__', reader).expect(301)).headers.location).toBe('/pypi/py/pypi/json-api-demo/2.0b1/json');
    await request(r.http).get('/pypi/py/pypi/json-api-demo/3.0/json').auth('__token__', reader).expect(404);
    await request(r.http).get('/pypi/py/pypi/nothing-here/json').auth('__token__', reader).expect(404);
    await request(r.http).get('/pypi/py/pypi/json-api-demo/json').expect(401);
    await request(r.http).get('/pypi/py/pypi/json-api-demo/json').auth('__token__', team).expect(403);
  });

  it('file downloads answer ranges and HEAD like any stored file (format-kit serveBlob)', async () => {
    const path = `/pypi/py/files/bars-hello/${wheel.filename}`;
    const part = await request(r.http).get(path).set('range', 'bytes=0-3').auth('__token__', reader).buffer(true).parse(binary).expect(206);
    expect(part.headers['content-range']).toBe(`bytes 0-3/${wheel.bytes.length}`);
    expect(Buffer.compare(part.body as Buffer, wheel.bytes.subarray(0, 4))).toBe(0);
    await request(r.http).get(path).set('range', `bytes=${wheel.bytes.length}-`).auth('__token__', reader).expect(416);
    await request(r.http).get(path).set('if-none-match', `"${sha256(wheel.bytes)}"`).auth('__token__', reader).expect(304);
  });

  describe('bad uploads: 4xx, no event; content refused while streaming is not even stored', () => {
    const name = 'bad-input';
    let good: Dist;
    beforeAll(() => {
      good = wheelOf(name, '1.0');
    });
    type Case = [string, () => Promise<{ fields: Record<string, string>; dist: Dist; repo?: string }>, number, 'not stored' | 'stored, unreferenced'];
    const form = async (dist: Dist, extra: Record<string, string> = {}, version = '1.0', project = name) => ({ fields: await uploadFields(project, version, dist.filename, dist.bytes, extra), dist });
    const cases: Case[] = [
      ['a wrong sha256_digest', async () => form(good, { sha256_digest: sha256('other') }), 400, 'not stored'],
      ['a wrong md5_digest', async () => form(good, { md5_digest: createHash('md5').update('x').digest('hex') }), 400, 'not stored'],
      ['a wrong blake2_256_digest', async () => form(good, { blake2_256_digest: sha256('other') }), 400, 'not stored'],
      ['no digest at all', async () => form(good, { md5_digest: '', sha256_digest: '', blake2_256_digest: '' }), 400, 'not stored'],
      ['a malformed digest', async () => form(good, { sha256_digest: 'xyz' }), 400, 'not stored'],
      ['no :action', async () => form(good, { ':action': '' }), 400, 'not stored'],
      ['another :action', async () => form(good, { ':action': 'submit' }), 400, 'not stored'],
      ['a file of another project than the form names', async () => form(wheelOf('someone-else', '1.0')), 400, 'not stored'],
      ['a file name with another version than the form', async () => form(good, {}, '2.0'), 400, 'not stored'],
      ['an invalid version', async () => form(good, { version: 'one' }), 400, 'not stored'],
      ['an invalid project name', async () => form(good, { name: '-bad-' }), 400, 'not stored'],
      ['a filetype that does not match the file', async () => form(good, { filetype: 'sdist' }), 400, 'not stored'],
      ['an egg', async () => form({ filename: `${name}-1.0-py3.11.egg`, bytes: good.bytes }, { filetype: 'bdist_egg' }), 400, 'not stored'],
      ['a path as file name', async () => form({ filename: `../${good.filename}`, bytes: good.bytes }), 400, 'not stored'],
      ['a file beyond maxUploadBytes', async () => ({ ...(await form(wheelOf(name, '1.0', { extra: [{ name: 'big.bin', data: createHash('sha512').update('x').digest(), stored: true }, { name: 'big2.bin', data: Buffer.alloc(4000, 1), stored: true }] }))), repo: 'tiny' }), 413, 'not stored'],
      ['a wheel that is not a zip', async () => form({ filename: good.filename, bytes: Buffer.from('not a zip at all, just text') }), 400, 'stored, unreferenced'],
      ['a wheel with a traversal member', async () => form(wheelOf(name, '1.0', { extra: [{ name: '../../evil.py', data: 'x' }] })), 400, 'stored, unreferenced'],
      ['a zip bomb', async () => form(wheelOf(name, '1.0', { extra: [{ name: 'bomb.bin', data: Buffer.alloc(10), declaredSize: 2 ** 31 }] })), 400, 'stored, unreferenced'],
      ['METADATA naming another project', async () => form(wheelOf(name, '1.0', { metadata: coreMetadata('other', '1.0') })), 400, 'stored, unreferenced'],
      ['METADATA with another version', async () => form(wheelOf(name, '1.0', { metadata: coreMetadata(name, '1.1') })), 400, 'stored, unreferenced'],
      ['METADATA without Metadata-Version', async () => form(wheelOf(name, '1.0', { metadata: 'Name: bad-input\nVersion: 1.0\n' })), 400, 'stored, unreferenced'],
      ['an sdist without PKG-INFO', async () => form({ filename: `${name}-1.0.tar.gz`, bytes: await tarGzOf({ [`${name}-1.0/setup.py`]: '' }) }), 400, 'stored, unreferenced'],
      ['an sdist with an absolute member', async () => form({ filename: `${name}-1.0.tar.gz`, bytes: await tarGzOf({ [`${name}-1.0/PKG-INFO`]: coreMetadata(name, '1.0'), '/etc/evil': 'x' }) }), 400, 'stored, unreferenced'],
      ['a wheel whose zip has no .dist-info', async () => form({ filename: good.filename, bytes: zipOf([{ name: 'bad_input/__init__.py', data: '' }]) }), 400, 'stored, unreferenced'],
    ];

    it.each(cases)('refuses %s', async (_what, make, status, stored) => {
      const { fields, dist, repo = 'py' } = await make();
      const before = { head: await head(), blobs: await blobCount() };
      const res = await upload(repo, fields, dist);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ status, detail: expect.any(String) });
      expect(await head()).toBe(before.head);
      if (stored === 'not stored') expect(await blobCount()).toBe(before.blobs);
    });

    it('refuses what is not a twine upload: no multipart, no content part, fields after the content', async () => {
      const before = await head();
      await request(r.http).post('/pypi/py/').auth('__token__', alice).set('content-type', 'application/json').send('{}').expect(400);
      let noContent = request(r.http).post('/pypi/py/').auth('__token__', alice);
      for (const [k, v] of Object.entries(await uploadFields(name, '1.0', good.filename, good.bytes))) noContent = noContent.field(k, v);
      expect((await noContent).status).toBe(400);
      const late = await upload('py', await uploadFields(name, '1.0', good.filename, good.bytes), good, alice, '/pypi/py/', true);
      expect(late.status).toBe(400);
      expect(late.body.detail).toMatch(/:action/);
      expect(await head()).toBe(before);
    });

    it('then accepts the good upload, and GC sees the refused content as unreferenced', async () => {
      expect((await uploadDist('py', name, '1.0', good)).status).toBe(200);
      const gc = (await request(r.http).post('/api/v1/gc?dryRun=true').set(admin()).expect(200)).body;
      expect(gc.kept.filter((k: { reason: string }) => /unreferenced/.test(k.reason)).length).toBeGreaterThanOrEqual(8);
    });
  });

  it('the simple pages are a projection: rebuilt from the log they come out identical, and blob references agree', async () => {
    for (const projection of ['pypi-projects', 'blob-references']) {
      const verdict = await request(r.http).post(`/api/v1/projections/${projection}/verify`).set(admin()).expect(200);
      expect(verdict.body).toMatchObject({ ok: true, missing: 0, extra: 0 });
    }
  });
});
