import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestIdp, type TestIdp } from '../support/oidc-provider.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const CLIENT_ID = 'strata';
const CLIENT_SECRET = 'a-client-secret-for-tests-only';

/** A browser without a screen: follows redirects by hand and keeps cookies per host, by path (RFC 6265). */
class Browser {
  private readonly jar = new Map<string, { name: string; value: string; path: string }>();

  async get(url: string): Promise<Response> {
    return this.request(url, { method: 'GET' });
  }

  async request(url: string, init: { method: string; body?: string; headers?: Record<string, string> }): Promise<Response> {
    const u = new URL(url);
    const cookie = [...this.jar.values()].filter((c) => pathMatches(u.pathname, c.path)).map((c) => `${c.name}=${c.value}`).join('; ');
    const res = await fetch(u, { ...init, redirect: 'manual', headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) this.store(line, u);
    return res;
  }

  /** Follows redirects until a non-redirect answer, or until `stopAt` (a URL prefix), which it does not visit. */
  async follow(url: string, stopAt?: string): Promise<{ url: string; res?: Response }> {
    let current = url;
    for (let hops = 0; hops < 20; hops++) {
      if (stopAt && current.startsWith(stopAt)) return { url: current };
      const res = await this.get(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { url: current, res };
      await res.arrayBuffer();
      current = new URL(location, current).href;
    }
    throw new Error('too many redirects');
  }

  cookieNames(): string[] {
    return [...this.jar.values()].map((c) => c.name);
  }

  private store(line: string, url: URL): void {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
    let expired = value === '';
    for (const a of attrs) {
      const [k, v = ''] = a.split('=');
      if (k.toLowerCase() === 'path') path = v;
      if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
    }
    const key = `${name};${path}`;
    if (expired) this.jar.delete(key);
    else this.jar.set(key, { name, value, path });
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  return requestPath === cookiePath || (requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Setup {
  idp: TestIdp;
  r: TestRegistry;
  base: string;
}

/** The test IdP and a registry listening on a real port (the IdP redirects the browser to it). */
async function start(env: Record<string, string>, claimsInIdToken = false): Promise<Setup> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startTestIdp({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${base}/api/v1/auth/oidc/callback`,
    accounts: { alice: { password: 'alice-password', groups: ['idp-devs', 'idp-unmapped'] }, bob: { password: 'bob-password', groups: [] } },
    claimsInIdToken,
  });
  const r = await startTestRegistry({
    STRATA_BASE_URL: base,
    STRATA_OIDC_ISSUER: idp.issuer,
    STRATA_OIDC_CLIENT_ID: CLIENT_ID,
    STRATA_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    STRATA_OIDC_SCOPES: 'openid profile email groups',
    STRATA_OIDC_GROUP_MAPPING: 'idp-devs=developers,idp-admins=ops',
    STRATA_OIDC_ALLOW_HTTP: 'true',
    ...env,
  });
  await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
  return { idp, r, base };
}

/** /login → provider → login form → provider → the registry's callback URL (not yet visited). */
async function toCallback(s: Setup, browser: Browser, user: string, password: string, returnTo?: string): Promise<string> {
  const login = `${s.base}/api/v1/auth/oidc/login${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`;
  const callback = `${s.base}/api/v1/auth/oidc/callback`;
  let step = await browser.follow(login, callback);
  if (!step.url.startsWith(callback)) {
    // the provider's login form: fill it in as a person would
    expect(step.res?.status).toBe(200);
    const action = /action="([^"]+)"/.exec(await step.res!.text())![1];
    const posted = await browser.request(new URL(action, s.idp.issuer).href, { method: 'POST', body: new URLSearchParams({ login: user, password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(posted.status).toBe(303);
    step = await browser.follow(new URL(posted.headers.get('location')!, s.idp.issuer).href, callback);
  }
  expect(step.url.startsWith(callback)).toBe(true);
  return step.url;
}

describe('OIDC sign-in (authorization code + PKCE against oidc-provider)', () => {
  let s: Setup;
  const admin = () => ({ authorization: `Bearer ${s.r.token}` });
  const whoami = async (token: string) => (await fetch(`${s.base}/api/v1/auth/whoami`, { headers: { authorization: `Bearer ${token}` } })).json();

  beforeAll(async () => {
    s = await start({});
  });
  afterAll(async () => {
    await s?.r.stop();
    await s?.idp.stop();
  });

  /** Signs in through the browser and returns the callback's answer. */
  async function signIn(browser: Browser, user: string, password: string): Promise<Response> {
    const callbackUrl = await toCallback(s, browser, user, password);
    return browser.get(callbackUrl);
  }

  it('redirects /login to the provider with PKCE S256, state and nonce, and binds the state to the browser', async () => {
    const browser = new Browser();
    const res = await browser.get(`${s.base}/api/v1/auth/oidc/login`);
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(s.idp.issuer);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: 'openid profile email groups',
      redirect_uri: `${s.base}/api/v1/auth/oidc/callback`,
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      state: expect.any(String),
      nonce: expect.any(String),
    });
    expect(browser.cookieNames()).toEqual([`strata_oidc_${to.searchParams.get('state')}`]);
  });

  it('signs alice in just in time: session tokens, mapped groups, user with source oidc', async () => {
    const browser = new Browser();
    const res = await signIn(browser, 'alice', 'alice-password');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const session = await res.json();
    expect(session).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: expect.any(Number), userId: 'alice' });
    // the provider released the claims through userinfo only (conformIdTokenClaims): the fallback ran
    expect(s.idp.requests).toContain('GET /me');

    const me = await whoami(session.accessToken);
    expect(me).toMatchObject({ userId: 'alice', authMethod: expect.any(String) });
    expect(me.groups).toEqual(['developers']); // idp-unmapped is ignored
    const users = await (await fetch(`${s.base}/api/v1/users`, { headers: admin() })).json();
    expect(users.items.find((u: { userId: string }) => u.userId === 'alice')).toMatchObject({ source: 'oidc' });
    // the binding cookie is gone once used
    expect(browser.cookieNames().filter((n) => n.startsWith('strata_oidc_'))).toEqual([]);
  });

  it('syncs group membership again on the next sign-in when the provider\'s groups changed', async () => {
    s.idp.accounts.alice.groups = ['idp-admins'];
    const browser = new Browser();
    const session = await (await signIn(browser, 'alice', 'alice-password')).json();
    expect((await whoami(session.accessToken)).groups).toEqual(['ops']);
    const groups = await (await fetch(`${s.base}/api/v1/groups`, { headers: admin() })).json();
    const members = (name: string) => groups.items.find((g: { name: string }) => g.name === name)?.members ?? [];
    expect(members('developers')).not.toContain('alice');
    expect(members('ops')).toContain('alice');
    // still the same browser session at the provider: no second login form, straight back
    s.idp.accounts.alice.groups = ['idp-devs'];
    const again = await (await browser.get(await toCallback(s, browser, 'alice', 'unused'))).json();
    expect((await whoami(again.accessToken)).groups).toEqual(['developers']);
  });

  it('refuses a replayed callback (the state is used up) with 401 problem+json', async () => {
    const browser = new Browser();
    const callbackUrl = await toCallback(s, browser, 'alice', 'alice-password');
    const state = new URL(callbackUrl).searchParams.get('state')!;
    expect((await browser.get(callbackUrl)).status).toBe(200);
    // replay with the binding cookie put back: only the server-side store can refuse it now
    const replay = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: `strata_oidc_${state}=1` } });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await replay.json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED', detail: expect.stringMatching(/unknown or expired/) });
  });

  it('refuses an unknown state, and a callback in a browser that did not start the login', async () => {
    const browser = new Browser();
    const callbackUrl = new URL(await toCallback(s, browser, 'alice', 'alice-password'));
    const wrong = new URL(callbackUrl);
    wrong.searchParams.set('state', 'A'.repeat(43));
    expect((await fetch(wrong, { headers: { cookie: `strata_oidc_${'A'.repeat(43)}=1` } })).status).toBe(401);
    // the right URL, but from another browser (login CSRF): no binding cookie
    const other = await fetch(callbackUrl);
    expect(other.status).toBe(401);
    expect((await other.json()).detail).toMatch(/not started in this browser/);
    // the login itself is still good in the browser that started it
    expect((await browser.get(callbackUrl.href)).status).toBe(200);
  });

  it('refuses a tampered authorization code (the provider answers invalid_grant)', async () => {
    const browser = new Browser();
    const callbackUrl = new URL(await toCallback(s, browser, 'alice', 'alice-password'));
    const code = callbackUrl.searchParams.get('code')!;
    callbackUrl.searchParams.set('code', `${code.slice(0, -2)}${code.endsWith('xx') ? 'yy' : 'xx'}`);
    const res = await browser.get(callbackUrl.href);
    expect(res.status).toBe(401);
    expect((await res.json()).detail).toMatch(/invalid_grant/);
  });

  it('refuses an error answer from the provider, and an expired login', async () => {
    const browser = new Browser();
    const start1 = new URL((await browser.get(`${s.base}/api/v1/auth/oidc/login`)).headers.get('location')!);
    const state1 = start1.searchParams.get('state')!;
    const denied = await browser.get(`${s.base}/api/v1/auth/oidc/callback?${new URLSearchParams({ error: 'access_denied', state: state1, iss: s.idp.issuer })}`);
    expect(denied.status).toBe(401);
    expect((await denied.json()).detail).toMatch(/access_denied/);

    const callbackUrl = await toCallback(s, browser, 'alice', 'alice-password');
    await s.r.services.infra.sql.query(`UPDATE oidc_logins SET created_at = now() - interval '11 minutes' WHERE state = $1`, [new URL(callbackUrl).searchParams.get('state')]);
    const expired = await browser.get(callbackUrl);
    expect(expired.status).toBe(401);
    expect((await expired.json()).detail).toMatch(/unknown or expired/);
  });

  it('redirects to a same-origin returnTo with the session in the fragment; refuses other targets', async () => {
    const browser = new Browser();
    const res = await browser.get(await toCallback(s, browser, 'alice', 'alice-password', '/ui/?tab=repos'));
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith('/ui/?tab=repos#')).toBe(true);
    const fragment = new URLSearchParams(location.slice(location.indexOf('#') + 1));
    expect(fragment.get('userId')).toBe('alice');
    expect((await whoami(fragment.get('accessToken')!)).userId).toBe('alice');

    for (const bad of ['//evil.example/', 'https://evil.example/', '/\\evil.example', '/..//evil.example/', '/%2e%2e//evil.example/', '/\t/evil.example/', 'ui/']) {
      const refused = await fetch(`${s.base}/api/v1/auth/oidc/login?returnTo=${encodeURIComponent(bad)}`, { redirect: 'manual' });
      expect(refused.status).toBe(400);
    }
  });
});

describe('OIDC sign-in with the claims in the ID token', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await start({ STRATA_OIDC_USERNAME_CLAIM: 'preferred_username' }, true);
  });
  afterAll(async () => {
    await s?.r.stop();
    await s?.idp.stop();
  });

  it('reads username and groups from the ID token without calling userinfo', async () => {
    const browser = new Browser();
    const res = await browser.get(await toCallback(s, browser, 'alice', 'alice-password'));
    expect(res.status).toBe(200);
    expect((await res.json()).userId).toBe('alice');
    expect(s.idp.requests).not.toContain('GET /me');
  });
});

describe('OIDC sign-in when not configured', () => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startTestRegistry();
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('answers 404 problem+json on both routes', async () => {
    for (const path of ['/api/v1/auth/oidc/login', '/api/v1/auth/oidc/callback?code=x&state=y']) {
      const res = await request(r.http).get(path).expect(404);
      expect(res.body).toMatchObject({ code: 'NOT_FOUND', detail: 'OIDC sign-in is not configured' });
    }
  });
});
