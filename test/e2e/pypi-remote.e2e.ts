import { describeWith } from '../support/services.js';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import request from 'supertest';
import { binary } from '../support/http-helpers.js';
import { freePort } from '../support/npm-client.js';
import { distFiles, must, pythonClients, type PythonClients, pythonToolsAvailable } from '../support/pypi-client.js';
import { StaticPypiUpstream } from '../support/pypi-upstream.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const JSON_V1 = 'application/vnd.pypi.simple.v1+json';

/**
 * Remote (caching proxy) and virtual PyPI repositories with the real pip (fresh venv, no cache)
 * and twine: the upstream is a static PEP 503 tree over HTTP started by the test (HTML whatever is
 * asked), and Strata itself over HTTP for a PEP 691 JSON upstream with PEP 658 metadata.
 */
describeWith('twine and python3 build/venv', pythonToolsAvailable, 'remote and virtual PyPI repositories (static PEP 503 upstream, real pip and twine)', () => {
  let r: TestRegistry;
  let py: PythonClients;
  let base: string;
  const upstream = new StaticPypiUpstream();
  const dist: Record<string, string[]> = {};
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const events = async (type: string) =>
    ((await request(r.http).get('/api/v1/events?limit=2000').set(admin())).body.items as { type: string; data: Record<string, any> }[]).filter((e) => e.type === type && e.data.format === 'pypi');
  const get = (path: string) => request(r.http).get(path).set(admin()).buffer(true).parse(binary);
  const index = (repo: string) => `http://__token__:${r.token}@${base.slice('http://'.length)}/pypi/${repo}/simple/`;
  /** pip install in the test's venv with an empty cache, the projects uninstalled first */
  const install = async (repo: string, specs: string[]) => {
    await py.pip(['uninstall', '-y', ...specs.map((s) => s.split(/[=<>]/)[0])]);
    return py.pip(['install', '--index-url', index(repo), ...specs]);
  };
  const greeting = async (module: string) => must('python', await py.python(['-c', `import ${module}; print(${module}.GREETING)`])).trim();
  const wheel = (key: string) => basename(dist[key].find((f) => f.endsWith('.whl'))!);

  beforeAll(async () => {
    py = await pythonClients();
    dist['up-1.0.0'] = await distFiles(await py.build('up-hello', '1.0.0', { greeting: 'up 1.0' }));
    dist['up-1.1.0'] = await distFiles(await py.build('up-hello', '1.1.0', { greeting: 'up 1.1', requiresPython: '>=3.8' }));
    dist['secret-1.0.0'] = await distFiles(await py.build('corp-secret', '1.0.0', { greeting: 'the internal one' }));
    dist['secret-9.9.9'] = await distFiles(await py.build('corp-secret', '9.9.9', { greeting: 'IMPOSTOR' }));
    await upstream.start();
    await upstream.add('up-hello', dist['up-1.0.0']);
    await upstream.add('up-hello', dist['up-1.1.0'], '>=3.8');
    // the dependency-confusion bait: the internal project's name, a higher version, upstream
    await upstream.add('corp-secret', dist['secret-9.9.9']);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    r = await startTestRegistry({ STRATA_BASE_URL: base });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    const create = (body: Record<string, unknown>) => request(r.http).post('/api/v1/repositories').set(admin()).send({ format: 'pypi', ...body }).expect(201);
    await create({ name: 'pypi-up', type: 'remote', upstream: { url: upstream.url, allowPrivateNetwork: true, metadataMaxAgeSeconds: 0 } });
    await create({ name: 'py-corp' });
    await create({ name: 'py-all', type: 'virtual', members: ['py-corp', 'pypi-up'], publishTo: 'py-corp' });
    await create({ name: 'py-unguarded', type: 'virtual', members: ['py-corp', 'pypi-up'], confusionGuard: { enabled: false } });
    // a PEP 691 upstream: this Strata's own hosted repository, over HTTP, with a sealed Basic credential
    await create({ name: 'py-mirror', type: 'remote', upstream: { url: `${base}/pypi/py-corp/simple/`, allowPrivateNetwork: true, metadataMaxAgeSeconds: 0, auth: { type: 'basic', username: '__token__', password: r.token } } });
  }, 180_000);
  afterAll(async () => {
    await py?.close();
    await r?.stop();
    await upstream.stop();
  });

  it('pip install through the remote repository: the newest release, fetched once and recorded with the page\'s sha256', async () => {
    must('pip install (remote)', await install('pypi-up', ['up-hello']));
    expect(await greeting('up_hello')).toBe('up 1.1');
    const whl = wheel('up-1.1.0');
    const fetched = (await events('UpstreamFetched')).filter((e) => e.data.repository === 'pypi-up' && e.data.name === 'up-hello');
    const entry = fetched.find((e) => e.data.files[0].path === `up-hello/${whl}`);
    expect(entry?.data).toMatchObject({ version: '1.1.0', url: `${upstream.url.replace(/simple\/$/, '')}packages/${whl}`, files: [{ digest: `sha256:${sha256(upstream.bytesOf(whl))}` }] });
    // pip read the PEP 658 metadata first (the page advertises it), then the wheel: both recorded
    expect(fetched.some((e) => e.data.files[0].path === `up-hello/${whl}.metadata`)).toBe(true);
    expect((await get(`/pypi/pypi-up/files/up-hello/${whl}`).expect(200)).body).toEqual(upstream.bytesOf(whl));
    expect(upstream.hits(`/packages/${whl}`)).toBe(1);
  }, 120_000);

  it('serves the page in PEP 503 HTML and PEP 691 JSON, file URLs on Strata, recorded digests; other spellings redirect; the project list is the upstream\'s', async () => {
    const whl = wheel('up-1.1.0');
    const html = (await get('/pypi/pypi-up/simple/up-hello/').set('accept', 'text/html').expect(200)).body.toString();
    expect(html).toContain(`href="../../files/up-hello/${whl}#sha256=${sha256(upstream.bytesOf(whl))}" data-requires-python="&gt;=3.8"`);
    expect(html).not.toContain('/packages/');
    const json = await get('/pypi/pypi-up/simple/up-hello/').set('accept', JSON_V1).expect(200).expect('content-type', /^application\/vnd\.pypi\.simple\.v1\+json/);
    const doc = JSON.parse(json.body.toString());
    // the static upstream gives no sizes: API 1.0 (PEP 700's 1.1 needs every size), the fetched files with their recorded size
    expect(doc.meta).toEqual({ 'api-version': '1.0' });
    expect(doc.files.find((f: { filename: string }) => f.filename === whl)).toMatchObject({ url: `../../files/up-hello/${whl}`, hashes: { sha256: sha256(upstream.bytesOf(whl)) }, size: upstream.bytesOf(whl).length, 'requires-python': '>=3.8' });
    await get('/pypi/pypi-up/simple/up-hello/').set('accept', JSON_V1).set('if-none-match', json.headers.etag).expect(304);
    expect((await get('/pypi/pypi-up/simple/Up_Hello/').expect(301)).headers.location).toBe('/pypi/pypi-up/simple/up-hello/');
    expect(JSON.parse((await get('/pypi/pypi-up/simple/').set('accept', JSON_V1).expect(200)).body.toString()).projects).toEqual([{ name: 'corp-secret' }, { name: 'up-hello' }]);
    await get('/pypi/pypi-up/simple/nothing-here/').expect(404);
    // a static index has no JSON API
    await get('/pypi/pypi-up/pypi/up-hello/json').expect(404);
  });

  it('twine upload to the remote repository is refused (405) and nothing is recorded; twine upload to the virtual repository lands in its hosted member', async () => {
    const before = (await events('UpstreamFetched')).length;
    const refused = await py.twine(['upload', '--repository-url', `${base}/pypi/pypi-up/`, '-u', '__token__', '-p', r.token, '--non-interactive', '--disable-progress-bar', ...dist['secret-1.0.0']]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/405/);
    expect((await events('UpstreamFetched')).length).toBe(before);
    must('twine upload (virtual)', await py.twine(['upload', '--repository-url', `${base}/pypi/py-all/`, '-u', '__token__', '-p', r.token, '--non-interactive', '--disable-progress-bar', ...dist['secret-1.0.0']]));
    const published = (await events('ArtifactPublished')).filter((e) => e.data.name === 'corp-secret');
    expect(published.map((e) => e.data.repository)).toEqual(['py-corp']);
  }, 120_000);

  it('pip install through the virtual repository: the internal project from the hosted member, never the higher upstream version; public projects from the remote', async () => {
    must('pip install (virtual)', await install('py-all', ['corp-secret', 'up-hello==1.0.0']));
    expect(await greeting('corp_secret')).toBe('the internal one');
    expect(await greeting('up_hello')).toBe('up 1.0');
    const page = JSON.parse((await get('/pypi/py-all/simple/corp-secret/').set('accept', JSON_V1).expect(200)).body.toString());
    expect(page.versions).toEqual(['1.0.0']);
    expect(page.files.map((f: { url: string }) => f.url).every((u: string) => u.startsWith('../../files/corp-secret/'))).toBe(true);
    // the guard: the upstream was never even asked for the internal name
    expect(upstream.hits('/simple/corp-secret/')).toBe(0);
    expect(upstream.seen.filter((s) => s.includes('9.9.9'))).toEqual([]);
    // without the guard the pages are merged, and the attack works: 9.9.9 is what pip would pick
    const open = JSON.parse((await get('/pypi/py-unguarded/simple/corp-secret/').set('accept', JSON_V1).expect(200)).body.toString());
    expect(open.files.map((f: { filename: string }) => f.filename)).toEqual(expect.arrayContaining([wheel('secret-1.0.0'), wheel('secret-9.9.9')]));
    // the merged page of a public project lists the upstream's files on the virtual repository
    const merged = (await get('/pypi/py-all/simple/up-hello/').set('accept', 'text/html').expect(200)).body.toString();
    expect(merged).toContain(`href="../../files/up-hello/${wheel('up-1.0.0')}#sha256=`);
    // the project list is the union of the members'
    expect(JSON.parse((await get('/pypi/py-all/simple/').set('accept', JSON_V1).expect(200)).body.toString()).projects.map((p: { name: string }) => p.name)).toEqual(['corp-secret', 'up-hello']);
  }, 120_000);

  it('a caller sees only the members it may read; an unreadable hosted member still guards its names', async () => {
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'bob', password: 'correct horse battery staple' }).expect(201);
    for (const repo of ['py-all', 'pypi-up']) await request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id: 'bob' }, actions: ['read'] }).expect(201);
    const bob = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'bob', user: 'bob' }).expect(201)).body.token as string;
    const asked = upstream.hits('/simple/corp-secret/');
    await request(r.http).get('/pypi/py-all/simple/up-hello/').auth('__token__', bob).expect(200);
    // py-corp is not bob's to read: its project is not shown to him, and the upstream's impostor is not either
    await request(r.http).get('/pypi/py-all/simple/corp-secret/').auth('__token__', bob).expect(404);
    await request(r.http).get(`/pypi/py-all/files/corp-secret/${wheel('secret-9.9.9')}`).auth('__token__', bob).expect(404);
    await request(r.http).get(`/pypi/py-all/files/corp-secret/${wheel('secret-1.0.0')}`).auth('__token__', bob).expect(404);
    expect(upstream.hits('/simple/corp-secret/')).toBe(asked);
  });

  it('a PEP 691 JSON upstream (another Strata, with credentials): pip installs through it, PEP 658 metadata proxied, the JSON API proxied with URLs on the remote', async () => {
    must('pip install (JSON upstream)', await install('py-mirror', ['corp-secret']));
    expect(await greeting('corp_secret')).toBe('the internal one');
    const fetched = (await events('UpstreamFetched')).filter((e) => e.data.repository === 'py-mirror');
    const whl = wheel('secret-1.0.0');
    expect(fetched.map((e) => e.data.files[0].path)).toEqual(expect.arrayContaining([`corp-secret/${whl}.metadata`, `corp-secret/${whl}`]));
    expect(fetched.find((e) => e.data.files[0].path === `corp-secret/${whl}`)!.data.url).toBe(`${base}/pypi/py-corp/files/corp-secret/${whl}`);
    const api = JSON.parse((await get('/pypi/py-mirror/pypi/corp-secret/json').expect(200)).body.toString());
    expect(api.info.version).toBe('1.0.0');
    expect(api.urls.map((u: { url: string }) => u.url)).toContain(`${base}/pypi/py-mirror/files/corp-secret/${whl}`);
    // the credential is sealed: not in the repository's API answer, nor in any event
    const repo = JSON.stringify((await request(r.http).get('/api/v1/repositories/py-mirror').set(admin()).expect(200)).body);
    expect(repo).not.toContain(r.token);
    expect(JSON.stringify((await request(r.http).get('/api/v1/events?limit=2000').set(admin())).body)).not.toContain(r.token);
  }, 120_000);

  it('a mutated upstream wheel (same name, other bytes, other sha256 on the page) is detected; the recorded bytes keep being served', async () => {
    const whl = wheel('up-1.1.0');
    const original = upstream.bytesOf(whl);
    upstream.replace(whl, Buffer.concat([original, Buffer.from('trojan')]));
    expect((await get(`/pypi/pypi-up/files/up-hello/${whl}`).expect(200)).body).toEqual(original);
    expect((await get(`/pypi/py-all/files/up-hello/${whl}`).expect(200)).body).toEqual(original);
    const mismatches = (await events('UpstreamMismatchDetected')).filter((e) => e.data.path === `up-hello/${whl}`);
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0].data).toMatchObject({ repository: 'pypi-up', recordedDigest: `sha256:${sha256(original)}`, offeredDigest: `sha256:${sha256(upstream.bytesOf(whl))}`, name: 'up-hello', version: '1.1.0' });
    // the page keeps the recorded sha256, so pip verifies and installs what Strata serves
    expect((await get('/pypi/pypi-up/simple/up-hello/').set('accept', 'text/html').expect(200)).body.toString()).toContain(`${whl}#sha256=${sha256(original)}`);
    must('pip install (after the mutation)', await install('pypi-up', ['up-hello==1.1.0']));
    expect(await greeting('up_hello')).toBe('up 1.1');
    expect(upstream.hits(`/packages/${whl}`)).toBe(1);
  }, 120_000);

  it('with the upstream stopped, pip in a fresh venv still installs from the cache through the remote and the virtual repository', async () => {
    await upstream.stop();
    const fresh = await pythonClients();
    try {
      must('pip install (remote, upstream down)', await fresh.pip(['install', '--index-url', index('pypi-up'), 'up-hello==1.1.0']));
      expect(must('python', await fresh.python(['-c', 'import up_hello; print(up_hello.GREETING)'])).trim()).toBe('up 1.1');
      must('pip install (virtual, upstream down)', await fresh.pip(['install', '--index-url', index('py-all'), '--force-reinstall', 'up-hello==1.0.0', 'corp-secret']));
      expect(must('python', await fresh.python(['-c', 'import up_hello, corp_secret; print(up_hello.GREETING, "/", corp_secret.GREETING)'])).trim()).toBe('up 1.0 / the internal one');
    } finally {
      await fresh.close();
    }
    // a file never fetched cannot be had: the upstream's failure, not a wrong answer
    const sdist = basename(dist['up-1.0.0'].find((f) => f.endsWith('.tar.gz'))!);
    expect((await get(`/pypi/pypi-up/files/up-hello/${sdist}`)).status).toBe(502);
  }, 180_000);
});
