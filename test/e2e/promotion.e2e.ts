import { describeWith } from '../support/services.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { consumerProject, freePort, npmClient, packageFixture, type NpmClient } from '../support/npm-client.js';
import { distFiles, must, pythonClients, type PythonClients, pythonToolsAvailable } from '../support/pypi-client.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const PASSWORD = 'correct horse battery staple';

/**
 * Promotions (issue 8) proven with the real clients: npm publish into staging, promote, npm install
 * from release; twine upload into staging, promote, pip install from release. One ArtifactPromoted
 * event, no bytes copied; the target serves it through its own protocol at once.
 */
describeWith('twine and python3 build/venv', pythonToolsAvailable, 'promotions staging -> release, installed by the real npm and pip', () => {
  let r: TestRegistry;
  let base: string;
  let npm: NpmClient;
  let py: PythonClients;
  let aliceToken: string;
  let bobToken: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const events = async () => (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items as { type: string; data: Record<string, unknown> }[];
  const promote = (body: Record<string, unknown>, token = r.token) => request(r.http).post('/api/v1/promotions').set(as(token)).send(body);
  const grant = (repo: string, user: string, actions: string[]) =>
    request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id: user }, actions }).expect(201);

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    r = await startTestRegistry({ STRATA_BASE_URL: base });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    for (const [name, format] of [['npm-staging', 'npm'], ['npm-release', 'npm'], ['npm-other', 'npm'], ['py-staging', 'pypi'], ['py-release', 'pypi']]) {
      await request(r.http).post('/api/v1/repositories').set(admin()).send({ name, format }).expect(201);
    }
    await request(r.http).patch('/api/v1/repositories/npm-release').set(admin()).send({ promotion: { allowedSources: ['npm-staging'] } }).expect(200);
    for (const username of ['alice', 'bob']) await request(r.http).post('/api/v1/users').set(admin()).send({ username, password: PASSWORD }).expect(201);
    // alice publishes to staging and may promote into release; bob only reads
    for (const repo of ['npm-staging', 'py-staging', 'npm-other']) await grant(repo, 'alice', ['write', 'delete']);
    for (const repo of ['npm-release', 'py-release']) await grant(repo, 'alice', ['write']);
    for (const repo of ['npm-staging', 'npm-release', 'py-staging', 'py-release']) await grant(repo, 'bob', ['read']);
    aliceToken = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'alice', user: 'alice' }).expect(201)).body.token;
    bobToken = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'bob', user: 'bob' }).expect(201)).body.token;
    npm = await npmClient(`${base}/npm/npm-staging/`);
    await npm.login(aliceToken);
    py = await pythonClients();
  }, 120_000);
  afterAll(async () => {
    await npm?.close();
    await py?.close();
    await r?.stop();
  });

  it('npm publish to staging, promote to release, npm install from release installs the same bytes', async () => {
    await npm.ok(['publish'], { cwd: await packageFixture(npm.root, 'promo-pkg', '1.0.0', 'promoted 1') });
    const before = (await events()).length;
    const res = await promote({ from: 'npm-staging', to: 'npm-release', name: 'promo-pkg', version: '1.0.0' }, aliceToken).expect(201);
    expect(res.body).toMatchObject({ from: 'npm-staging', to: 'npm-release', format: 'npm', tags: ['latest'] });
    const added = (await events()).slice(before);
    expect(added.map((e) => e.type)).toEqual(['ArtifactPromoted', 'TagSet']);
    const staged = (await events()).find((e) => e.type === 'ArtifactPublished' && e.data.name === 'promo-pkg')!;
    expect(added[0].data).toMatchObject({ repository: 'npm-release', from: 'npm-staging', to: 'npm-release', version: '1.0.0', files: staged.data.files });

    const release = await npmClient(`${base}/npm/npm-release/`);
    try {
      await release.login(bobToken);
      const view = JSON.parse(await release.ok(['view', 'promo-pkg', '--json']));
      expect(view['dist-tags']).toEqual({ latest: '1.0.0' });
      expect(view.dist.tarball).toBe(`${base}/npm/npm-release/promo-pkg/-/promo-pkg-1.0.0.tgz`);
      const app = await consumerProject(release.root, 'app');
      await release.ok(['install', 'promo-pkg@1.0.0', '--no-audit'], { cwd: app });
      expect(await readFile(join(app, 'node_modules', 'promo-pkg', 'index.js'), 'utf8')).toContain('promoted 1');
    } finally {
      await release.close();
    }
    // blob references count the new reference: the promoted bytes are referenced twice
    const refs = await r.services.infra.sql.query<{ repository: string }>(
      `SELECT repository FROM rm_blob_references_v1 WHERE digest = $1 AND deleted_at IS NULL ORDER BY repository`,
      [(staged.data.files as { digest: string }[])[0].digest],
    );
    expect(refs.rows.map((x) => x.repository)).toEqual(['npm-release', 'npm-staging']);
  });

  it('refuses a duplicate (409), a source the rules do not allow, a missing version, and callers without rights', async () => {
    const dup = await promote({ from: 'npm-staging', to: 'npm-release', name: 'promo-pkg', version: '1.0.0' }).expect(409);
    expect(dup.body).toMatchObject({ code: 'VERSION_EXISTS' });
    expect(dup.headers['content-type']).toMatch(/application\/problem\+json/);

    const other = await npmClient(`${base}/npm/npm-other/`);
    try {
      await other.login(aliceToken);
      await other.ok(['publish'], { cwd: await packageFixture(other.root, 'promo-pkg', '2.0.0', 'from elsewhere') });
    } finally {
      await other.close();
    }
    const ruled = await promote({ from: 'npm-other', to: 'npm-release', name: 'promo-pkg', version: '2.0.0' }).expect(403);
    expect(ruled.body.detail).toMatch(/only promotions from npm-staging/);
    await promote({ from: 'npm-staging', to: 'npm-release', name: 'promo-pkg', version: '9.9.9' }).expect(404);
    await promote({ from: 'npm-staging', to: 'py-release', name: 'promo-pkg', version: '1.0.0' }).expect(400);

    await npm.ok(['publish'], { cwd: await packageFixture(npm.root, 'promo-pkg', '1.1.0', 'promoted 1.1') });
    const before = (await events()).length;
    // bob reads both but may not write to release; no credentials at all is a 401
    await promote({ from: 'npm-staging', to: 'npm-release', name: 'promo-pkg', version: '1.1.0' }, bobToken).expect(403);
    await request(r.http).post('/api/v1/promotions').send({ from: 'npm-staging', to: 'npm-release', name: 'promo-pkg', version: '1.1.0' }).expect(401);
    await promote({ from: 'npm-staging', to: 'npm-release', name: 'promo-pkg' }).expect(400);
    expect((await events()).length).toBe(before); // refused promotions change nothing
  });

  it('rules can require a tag on the source version (a passing check)', async () => {
    await request(r.http).patch('/api/v1/repositories/npm-release').set(admin()).send({ promotion: { allowedSources: ['npm-staging'], requiredTags: ['qa-passed'] } }).expect(200);
    const refused = await promote({ from: 'npm-staging', to: 'npm-release', name: 'promo-pkg', version: '1.1.0' }).expect(403);
    expect(refused.body.detail).toMatch(/qa-passed/);
    await npm.ok(['dist-tag', 'add', 'promo-pkg@1.1.0', 'qa-passed']);
    const ok = await promote({ from: 'npm-staging', to: 'npm-release', name: 'promo-pkg', version: '1.1.0', tags: ['latest'] }).expect(201);
    expect(ok.body.tags).toEqual(['latest']);
    await request(r.http).patch('/api/v1/repositories/npm-release').set(admin()).send({ promotion: null }).expect(200);
    expect((await request(r.http).get('/api/v1/repositories/npm-release').set(admin())).body.config).not.toHaveProperty('promotion');
    const release = await npmClient(`${base}/npm/npm-release/`);
    try {
      await release.login(bobToken);
      const view = JSON.parse(await release.ok(['view', 'promo-pkg', '--json']));
      expect(view.versions).toEqual(['1.0.0', '1.1.0']);
      expect(view['dist-tags'].latest).toBe('1.1.0');
    } finally {
      await release.close();
    }
  });

  it('twine upload to staging (sdist + wheel), promote, pip install from release', async () => {
    const dist = await py.build('promo_py', '1.0.0', { greeting: 'promoted py' });
    must('twine upload', await py.twine(['upload', '--repository-url', `${base}/pypi/py-staging/`, '-u', '__token__', '-p', aliceToken, '--non-interactive', '--disable-progress-bar', ...(await distFiles(dist))]));
    await promote({ from: 'py-staging', to: 'py-release', name: 'promo-py', version: '1.0.0' }, aliceToken).expect(201);
    const simple = await request(r.http).get('/pypi/py-release/simple/promo-py/').set(as(bobToken)).set('accept', 'application/vnd.pypi.simple.v1+json').expect(200);
    expect(simple.body.files.map((f: { filename: string }) => f.filename).sort()).toEqual(['promo_py-1.0.0-py3-none-any.whl', 'promo_py-1.0.0.tar.gz']);
    const index = `http://__token__:${bobToken}@${base.slice('http://'.length)}/pypi/py-release/simple/`;
    must('pip install', await py.pip(['install', '--index-url', index, 'promo-py==1.0.0']));
    expect(must('python', await py.python(['-c', 'import promo_py; print(promo_py.GREETING)'])).trim()).toBe('promoted py');
  }, 120_000);

  it('the history of both repositories shows the promotion, out of staging and into release', async () => {
    const into = await request(r.http).get('/api/v1/repositories/npm-release/packages/promo-pkg/history?type=ArtifactPromoted').set(admin()).expect(200);
    expect(into.body.items.map((e: { direction: string; data: { version: string } }) => `${e.direction} ${e.data.version}`)).toEqual(['in 1.0.0', 'in 1.1.0']);
    const out = await request(r.http).get('/api/v1/repositories/npm-staging/history?type=ArtifactPromoted&actor=alice').set(admin()).expect(200);
    expect(out.body.items.map((e: { direction: string; metadata: { actor: string } }) => `${e.direction} ${e.metadata.actor}`)).toEqual(['out alice']);
  });
});
