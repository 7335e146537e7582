import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { binary } from '../support/http-helpers.js';
import { consumerProject, freePort, npmClient, packageFixture, type NpmClient } from '../support/npm-client.js';
import { describeWith } from '../support/services.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';
import { startVerdaccio, verdaccioAvailable, type Verdaccio } from '../support/verdaccio.js';

type Lock = { packages: Record<string, { version: string; resolved: string; integrity: string }> };

/**
 * The real npm CLI through a remote npm repository whose upstream is a real Verdaccio 6.8.0
 * (reads need its token: the sealed upstream credential), and through a virtual repository over a
 * hosted repository and that remote.
 */
describeWith('Verdaccio 6.8.0 in .tmp/verdaccio (installed by .ci/run)', verdaccioAvailable, 'npm remote and virtual repositories (upstream: Verdaccio)', () => {
  let r: TestRegistry;
  let base: string;
  let v: Verdaccio;
  let publisher: NpmClient;
  let token: string;
  const clients: NpmClient[] = [];
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const events = async (type: string) =>
    ((await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items as { type: string; data: Record<string, any> }[]).filter((e) => e.type === type);
  /** a fresh npm (empty cache) logged in to a Strata repository */
  const npmFor = async (repo: string) => {
    const npm = await npmClient(`${base}/npm/${repo}/`);
    await npm.login(token);
    clients.push(npm);
    return npm;
  };
  /** `npm install <specs>` in a new project through `repo`, from an empty cache; the lockfile it wrote */
  const install = async (repo: string, specs: string[]) => {
    const npm = await npmFor(repo);
    const project = await consumerProject(npm.root, 'app');
    await npm.ok(['install', '--no-audit', '--no-fund', ...specs], { cwd: project });
    return { npm, project, lock: JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as Lock };
  };
  const sha = (algo: string, b: Buffer) => createHash(algo).update(b).digest();

  beforeAll(async () => {
    v = await startVerdaccio();
    publisher = await npmClient(v.url);
    await publisher.login(v.token);
    clients.push(publisher);
    const publish = async (name: string, version: string, greeting: string, extra: Record<string, unknown> = {}) =>
      publisher.ok(['publish', '--access', 'public'], { cwd: await packageFixture(publisher.root, name, version, greeting, extra) });
    await publish('@pub/util', '1.0.0', 'util 1');
    await publish('proxied-demo', '1.0.0', 'demo 1', { dependencies: { '@pub/util': '^1.0.0' } });
    await publish('proxied-demo', '1.1.0', 'demo 1.1', { dependencies: { '@pub/util': '^1.0.0' } });
    // the attacker's public package under the private name, with a higher version
    await publish('@acme/secret', '9.9.9', 'attacker');

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    r = await startTestRegistry({ STRATA_BASE_URL: base });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    const create = (body: Record<string, unknown>) => request(r.http).post('/api/v1/repositories').set(admin()).send(body).expect(201);
    await create({ name: 'npm-up', format: 'npm', type: 'remote', upstream: { url: v.url, allowPrivateNetwork: true, metadataMaxAgeSeconds: 0, auth: { type: 'bearer', token: v.token } } });
    await create({ name: 'npm-private', format: 'npm' });
    await create({ name: 'npm-all', format: 'npm', type: 'virtual', members: ['npm-private', 'npm-up'], publishTo: 'npm-private' });
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'dev', password: 'dev-password-0123' }).expect(201);
    const grant = (repo: string, actions: string[]) => request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id: 'dev' }, actions }).expect(201);
    await grant('npm-up', ['read']);
    await grant('npm-all', ['read']);
    await grant('npm-private', ['read', 'write']);
    token = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'dev', user: 'dev' }).expect(201)).body.token;
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) await c.close();
    await r?.stop();
    await v?.stop();
  });

  it('npm view, npm dist-tag ls and npm search through the remote: the upstream\'s packages, tarball URLs on Strata', async () => {
    const npm = await npmFor('npm-up');
    const view = JSON.parse(await npm.ok(['view', 'proxied-demo', '--json'])) as Record<string, any>;
    expect(view.versions).toEqual(['1.0.0', '1.1.0']);
    expect(view['dist-tags']).toEqual({ latest: '1.1.0' });
    expect(view.dist.tarball).toBe(`${base}/npm/npm-up/proxied-demo/-/proxied-demo-1.1.0.tgz`);
    expect((await npm.ok(['view', '@pub/util@1.0.0', 'dist.tarball'])).trim()).toBe(`${base}/npm/npm-up/@pub/util/-/util-1.0.0.tgz`);
    expect(await npm.ok(['dist-tag', 'ls', 'proxied-demo'])).toMatch(/latest: 1\.1\.0/);
    expect(await npm.ok(['search', 'proxied', '--json'])).toMatch(/"name": ?"proxied-demo"/);
    const missing = await npm.run(['view', 'no-such-package-anywhere']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/E404/);
  });

  it('npm install through the remote from an empty cache: tarballs fetched once from Verdaccio with its digests, recorded as UpstreamFetched', async () => {
    const { npm, project, lock } = await install('npm-up', ['proxied-demo']);
    expect(lock.packages['node_modules/proxied-demo']).toMatchObject({ version: '1.1.0', resolved: `${base}/npm/npm-up/proxied-demo/-/proxied-demo-1.1.0.tgz` });
    expect(lock.packages['node_modules/@pub/util']).toMatchObject({ version: '1.0.0', resolved: `${base}/npm/npm-up/@pub/util/-/util-1.0.0.tgz` });
    const upstreamView = JSON.parse(await publisher.ok(['view', 'proxied-demo@1.1.0', 'dist', '--json'])) as { integrity: string };
    expect(lock.packages['node_modules/proxied-demo'].integrity).toBe(upstreamView.integrity);
    expect(execFileSync(process.execPath, ['-e', 'process.stdout.write(require("proxied-demo")())'], { cwd: project }).toString()).toBe('demo 1.1');
    const fetched = await events('UpstreamFetched');
    expect(fetched.map((e) => e.data.files[0].path).sort()).toEqual(['@pub/util/-/util-1.0.0.tgz', 'proxied-demo/-/proxied-demo-1.1.0.tgz']);
    expect(fetched[0].data.url).toMatch(new RegExp(`^${v.url}`));
    // a second install (fresh cache) is served from the store: no new fetch
    await install('npm-up', ['proxied-demo']);
    expect(await events('UpstreamFetched')).toHaveLength(2);
    void npm;
  }, 120_000);

  it('writes to the remote are refused in npm\'s shape: npm publish, npm dist-tag add, npm deprecate', async () => {
    const npm = await npmFor('npm-up');
    const publish = await npm.run(['publish'], { cwd: await packageFixture(npm.root, 'sneaky', '1.0.0', 'x') });
    expect(publish.code).not.toBe(0);
    expect(publish.stderr).toMatch(/405[\s\S]*read-only proxy/);
    const tag = await npm.run(['dist-tag', 'add', 'proxied-demo@1.0.0', 'old']);
    expect(tag.stderr).toMatch(/405/);
    const deprecate = await npm.run(['deprecate', 'proxied-demo@1.0.0', 'no']);
    expect(deprecate.stderr).toMatch(/405/);
    expect((await events('ArtifactPublished')).length).toBe(0);
  });

  it('the virtual repository: npm publish goes to the hosted member; a private name never resolves from the remote, even when the upstream has a higher version', async () => {
    const npm = await npmFor('npm-all');
    // until the name is private, npm sees the upstream's 9.9.9 through the virtual repository and wants the tag said
    await npm.ok(['publish', '--access', 'public', '--tag', 'latest'], { cwd: await packageFixture(npm.root, '@acme/secret', '1.0.0', 'the real secret') });
    await request(r.http).get('/npm/npm-private/@acme%2fsecret').set(admin()).expect(200);
    // npm's publish read the name through the virtual repository while it was not private yet; from now on the upstream is not consulted
    const consulted = async () => (await r.services.infra.sql.query(`SELECT key, checked_at FROM remote_metadata WHERE key LIKE '%@acme/secret'`)).rows;
    const before = await consulted();
    const { project, lock } = await install('npm-all', ['@acme/secret', 'proxied-demo']);
    expect(lock.packages['node_modules/@acme/secret']).toMatchObject({ version: '1.0.0', resolved: `${base}/npm/npm-all/@acme/secret/-/secret-1.0.0.tgz` });
    expect(lock.packages['node_modules/proxied-demo']).toMatchObject({ version: '1.1.0', resolved: `${base}/npm/npm-all/proxied-demo/-/proxied-demo-1.1.0.tgz` });
    expect(lock.packages['node_modules/@pub/util'].resolved).toBe(`${base}/npm/npm-all/@pub/util/-/util-1.0.0.tgz`);
    expect(execFileSync(process.execPath, ['-e', 'process.stdout.write(require("@acme/secret")())'], { cwd: project }).toString()).toBe('the real secret');
    const view = JSON.parse(await npm.ok(['view', '@acme/secret', '--json'])) as { versions: string[] };
    expect(view.versions).toEqual(['1.0.0']);
    expect(await consulted()).toEqual(before);
    // other writes go to the publish target too
    await npm.ok(['dist-tag', 'add', '@acme/secret@1.0.0', 'stable']);
    expect((await request(r.http).get('/npm/npm-private/-/package/@acme%2fsecret/dist-tags').set(admin()).expect(200)).body).toEqual({ latest: '1.0.0', stable: '1.0.0' });
  }, 120_000);

  it('"same version, different bytes": a tarball changed in Verdaccio\'s storage is detected, and the recorded bytes keep being served', async () => {
    const recorded = (await request(r.http).get('/npm/npm-up/@pub/util/-/util-1.0.0.tgz').set(admin()).buffer(true).parse(binary).expect(200)).body as Buffer;
    // republish @pub/util@1.0.0 with other bytes, behind npm's back (Verdaccio refuses a real republish)
    const packed = await publisher.ok(['pack', '--json', '--pack-destination', publisher.root], { cwd: await packageFixture(publisher.root, '@pub/util', '1.0.0', 'tampered util') });
    const other = await readFile(join(publisher.root, (JSON.parse(packed) as { filename: string }[])[0].filename));
    expect(Buffer.compare(other, recorded)).not.toBe(0);
    const dir = join(v.storage, '@pub/util');
    await writeFile(join(dir, 'util-1.0.0.tgz'), other);
    const meta = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { versions: Record<string, { dist: Record<string, string> }> };
    Object.assign(meta.versions['1.0.0'].dist, { integrity: `sha512-${sha('sha512', other).toString('base64')}`, shasum: sha('sha1', other).toString('hex') });
    await writeFile(join(dir, 'package.json'), JSON.stringify(meta));

    const doc = await request(r.http).get('/npm/npm-up/@pub%2futil').set(admin()).expect(200);
    expect(doc.body.versions['1.0.0'].dist.integrity).toBe(`sha512-${sha('sha512', recorded).toString('base64')}`);
    const served = (await request(r.http).get('/npm/npm-up/@pub/util/-/util-1.0.0.tgz').set(admin()).buffer(true).parse(binary).expect(200)).body as Buffer;
    expect(Buffer.compare(served, recorded)).toBe(0);
    const alerts = await events('UpstreamMismatchDetected');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].data).toMatchObject({ repository: 'npm-up', path: '@pub/util/-/util-1.0.0.tgz', recordedDigest: `sha256:${sha('sha256', recorded).toString('hex')}`, offeredDigest: `sha512:${sha('sha512', other).toString('hex')}` });
    // npm, from an empty cache, installs the recorded bytes and their integrity checks out
    const { project } = await install('npm-up', ['@pub/util@1.0.0']);
    expect(execFileSync(process.execPath, ['-e', 'process.stdout.write(require("@pub/util")())'], { cwd: project }).toString()).toBe('util 1');
  });

  it('a tarball the upstream places on another host (a CDN) is fetched without the upstream\'s credential', async () => {
    const tgz = Buffer.from('not really a tarball, but digests are digests');
    const seen: { server: string; authorization?: string }[] = [];
    const serve = (label: string, answer: (path: string) => Buffer | undefined) => {
      const server = createServer((req, res) => {
        seen.push({ server: label, authorization: req.headers.authorization });
        const body = answer(req.url ?? '');
        res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{}');
      });
      return new Promise<Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
    };
    const cdn = await serve('cdn', () => tgz);
    const cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
    const dist = { tarball: `${cdnUrl}/files/cdn-pkg-1.0.0.tgz`, integrity: `sha512-${sha('sha512', tgz).toString('base64')}`, shasum: sha('sha1', tgz).toString('hex') };
    const packument = { name: 'cdn-pkg', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name: 'cdn-pkg', version: '1.0.0', dist } } };
    const registry = await serve('registry', (path) => (path === '/cdn-pkg' ? Buffer.from(JSON.stringify(packument)) : undefined));
    try {
      const url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
      await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'npm-cdn', format: 'npm', type: 'remote', upstream: { url, allowPrivateNetwork: true, auth: { type: 'bearer', token: 'registry-only-token' } } }).expect(201);
      const got = await request(r.http).get('/npm/npm-cdn/cdn-pkg/-/cdn-pkg-1.0.0.tgz').set(admin()).buffer(true).parse(binary).expect(200);
      expect(Buffer.compare(got.body as Buffer, tgz)).toBe(0);
      expect(seen).toEqual([{ server: 'registry', authorization: 'Bearer registry-only-token' }, { server: 'cdn', authorization: undefined }]);
    } finally {
      for (const server of [cdn, registry]) await new Promise((resolve) => server.close(resolve));
    }
  });

  it('with Verdaccio stopped, npm install (fresh npm cache) still works through the remote and through the virtual repository', async () => {
    await v.stop();
    const remote = await install('npm-up', ['proxied-demo']);
    expect(remote.lock.packages['node_modules/proxied-demo'].version).toBe('1.1.0');
    const virtual = await install('npm-all', ['@acme/secret', 'proxied-demo']);
    expect(execFileSync(process.execPath, ['-e', 'process.stdout.write(require("proxied-demo")() + "/" + require("@acme/secret")())'], { cwd: virtual.project }).toString()).toBe('demo 1.1/the real secret');
    // a version never fetched cannot come from a stopped upstream
    const never = await remote.npm.run(['install', '--no-audit', '--no-fund', '--fetch-retries=0', 'proxied-demo@1.0.0'], { cwd: remote.project });
    expect(never.code).not.toBe(0);
  }, 180_000);
});
