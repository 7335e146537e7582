import request from 'supertest';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const PASSWORD = 'correct horse battery staple';

describe('identity: users, groups, tokens, grants, sessions', () => {
  let r: TestRegistry;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const login = (username: string, password: string) => request(r.http).post('/api/v1/auth/login').send({ username, password });
  const mint = async (auth: Record<string, string>, body: Record<string, unknown>) => (await request(r.http).post('/api/v1/tokens').set(auth).send(body).expect(201)).body;

  beforeAll(async () => {
    r = await startTestRegistry();
    for (const name of ['libs', 'secret', 'public']) {
      await request(r.http).post('/api/v1/repositories').set(admin()).send({ name, format: 'generic', anonymousRead: name === 'public' }).expect(201);
    }
    await request(r.http).put('/generic/libs/a.txt').set(admin()).send(Buffer.from('a')).expect(201);
    await request(r.http).put('/generic/secret/s.txt').set(admin()).send(Buffer.from('s')).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: PASSWORD }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'bob', password: PASSWORD }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'ci-bot', serviceAccount: true }).expect(201);
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('creates users and groups as events; refuses duplicates and bad input', async () => {
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: PASSWORD }).expect(409);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'Bad Name' }).expect(400);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'weak', password: 'short' }).expect(400);
    const g = await request(r.http).post('/api/v1/groups').set(admin()).send({ name: 'devs', members: ['alice'] }).expect(201);
    expect(g.body).toEqual({ name: 'devs', members: ['alice'] });
    await request(r.http).post('/api/v1/groups').set(admin()).send({ name: 'ghosts', members: ['nobody'] }).expect(400);
    const users = (await request(r.http).get('/api/v1/users').set(admin()).expect(200)).body.items;
    expect(users.find((u: { userId: string }) => u.userId === 'alice')).toMatchObject({ source: 'local', admin: false, disabled: false, groups: ['devs'] });
    expect(users.find((u: { userId: string }) => u.userId === 'ci-bot')).toMatchObject({ source: 'service' });
    const types = (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['UserCreated', 'GroupCreated', 'GroupChanged']));
  });

  it('signs in with a local password and uses the session; refresh rotates; logout ends it', async () => {
    const s = (await login('alice', PASSWORD).expect(200)).body;
    expect(s).toMatchObject({ tokenType: 'Bearer', userId: 'alice', expiresIn: 900 });
    const me = (await request(r.http).get('/api/v1/auth/whoami').set(bearer(s.accessToken)).expect(200)).body;
    expect(me).toMatchObject({ userId: 'alice', admin: false, groups: ['devs'], authMethod: 'session' });
    const next = (await request(r.http).post('/api/v1/auth/refresh').send({ refreshToken: s.refreshToken }).expect(200)).body;
    await request(r.http).post('/api/v1/auth/refresh').send({ refreshToken: s.refreshToken }).expect(401);
    await request(r.http).post('/api/v1/auth/logout').send({ refreshToken: next.refreshToken }).expect(204);
    await request(r.http).post('/api/v1/auth/refresh').send({ refreshToken: next.refreshToken }).expect(401);
    await request(r.http).get('/api/v1/auth/whoami').set(bearer(`${s.accessToken.slice(0, -3)}abc`)).expect(401);
  });

  it('answers an unknown user and a wrong password alike, and rate-limits failed sign-ins per user', async () => {
    const unknown = await login('nobody', 'whatever-password').expect(401);
    const wrong = await login('bob', 'wrong-password-1').expect(401);
    expect(unknown.body.detail).toBe(wrong.body.detail);
    for (let i = 0; i < 4; i++) await login('bob', `wrong-password-${i + 2}`).expect(401);
    await login('bob', 'wrong-password-6').expect(429);
    // even the right password is refused while the window lasts
    await login('bob', PASSWORD).expect(429);
    const types = (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t.startsWith('Login'))).toEqual([]);
  });

  it('mints a token from a session, shows it once, lists it without the secret, tracks last use, and revokes it at once', async () => {
    const s = (await login('alice', PASSWORD).expect(200)).body;
    const t = await mint(bearer(s.accessToken), { name: 'laptop', expiresInDays: 30 });
    expect(t).toMatchObject({ userId: 'alice', name: 'laptop', readOnly: false, token: expect.stringMatching(/^strata_/) });
    await request(r.http).get('/api/v1/auth/whoami').set(bearer(t.token)).expect(200);
    await request(r.http).get('/api/v1/auth/whoami').auth('alice', t.token).expect(200);
    const listed = (await request(r.http).get('/api/v1/tokens').set(bearer(s.accessToken)).expect(200)).body.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('token');
    expect(listed[0].lastUsedAt).toEqual(expect.any(String));
    const events = (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items;
    expect(JSON.stringify(events)).not.toContain(t.token);
    expect(events.find((e: { type: string }) => e.type === 'TokenIssued').data).toMatchObject({ tokenId: t.tokenId, userId: 'alice' });
    await request(r.http).delete(`/api/v1/tokens/${t.tokenId}`).set(bearer(s.accessToken)).expect(204);
    await request(r.http).get('/api/v1/auth/whoami').set(bearer(t.token)).expect(401);
  });

  it('enforces read-only, repository scope, expiry and CIDR allow-lists on tokens', async () => {
    await request(r.http).post('/api/v1/repositories/libs/permissions').set(admin()).send({ subject: { type: 'user', id: 'ci-bot' }, actions: ['write'] }).expect(201);
    await request(r.http).post('/api/v1/repositories/secret/permissions').set(admin()).send({ subject: { type: 'user', id: 'ci-bot' }, actions: ['write'] }).expect(201);
    const ro = await mint(admin(), { name: 'ro', user: 'ci-bot', readOnly: true });
    await request(r.http).get('/generic/libs/a.txt').set(bearer(ro.token)).expect(200);
    await request(r.http).put('/generic/libs/ro.txt').set(bearer(ro.token)).send(Buffer.from('x')).expect(403);
    const scoped = await mint(admin(), { name: 'scoped', user: 'ci-bot', repositories: ['libs'] });
    await request(r.http).put('/generic/libs/scoped.txt').set(bearer(scoped.token)).send(Buffer.from('x')).expect(201);
    await request(r.http).get('/generic/secret/s.txt').set(bearer(scoped.token)).expect(403);
    await request(r.http).post('/api/v1/tokens').set(bearer(scoped.token)).send({ name: 'escalate' }).expect(403);
    const expired = await mint(admin(), { name: 'soon', user: 'ci-bot', expiresAt: new Date(Date.now() + 1500).toISOString() });
    await request(r.http).get('/generic/libs/a.txt').set(bearer(expired.token)).expect(200);
    await new Promise((res) => setTimeout(res, 1600));
    await request(r.http).get('/generic/libs/a.txt').set(bearer(expired.token)).expect(401);
    const elsewhere = await mint(admin(), { name: 'office', user: 'ci-bot', cidrs: ['10.1.0.0/16'] });
    await request(r.http).get('/generic/libs/a.txt').set(bearer(elsewhere.token)).expect(403);
    const local = await mint(admin(), { name: 'here', user: 'ci-bot', cidrs: ['127.0.0.0/8', '::1/128'] });
    await request(r.http).get('/generic/libs/a.txt').set(bearer(local.token)).expect(200);
    await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'x', user: 'ci-bot', cidrs: ['not-a-cidr'] }).expect(400);
    await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'x', user: 'ci-bot', expiresAt: '2000-01-01T00:00:00Z' }).expect(400);
  });

  it('disabling a user stops its tokens and sessions at once', async () => {
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'dora', password: PASSWORD }).expect(201);
    const s = (await login('dora', PASSWORD).expect(200)).body;
    const t = await mint(bearer(s.accessToken), { name: 't' });
    await request(r.http).patch('/api/v1/users/dora').set(admin()).send({ disabled: true }).expect(200);
    await request(r.http).get('/api/v1/auth/whoami').set(bearer(t.token)).expect(401);
    await request(r.http).get('/api/v1/auth/whoami').set(bearer(s.accessToken)).expect(401);
    await login('dora', PASSWORD).expect(401);
    await request(r.http).patch('/api/v1/users/dora').set(admin()).send({ disabled: false }).expect(200);
    await request(r.http).get('/api/v1/auth/whoami').set(bearer(t.token)).expect(200);
  });

  it('grants per repository and per name pattern, to users and groups; revocation is immediate', async () => {
    const carolToken = async () => {
      await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'carol', serviceAccount: true });
      return (await mint(admin(), { name: 'c', user: 'carol' })).token as string;
    };
    const t = await carolToken();
    await request(r.http).put('/generic/libs/releases/1.txt').set(bearer(t)).send(Buffer.from('1')).expect(403);
    await request(r.http).post('/api/v1/groups').set(admin()).send({ name: 'releasers', members: ['carol'] }).expect(201);
    const g = (await request(r.http).post('/api/v1/repositories/libs/permissions').set(admin()).send({ subject: { type: 'group', id: 'releasers' }, actions: ['write'], pattern: 'releases/*' }).expect(201)).body;
    expect(g).toMatchObject({ repository: 'libs', subject: { type: 'group', id: 'releasers' }, actions: ['write'], pattern: 'releases/*' });
    await request(r.http).put('/generic/libs/releases/1.txt').set(bearer(t)).send(Buffer.from('1')).expect(201);
    await request(r.http).put('/generic/libs/other/1.txt').set(bearer(t)).send(Buffer.from('1')).expect(403);
    await request(r.http).delete('/generic/libs/releases/1.txt').set(bearer(t)).expect(403);
    await request(r.http).get('/generic/libs/releases/1.txt').set(bearer(t)).expect(200);
    await request(r.http).get('/generic/secret/s.txt').set(bearer(t)).expect(403);
    await request(r.http).delete(`/api/v1/repositories/libs/permissions/${g.grantId}`).set(admin()).expect(204);
    await request(r.http).put('/generic/libs/releases/2.txt').set(bearer(t)).send(Buffer.from('2')).expect(403);
    const history = (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items.filter((e: { streamId: string }) => e.streamId === 'repository-libs');
    expect(history.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['PermissionGranted', 'PermissionRevoked']));
  });

  it('a repository admin manages that repository\'s grants but not the registry', async () => {
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'erin', serviceAccount: true }).expect(201);
    await request(r.http).post('/api/v1/repositories/secret/permissions').set(admin()).send({ subject: { type: 'user', id: 'erin' }, actions: ['admin'] }).expect(201);
    const t = (await mint(admin(), { name: 'e', user: 'erin' })).token;
    await request(r.http).get('/api/v1/repositories/secret/permissions').set(bearer(t)).expect(200);
    await request(r.http).get('/api/v1/repositories/libs/permissions').set(bearer(t)).expect(403);
    await request(r.http).post('/api/v1/users').set(bearer(t)).send({ username: 'x' }).expect(403);
    const visible = (await request(r.http).get('/api/v1/repositories').set(bearer(t)).expect(200)).body.items.map((x: { name: string }) => x.name);
    expect(visible.sort()).toEqual(['public', 'secret']);
    const anonymous = (await request(r.http).get('/api/v1/repositories').expect(200)).body.items.map((x: { name: string }) => x.name);
    expect(anonymous).toEqual(['public']);
  });

  it('global grants cover every repository', async () => {
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'auditor', serviceAccount: true }).expect(201);
    const t = (await mint(admin(), { name: 'a', user: 'auditor' })).token;
    await request(r.http).get('/generic/secret/s.txt').set(bearer(t)).expect(403);
    await request(r.http).post('/api/v1/permissions').set(admin()).send({ subject: { type: 'user', id: 'auditor' }, actions: ['read'] }).expect(201);
    await request(r.http).get('/generic/secret/s.txt').set(bearer(t)).expect(200);
    await request(r.http).put('/generic/secret/no.txt').set(bearer(t)).send(Buffer.from('x')).expect(403);
  });

  it('never writes a token, password or refresh token to the logs', async () => {
    const s = (await login('alice', PASSWORD).expect(200)).body;
    const t = await mint(bearer(s.accessToken), { name: 'log-check' });
    await request(r.http).get('/api/v1/auth/whoami').set(bearer(t.token)).expect(200);
    await request(r.http).get('/generic/libs/a.txt').auth('alice', t.token).expect(403);
    const logs = r.logs();
    for (const secret of [t.token, PASSWORD, s.refreshToken, s.accessToken, r.token]) expect(logs).not.toContain(secret);
    expect(logs).toContain('[redacted]');
  });
});
