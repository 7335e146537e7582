import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import {
  consumerProject,
  freePort,
  hermeticEnv,
  loggedRequests,
  networkTrap,
  npmClient,
  packageFixture,
  PACKAGE_MANAGERS,
  runNodeScript,
  type NetworkTrap,
  type NpmClient,
  type NpmResult,
} from '../support/npm-client.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

interface Dist {
  tarball: string;
  integrity: string;
  shasum: string;
}

/**
 * pnpm 9, yarn classic (1.22) and yarn berry (4) install from a hosted npm repository that has no
 * anonymous read, each hermetic: HOME, caches and stores in the test's own folders, nothing
 * inherited from the environment, and every proxy pointed at a trap that must stay unvisited.
 */
describe('pnpm and yarn (classic, berry) against a hosted npm repository', () => {
  let r: TestRegistry;
  let base: string;
  let registryUrl: string;
  let nerfDart: string;
  let npm: NpmClient;
  let trap: NetworkTrap;
  let token: string;
  const dist: Record<string, Dist> = {};
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const requireBoth = (cwd: string) =>
    execFileSync(process.execPath, ['-e', 'console.log(require("@harness/hello")(), "|", require("plain-hello")())'], { cwd }).toString().trim();
  const succeeded = (result: NpmResult, what: string) => {
    if (result.code !== 0) throw new Error(`${what} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };

  /** a fresh folder for one client run: its HOME (with a TMPDIR) and a consumer project */
  async function workspace(name: string): Promise<{ home: string; app: string; dir: string }> {
    const dir = join(npm.root, name);
    const home = join(dir, 'home');
    await mkdir(join(home, 'tmp'), { recursive: true });
    return { dir, home, app: await consumerProject(dir, 'app') };
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    registryUrl = `${base}/npm/npm-local/`;
    nerfDart = registryUrl.replace(/^https?:/, '');
    r = await startTestRegistry({ STRATA_BASE_URL: base });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'npm-local', format: 'npm' }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: 'correct horse battery staple' }).expect(201);
    await request(r.http).post('/api/v1/repositories/npm-local/permissions').set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['write', 'delete'] }).expect(201);
    token = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'alice-npm', user: 'alice' }).expect(201)).body.token;
    npm = await npmClient(registryUrl);
    await npm.login(token);
    // latest of @harness/hello is 1.1.0 (a higher prerelease sits on `beta`); plain-hello depends on it
    await npm.ok(['publish', '--access', 'public'], { cwd: await packageFixture(npm.root, '@harness/hello', '1.0.0', 'hello 1') });
    await npm.ok(['publish'], { cwd: await packageFixture(npm.root, '@harness/hello', '1.1.0', 'hello 1.1') });
    await npm.ok(['publish', '--tag', 'beta'], { cwd: await packageFixture(npm.root, '@harness/hello', '2.0.0-beta.1', 'hello beta') });
    await npm.ok(['publish'], { cwd: await packageFixture(npm.root, 'plain-hello', '1.0.0', 'plain 1', { dependencies: { '@harness/hello': '^1.0.0' } }) });
    for (const spec of ['@harness/hello@1.1.0', 'plain-hello@1.0.0']) dist[spec] = JSON.parse(await npm.ok(['view', spec, 'dist', '--json']));
    trap = await networkTrap();
  }, 120_000);

  afterAll(async () => {
    await trap?.close();
    await npm?.close();
    await r?.stop();
  });

  afterEach(() => {
    // nothing may have left 127.0.0.1: no update checks, no telemetry, no public registry
    expect(trap.hits).toEqual([]);
  });

  it('pnpm add resolves both packages (token from NPM_CONFIG_USERCONFIG), records Strata tarball URLs and integrity, and reinstalls from the lockfile', async () => {
    const { dir, home, app } = await workspace('pnpm');
    const npmrc = join(dir, 'npmrc');
    // pnpm reads the same user config as npm, nerf-dart token included; the tarball URL is written
    // into the lockfile only when asked (by default pnpm derives it from the registry)
    await writeFile(npmrc, [`registry=${registryUrl}`, `${nerfDart}:_authToken=${token}`, 'lockfile-include-tarball-url=true', 'update-notifier=false', ''].join('\n'));
    const env = hermeticEnv(home, trap.url, { NPM_CONFIG_USERCONFIG: npmrc });
    const pnpm = (args: string[]) => runNodeScript(PACKAGE_MANAGERS.pnpm, [...args, '--store-dir', join(dir, 'store'), '--reporter', 'append-only'], { cwd: app, env });
    succeeded(await pnpm(['add', '@harness/hello', 'plain-hello']), 'pnpm add');
    expect(requireBoth(app)).toBe('hello 1.1 | plain 1');
    const lock = await readFile(join(app, 'pnpm-lock.yaml'), 'utf8');
    for (const [spec, d] of Object.entries(dist)) {
      const key = spec.startsWith('@') ? `'${spec}'` : spec;
      expect(lock).toContain(`  ${key}:\n    resolution: {integrity: ${d.integrity}, tarball: ${d.tarball}}`);
    }
    expect(dist['@harness/hello@1.1.0'].tarball).toBe(`${registryUrl}@harness/hello/-/hello-1.1.0.tgz`);
    expect(lock).toMatch(/plain-hello@1\.0\.0:\n {4}dependencies:\n {6}'@harness\/hello': 1\.1\.0/);

    // a second machine: no node_modules, an empty store, only the lockfile
    await rm(join(app, 'node_modules'), { recursive: true, force: true });
    await rm(join(dir, 'store'), { recursive: true, force: true });
    succeeded(await pnpm(['install', '--frozen-lockfile']), 'pnpm install --frozen-lockfile');
    expect(requireBoth(app)).toBe('hello 1.1 | plain 1');

    const seen = loggedRequests(r.logs(), 'pnpm/');
    expect(seen.filter((q) => q.url.endsWith('.tgz')).length).toBeGreaterThanOrEqual(4);
    expect(seen.every((q) => q.authorized && q.status === 200)).toBe(true);
    // pnpm asks for the abbreviated document
    expect(seen.find((q) => q.url === '/npm/npm-local/plain-hello')?.accept).toMatch(/application\/vnd\.npm\.install-v1\+json/);
  });

  it('yarn classic add resolves both packages with --registry and a nerf-dart token plus always-auth, and reinstalls from the lockfile', async () => {
    const { dir, home, app } = await workspace('yarn-classic');
    const npmrc = join(dir, 'npmrc');
    // yarn 1 sends the token for scoped packages only, unless always-auth is set for the registry
    await writeFile(npmrc, [`registry=${registryUrl}`, `${nerfDart}:_authToken=${token}`, `${nerfDart}:always-auth=true`, ''].join('\n'));
    const env = hermeticEnv(home, trap.url, { NPM_CONFIG_USERCONFIG: npmrc, YARN_CACHE_FOLDER: join(dir, 'cache'), YARN_DISABLE_SELF_UPDATE_CHECK: 'true' });
    const yarn = (args: string[]) => runNodeScript(PACKAGE_MANAGERS.yarnClassic, [...args, '--registry', registryUrl, '--non-interactive', '--no-progress'], { cwd: app, env });
    succeeded(await yarn(['add', '@harness/hello', 'plain-hello']), 'yarn add');
    expect(requireBoth(app)).toBe('hello 1.1 | plain 1');
    const lock = await readFile(join(app, 'yarn.lock'), 'utf8');
    for (const d of Object.values(dist)) expect(lock).toContain(`  resolved "${d.tarball}#${d.shasum}"\n  integrity ${d.integrity}\n`);
    // the range plain-hello asks for and the one `yarn add` saved resolve to the same version
    expect(lock).toMatch(/"@harness\/hello@\^1\.0\.0", "@harness\/hello@\^1\.1\.0":\n {2}version "1\.1\.0"/);

    await rm(join(app, 'node_modules'), { recursive: true, force: true });
    await rm(join(dir, 'cache'), { recursive: true, force: true });
    succeeded(await yarn(['install', '--frozen-lockfile']), 'yarn install --frozen-lockfile');
    expect(requireBoth(app)).toBe('hello 1.1 | plain 1');

    const seen = loggedRequests(r.logs(), 'yarn/1.');
    expect(seen.filter((q) => q.url.endsWith('.tgz')).length).toBeGreaterThanOrEqual(4);
    expect(seen.every((q) => q.authorized && q.status === 200)).toBe(true);
  });

  it('yarn classic without always-auth sends no token for an unscoped package: 401 from a repository without anonymous read', async () => {
    const { dir, home, app } = await workspace('yarn-classic-no-always-auth');
    const npmrc = join(dir, 'npmrc');
    await writeFile(npmrc, [`registry=${registryUrl}`, `${nerfDart}:_authToken=${token}`, ''].join('\n'));
    const env = hermeticEnv(home, trap.url, { NPM_CONFIG_USERCONFIG: npmrc, YARN_CACHE_FOLDER: join(dir, 'cache'), YARN_DISABLE_SELF_UPDATE_CHECK: 'true' });
    const before = loggedRequests(r.logs(), 'yarn/1.').length;
    const scopedOnly = await runNodeScript(PACKAGE_MANAGERS.yarnClassic, ['add', '@harness/hello', '--registry', registryUrl, '--non-interactive'], { cwd: app, env });
    expect(scopedOnly.code).toBe(0);
    const unscoped = await runNodeScript(PACKAGE_MANAGERS.yarnClassic, ['add', 'plain-hello', '--registry', registryUrl, '--non-interactive'], { cwd: app, env });
    expect(unscoped.code).not.toBe(0);
    expect(`${unscoped.stdout}${unscoped.stderr}`).toMatch(/plain-hello: authentication required/);
    const seen = loggedRequests(r.logs(), 'yarn/1.').slice(before);
    expect(seen.find((q) => q.url === '/npm/npm-local/@harness%2fhello')).toMatchObject({ authorized: true, status: 200 });
    expect(seen.find((q) => q.url === '/npm/npm-local/plain-hello')).toMatchObject({ authorized: false, status: 401 });
  });

  it('yarn berry add resolves both packages from .yarnrc.yml (npmRegistryServer, npmAuthToken, npmAlwaysAuth) and reinstalls with --immutable', async () => {
    const { dir, home, app } = await workspace('yarn-berry');
    const yml = (value: string) => JSON.stringify(value);
    await writeFile(
      join(app, '.yarnrc.yml'),
      [
        `npmRegistryServer: ${yml(registryUrl)}`,
        `npmAuthToken: ${yml(token)}`,
        // like yarn 1, berry sends the token unasked only for scoped packages
        'npmAlwaysAuth: true',
        'unsafeHttpWhitelist:',
        '  - "127.0.0.1"',
        // recent yarn 4 releases (4.18 here) hold back versions younger than a day
        // (npmMinimalAgeGate, default 1d; YN0016 "quarantined"): these were published a moment ago
        'npmMinimalAgeGate: 0',
        // one cache, the project's: no global cache and no mirror copy of it in globalFolder
        'enableGlobalCache: false',
        'enableMirror: false',
        `cacheFolder: ${yml(join(dir, 'cache'))}`,
        `globalFolder: ${yml(join(dir, 'global'))}`,
        'nodeLinker: node-modules',
        'enableTelemetry: false',
        // berry ignores HTTPS_PROXY and has no no-proxy list: its https traffic (telemetry, the
        // public registry) goes to the trap; the registry here is plain http on 127.0.0.1
        `httpsProxy: ${yml(trap.url)}`,
        '',
      ].join('\n'),
    );
    const env = hermeticEnv(home, trap.url);
    const yarn = (args: string[]) => runNodeScript(PACKAGE_MANAGERS.yarnBerry, args, { cwd: app, env });
    succeeded(await yarn(['add', '@harness/hello', 'plain-hello']), 'yarn add (berry)');
    expect(requireBoth(app)).toBe('hello 1.1 | plain 1');
    // berry's lockfile names no URL (the registry is configuration) and its checksum is that of
    // the zip it made of the tarball, in its cache
    const lock = await readFile(join(app, 'yarn.lock'), 'utf8');
    expect(lock).toMatch(/"@harness\/hello@npm:\^1\.0\.0, @harness\/hello@npm:\^1\.1\.0":\n {2}version: 1\.1\.0\n {2}resolution: "@harness\/hello@npm:1\.1\.0"/);
    expect(lock).toMatch(/"plain-hello@npm:\^1\.0\.0":\n {2}version: 1\.0\.0\n {2}resolution: "plain-hello@npm:1\.0\.0"\n {2}dependencies:\n {4}"@harness\/hello": "npm:\^1\.0\.0"/);
    const cached = await readdir(join(dir, 'cache'));
    for (const [name, file] of [['@harness/hello@npm:1.1.0', '@harness-hello-npm-1.1.0-'], ['plain-hello@npm:1.0.0', 'plain-hello-npm-1.0.0-']]) {
      const checksum = new RegExp(`resolution: "${name.replace(/[/^.]/g, '\\$&')}"[^]*?checksum: 10c0/([0-9a-f]{128})`).exec(lock)?.[1];
      const zip = cached.find((f) => f.startsWith(file) && f.endsWith('.zip'));
      expect([checksum, zip]).toEqual([expect.any(String), expect.any(String)]);
      expect(createHash('sha512').update(await readFile(join(dir, 'cache', zip!))).digest('hex')).toBe(checksum);
    }

    await rm(join(app, 'node_modules'), { recursive: true, force: true });
    await rm(join(dir, 'cache'), { recursive: true, force: true });
    succeeded(await yarn(['install', '--immutable']), 'yarn install --immutable (berry)');
    expect(requireBoth(app)).toBe('hello 1.1 | plain 1');

    // berry sends its HTTP library's User-Agent
    const seen = loggedRequests(r.logs(), 'got (');
    // berry does not take dist.tarball: it builds the conventional URL itself, with the scope's
    // slash encoded (`@harness%2fhello/-/hello-1.1.0.tgz`), which Strata routes like the raw form
    const tarballs = seen.filter((q) => q.url.endsWith('.tgz')).map((q) => `${base}${q.url}`);
    expect(tarballs).toContain(`${registryUrl}@harness%2fhello/-/hello-1.1.0.tgz`);
    expect(tarballs.map((t) => t.replace('%2f', '/'))).toEqual(expect.arrayContaining(Object.values(dist).map((d) => d.tarball)));
    expect(tarballs.length).toBeGreaterThanOrEqual(4);
    expect(seen.every((q) => q.authorized && q.status === 200)).toBe(true);
  });
});
