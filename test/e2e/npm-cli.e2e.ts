import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { consumerProject, freePort, npmClient, packageFixture, type NpmClient } from '../support/npm-client.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const PASSWORD = 'correct horse battery staple';

/** The real npm CLI (npm 11) against a hosted npm repository, one command at a time. */
describe('npm CLI against a hosted npm repository', () => {
  let r: TestRegistry;
  let base: string;
  let npm: NpmClient;
  let aliceToken: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const events = async () => (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items as { type: string; data: Record<string, unknown> }[];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    r = await startTestRegistry({ STRATA_BASE_URL: base });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'npm-local', format: 'npm' }).expect(201);
    for (const username of ['alice', 'bob']) await request(r.http).post('/api/v1/users').set(admin()).send({ username, password: PASSWORD }).expect(201);
    await request(r.http).post('/api/v1/repositories/npm-local/permissions').set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['write', 'delete'] }).expect(201);
    await request(r.http).post('/api/v1/repositories/npm-local/permissions').set(admin()).send({ subject: { type: 'user', id: 'bob' }, actions: ['read'] }).expect(201);
    aliceToken = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'alice-npm', user: 'alice' }).expect(201)).body.token;
    npm = await npmClient(`${base}/npm/npm-local/`);
    await npm.login(aliceToken);
  });
  afterAll(async () => {
    await npm?.close();
    await r?.stop();
  });

  it('npm whoami and npm ping', async () => {
    expect((await npm.ok(['whoami'])).trim()).toBe('alice');
    const ping = await npm.run(['ping']);
    expect(ping.code).toBe(0);
    expect(ping.stderr).toMatch(/PONG/);
  });

  it('npm login --auth-type=legacy and npm adduser --auth-type=legacy get a token for a user; a wrong password gets none', async () => {
    const fresh = await npmClient(npm.registry);
    try {
      const answers = (password: string): [RegExp, string][] => [[/Username: $/, 'alice'], [/Password: $/, password], [/Email.*: $/, 'alice@example.com']];
      const wrong = await fresh.interactive(['login', '--auth-type=legacy'], answers('wrong-password-1'));
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/401/);
      expect((await fresh.run(['whoami'])).code).not.toBe(0);
      const login = await fresh.interactive(['login', '--auth-type=legacy'], answers(PASSWORD));
      expect(login.code).toBe(0);
      expect(login.stdout).toMatch(/Logged in on/);
      expect((await fresh.ok(['whoami'])).trim()).toBe('alice');
      await fresh.login(undefined);
      expect((await fresh.interactive(['adduser', '--auth-type=legacy'], answers(PASSWORD))).code).toBe(0);
      expect((await fresh.ok(['whoami'])).trim()).toBe('alice');
      const issued = (await events()).filter((e) => e.type === 'TokenIssued' && e.data.name === 'npm login');
      expect(issued).toHaveLength(2);
    } finally {
      await fresh.close();
    }
  });

  it('npm publish (scoped and unscoped, --tag) then npm view sees versions, dist-tags and tarball URLs on STRATA_BASE_URL', async () => {
    await npm.ok(['publish', '--access', 'public'], { cwd: await packageFixture(npm.root, '@harness/hello', '1.0.0', 'hello 1') });
    await npm.ok(['publish'], { cwd: await packageFixture(npm.root, 'plain-hello', '1.0.0', 'plain 1') });
    await npm.ok(['publish'], { cwd: await packageFixture(npm.root, '@harness/hello', '1.1.0', 'hello 1.1') });
    await npm.ok(['publish', '--tag', 'beta'], { cwd: await packageFixture(npm.root, '@harness/hello', '2.0.0-beta.1', 'hello beta') });
    const view = JSON.parse(await npm.ok(['view', '@harness/hello', '--json']));
    expect(view.versions).toEqual(['1.0.0', '1.1.0', '2.0.0-beta.1']);
    expect(view['dist-tags']).toEqual({ latest: '1.1.0', beta: '2.0.0-beta.1' });
    expect(view.dist.tarball).toBe(`${base}/npm/npm-local/@harness/hello/-/hello-1.1.0.tgz`);
    expect(view.dist.integrity).toMatch(/^sha512-/);
    expect(view.maintainers).toEqual([{ name: 'alice', email: '' }]);
    const published = (await events()).filter((e) => e.type === 'ArtifactPublished').map((e) => `${e.data.name}@${e.data.version}`);
    expect(published).toEqual(['@harness/hello@1.0.0', 'plain-hello@1.0.0', '@harness/hello@1.1.0', '@harness/hello@2.0.0-beta.1']);
  });

  it('npm install in a fresh project (scoped + unscoped) and require()s them; npm ci reinstalls from the lockfile with matching integrity', async () => {
    const app = await consumerProject(npm.root, 'app');
    await npm.ok(['install', '@harness/hello@^1.0.0', 'plain-hello', '--no-audit'], { cwd: app });
    const out = execFileSync('node', ['-e', 'console.log(require("@harness/hello")(), "|", require("plain-hello")())'], { cwd: app }).toString().trim();
    expect(out).toBe('hello 1.1 | plain 1');
    const lock = JSON.parse(await readFile(join(app, 'package-lock.json'), 'utf8'));
    const view = JSON.parse(await npm.ok(['view', '@harness/hello@1.1.0', 'dist', '--json']));
    expect(lock.packages['node_modules/@harness/hello']).toMatchObject({ version: '1.1.0', integrity: view.integrity });
    await npm.ok(['ci', '--no-audit'], { cwd: app });
    expect(execFileSync('node', ['-e', 'console.log(require("plain-hello")())'], { cwd: app }).toString().trim()).toBe('plain 1');
  });

  it('npm dist-tag add, ls and rm', async () => {
    expect(await npm.ok(['dist-tag', 'add', '@harness/hello@1.0.0', 'stable'])).toMatch(/\+stable: @harness\/hello@1\.0\.0/);
    expect((await npm.ok(['dist-tag', 'ls', '@harness/hello'])).trim().split('\n')).toEqual(['beta: 2.0.0-beta.1', 'latest: 1.1.0', 'stable: 1.0.0']);
    await npm.ok(['dist-tag', 'rm', '@harness/hello', 'stable']);
    expect((await npm.ok(['dist-tag', 'ls', '@harness/hello'])).trim().split('\n')).toEqual(['beta: 2.0.0-beta.1', 'latest: 1.1.0']);
    const rmLatest = await npm.run(['dist-tag', 'rm', '@harness/hello', 'latest']);
    expect(rmLatest.code).not.toBe(0);
    expect(rmLatest.stderr).toMatch(/400/);
    expect((await events()).filter((e) => e.type.startsWith('Tag')).map((e) => `${e.type} ${e.data.tag}`)).toEqual(expect.arrayContaining(['TagSet stable', 'TagRemoved stable']));
  });

  it('npm deprecate and un-deprecate with an empty message', async () => {
    await npm.ok(['deprecate', '@harness/hello@1.0.0', 'use 1.1.0']);
    expect(JSON.parse(await npm.ok(['view', '@harness/hello@1.0.0', 'deprecated', '--json']))).toBe('use 1.1.0');
    const app = await consumerProject(npm.root, 'deprecated-app');
    const install = await npm.run(['install', '@harness/hello@1.0.0', '--no-audit'], { cwd: app });
    expect(install.code).toBe(0);
    expect(install.stderr).toMatch(/deprecated.*use 1\.1\.0/);
    await npm.ok(['deprecate', '@harness/hello@1.0.0', '']);
    expect(await npm.ok(['view', '@harness/hello@1.0.0', 'deprecated'])).toBe('');
    expect((await events()).filter((e) => e.type === 'ArtifactDeprecated').map((e) => e.data.message)).toEqual(['use 1.1.0', '']);
  });

  it('npm unpublish of a version moves latest to the highest remaining; republishing it is refused (403), as is any known version', async () => {
    await npm.ok(['unpublish', '@harness/hello@1.1.0']);
    const view = JSON.parse(await npm.ok(['view', '@harness/hello', '--json']));
    expect(view.versions).toEqual(['1.0.0', '2.0.0-beta.1']);
    expect(view['dist-tags']).toEqual({ latest: '2.0.0-beta.1', beta: '2.0.0-beta.1' });
    const again = await npm.run(['publish'], { cwd: await packageFixture(npm.root, '@harness/hello', '1.1.0', 'hello again') });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/403.*cannot publish over the previously published versions/i);
    const existing = await npm.run(['publish'], { cwd: await packageFixture(npm.root, '@harness/hello', '1.0.0', 'hello again') });
    // npm itself refuses a version the packument lists, before sending anything
    expect(existing.stderr).toMatch(/cannot publish over the previously published versions: 1\.0\.0/);
    expect((await events()).filter((e) => e.type === 'ArtifactDeleted').map((e) => e.data.version)).toEqual(['1.1.0']);
  });

  it('npm search finds packages by name, description and keywords, with npm\'s result shape', async () => {
    const found = JSON.parse(await npm.ok(['search', 'hello', '--json']));
    // the exact (unscoped part of the) name ranks first
    expect(found.map((p: { name: string }) => p.name)).toEqual(['@harness/hello', 'plain-hello']);
    expect(found[0]).toMatchObject({ name: '@harness/hello', version: '2.0.0-beta.1', keywords: ['strata', 'fixture'], publisher: { username: 'alice' }, maintainers: [{ username: 'alice' }] });
    expect(JSON.parse(await npm.ok(['search', 'keywords:nothing-like-this', '--json']))).toEqual([]);
  });

  it('npm owner ls, add and rm map to write grants on the package name', async () => {
    expect((await npm.ok(['owner', 'ls', 'plain-hello'])).trim()).toBe('alice <>');
    expect(await npm.ok(['owner', 'add', 'bob', 'plain-hello'])).toMatch(/\+ bob \(plain-hello\)/);
    expect((await npm.ok(['owner', 'ls', 'plain-hello'])).trim().split('\n')).toEqual(['alice <>', 'bob <>']);
    const grants = (await request(r.http).get('/api/v1/repositories/npm-local/permissions').set(admin()).expect(200)).body.items;
    expect(grants).toEqual(expect.arrayContaining([expect.objectContaining({ subject: { type: 'user', id: 'bob' }, actions: ['write'], pattern: 'plain-hello' })]));
    // bob may now publish plain-hello, and only that
    const bob = await npmClient(npm.registry);
    try {
      const bobToken = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'bob-npm', user: 'bob' }).expect(201)).body.token;
      await bob.login(bobToken);
      await bob.ok(['publish'], { cwd: await packageFixture(bob.root, 'plain-hello', '1.0.1', 'plain by bob') });
      expect((await bob.run(['publish'], { cwd: await packageFixture(bob.root, 'bobs-own', '1.0.0', 'nope') })).stderr).toMatch(/403/);
    } finally {
      await bob.close();
    }
    expect(await npm.ok(['owner', 'rm', 'bob', 'plain-hello'])).toMatch(/- bob \(plain-hello\)/);
    expect((await npm.ok(['owner', 'ls', 'plain-hello'])).trim()).toBe('alice <>');
    expect((await npm.run(['owner', 'add', 'nobody', 'plain-hello'])).stderr).toMatch(/404/);
  });

  it('npm token create, list and revoke (backed by Strata API tokens)', async () => {
    const created = JSON.parse(await npm.ok(['token', 'create', `--password=${PASSWORD}`, '--name=ci', '--json']));
    expect(created.token).toMatch(/^strata_/);
    await request(r.http).get('/npm/npm-local/-/whoami').set('authorization', `Bearer ${created.token}`).expect(200, { username: 'alice' });
    const listed = JSON.parse(await npm.ok(['token', 'list', '--json']));
    const mine = listed.find((t: { name: string }) => t.name === 'ci');
    expect(mine).toMatchObject({ key: expect.stringMatching(/^t_/), readonly: false });
    expect(await npm.ok(['token', 'revoke', mine.key])).toMatch(/Removed 1 token/);
    await request(r.http).get('/npm/npm-local/-/whoami').set('authorization', `Bearer ${created.token}`).expect(401);
    expect((await npm.run(['token', 'create', '--password=wrong-password', '--name=x'])).stderr).toMatch(/401/);
  });

  it('npm audit answers "no advisories" instead of failing', async () => {
    const app = join(npm.root, 'app');
    const audit = await npm.run(['audit'], { cwd: app });
    expect(audit.stdout).toMatch(/found 0 vulnerabilities/);
    expect(audit.code).toBe(0);
  });

  it('npm unpublish of a whole package removes every version and its tags; its versions stay burnt', async () => {
    await npm.ok(['unpublish', '@harness/hello', '--force']);
    const view = await npm.run(['view', '@harness/hello', '--json']);
    expect(view.code).not.toBe(0);
    expect(view.stdout + view.stderr).toMatch(/E404/);
    const again = await npm.run(['publish', '--tag', 'beta'], { cwd: await packageFixture(npm.root, '@harness/hello', '2.0.0-beta.1', 'beta again') });
    expect(again.stderr).toMatch(/403.*cannot publish over the previously published versions/i);
    await npm.ok(['publish'], { cwd: await packageFixture(npm.root, '@harness/hello', '3.0.0', 'hello 3') });
    expect(JSON.parse(await npm.ok(['view', '@harness/hello', 'dist-tags', '--json']))).toEqual({ latest: '3.0.0' });
  });

  it('the packuments are a projection: rebuilt from the log they come out identical', async () => {
    const verdict = await request(r.http).post('/api/v1/projections/npm-packages/verify').set(admin()).expect(200);
    expect(verdict.body).toMatchObject({ ok: true, missing: 0, extra: 0 });
    expect(verdict.body.rows).toBe(2);
  });
});
