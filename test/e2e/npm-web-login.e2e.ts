import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { freePort, npmClient, type NpmClient, type NpmResult } from '../support/npm-client.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const PASSWORD = 'correct horse battery staple';

/** `npm login` / `npm adduser` with the default auth type (web) running in the background, and the address npm printed. */
interface RunningLogin {
  loginUrl: string;
  finished: Promise<NpmResult>;
}

function startWebLogin(npm: NpmClient, args: string[]): Promise<RunningLogin> {
  const child = npm.spawn(args);
  let stdout = '';
  let stderr = '';
  const timer = setTimeout(() => child.kill(), 60_000);
  const finished = new Promise<NpmResult>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    }),
  );
  child.stdin.end();
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // npm without a TTY prints "Login at:\n<url>" (adduser: "Create your account at:") and polls
      const m = /(?:Login|Create your account) at:\n(\S+)/.exec(stdout);
      if (m) resolve({ loginUrl: m[1], finished });
    });
    void finished.then((r) => reject(new Error(`npm exited before printing a login URL\n${r.stdout}\n${r.stderr}`)));
  });
}

/** What a browser does with the page: read the form, post it back (same origin, form-encoded). */
async function signInAsBrowser(loginUrl: string, username: string, password: string): Promise<{ status: number; html: string }> {
  const page = await fetch(loginUrl);
  const html = await page.text();
  expect(page.status).toBe(200);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const session = /name="session" value="([^"]+)"/.exec(html)?.[1];
  expect(action && session).toBeTruthy();
  const posted = await fetch(action!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(loginUrl).origin },
    body: new URLSearchParams({ session: session!, username, password }).toString(),
  });
  return { status: posted.status, html: await posted.text() };
}

/** npm's web login (`npm login`, `npm adduser`) against Strata users, with the real npm CLI. */
describe('npm web login', () => {
  let r: TestRegistry;
  let base: string;
  let registry: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const events = async () => (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items as { type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }[];
  const start = async () => (await request(r.http).post('/npm/npm-local/-/v1/login').set('content-type', 'application/json').send({}).expect(200)).body as { loginUrl: string; doneUrl: string };
  const path = (url: string) => new URL(url).pathname;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    registry = `${base}/npm/npm-local/`;
    r = await startTestRegistry({ STRATA_BASE_URL: base });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'npm-local', format: 'npm' }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: PASSWORD }).expect(201);
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('npm login: prints the sign-in address, keeps waiting through a wrong password, then writes the token to its npmrc and npm whoami works', async () => {
    const npm = await npmClient(registry);
    try {
      // a stale token left in .npmrc does not get in the way of logging in again
      await npm.login('strata_revoked_long_ago');
      const login = await startWebLogin(npm, ['login']);
      expect(login.loginUrl).toMatch(new RegExp(`^${registry}-/v1/login/cli/[A-Za-z0-9_-]{43}$`));
      const wrong = await signInAsBrowser(login.loginUrl, 'alice', 'wrong-password-1');
      expect(wrong.status).toBe(401);
      expect(wrong.html).toMatch(/Wrong user name or password/);
      const right = await signInAsBrowser(login.loginUrl, 'alice', PASSWORD);
      expect(right.status).toBe(200);
      expect(right.html).toMatch(/signed in as <strong>alice<\/strong>/);
      const done = await login.finished;
      expect(done.code).toBe(0);
      expect(done.stdout).toMatch(/Logged in on/);
      const npmrc = await readFile(join(npm.root, 'npmrc'), 'utf8');
      expect(npmrc).toMatch(new RegExp(`^${registry.replace(/^http:/, '')}:_authToken=strata_\\S+$`, 'm'));
      expect(npmrc).not.toMatch(/strata_revoked_long_ago/);
      expect((await npm.ok(['whoami'])).trim()).toBe('alice');
      const issued = (await events()).filter((e) => e.type === 'TokenIssued' && e.data.name === 'npm web login');
      expect(issued).toHaveLength(1);
      expect(issued[0].metadata).toMatchObject({ actor: 'alice', authMethod: 'password' });
    } finally {
      await npm.close();
    }
  });

  it('npm adduser (web) signs in to an existing account the same way', async () => {
    const npm = await npmClient(registry);
    try {
      const login = await startWebLogin(npm, ['adduser']);
      expect((await signInAsBrowser(login.loginUrl, 'alice', PASSWORD)).status).toBe(200);
      expect((await login.finished).code).toBe(0);
      expect((await npm.ok(['whoami'])).trim()).toBe('alice');
    } finally {
      await npm.close();
    }
  });

  it('doneUrl answers 202 with Retry-After until the sign-in, then the token exactly once; the page is single-use', async () => {
    const { loginUrl, doneUrl } = await start();
    expect(loginUrl.startsWith(`${registry}-/v1/login/cli/`)).toBe(true);
    expect(doneUrl.startsWith(`${registry}-/v1/done/`)).toBe(true);
    // two different secrets: the browser's address does not collect the token
    expect(path(loginUrl).split('/').pop()).not.toBe(path(doneUrl).split('/').pop());
    const waiting = await request(r.http).get(path(doneUrl)).expect(202);
    expect(waiting.headers['retry-after']).toBe('1');
    expect(waiting.body).toEqual({});
    const page = await request(r.http).get(path(loginUrl)).expect(200);
    expect(page.headers).toMatchObject({ 'cache-control': 'no-store', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect((await signInAsBrowser(loginUrl, 'alice', PASSWORD)).status).toBe(200);
    const collected = await request(r.http).get(path(doneUrl)).expect(200);
    expect(collected.headers['cache-control']).toBe('no-store');
    await request(r.http).get('/npm/npm-local/-/whoami').set('authorization', `Bearer ${collected.body.token}`).expect(200, { username: 'alice' });
    expect((await request(r.http).get(path(doneUrl)).expect(404)).body).toEqual({ error: expect.stringMatching(/unknown|expired|collected/) });
    await request(r.http).get(path(loginUrl)).expect(404);
  });

  it('refuses cross-site posts, unknown or expired logins, and a login started for another repository', async () => {
    const { loginUrl, doneUrl } = await start();
    const session = path(loginUrl).split('/').pop()!;
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const submit = '/npm/npm-local/-/v1/login/cli';
    await request(r.http).post(submit).set('origin', 'https://evil.example').type('form').send(form({ session, username: 'alice', password: PASSWORD })).expect(403);
    await request(r.http).post(submit).type('form').send(form({ session: 'x'.repeat(43), username: 'alice', password: PASSWORD })).expect(404);
    await request(r.http).post(submit).set('content-type', 'application/json').send({ session, username: 'alice', password: PASSWORD }).expect(400);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'npm-other', format: 'npm' }).expect(201);
    await request(r.http).get(`/npm/npm-other/-/v1/login/cli/${session}`).expect(404);
    await request(r.http).post('/npm/npm-other/-/v1/login/cli').type('form').send(form({ session, username: 'alice', password: PASSWORD })).expect(404);
    await request(r.http).get(path(doneUrl)).expect(202);
    // a few minutes later the login is gone
    await r.services.infra.sql.query(`UPDATE npm_web_logins SET expires_at = now() - interval '1 second'`);
    await request(r.http).get(path(loginUrl)).expect(404);
    await request(r.http).post(submit).type('form').send(form({ session, username: 'alice', password: PASSWORD })).expect(404);
    await request(r.http).get(path(doneUrl)).expect(404);
  });

  it('single sign-on return: a browser session completes the login (what the OIDC link leads to); an API token does not', async () => {
    const { loginUrl, doneUrl } = await start();
    const session = path(loginUrl).split('/').pop()!;
    const page = await request(r.http).get(`${path(loginUrl)}/sso`).expect(200);
    expect(page.text).toContain(`data-session="${session}"`);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
    const browser = (await request(r.http).post('/api/v1/auth/login').send({ username: 'alice', password: PASSWORD }).expect(200)).body as { accessToken: string };
    const apiToken = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'not-a-session', user: 'alice' }).expect(201)).body.token as string;
    const complete = '/npm/npm-local/-/v1/login/cli/sso';
    await request(r.http).post(complete).set('authorization', `Bearer ${apiToken}`).send({ session }).expect(401);
    await request(r.http).post(complete).send({ session }).expect(401);
    await request(r.http).post(complete).set('authorization', `Bearer ${browser.accessToken}`).send({ session }).expect(200, { ok: true, username: 'alice' });
    await request(r.http).post(complete).set('authorization', `Bearer ${browser.accessToken}`).send({ session }).expect(404);
    const token = (await request(r.http).get(path(doneUrl)).expect(200)).body.token as string;
    await request(r.http).get('/npm/npm-local/-/whoami').set('authorization', `Bearer ${token}`).expect(200, { username: 'alice' });
    // without OIDC configured, the form offers no single sign-on link
    expect((await request(r.http).get(path((await start()).loginUrl)).expect(200)).text).not.toMatch(/single sign-on/);
  });
});
