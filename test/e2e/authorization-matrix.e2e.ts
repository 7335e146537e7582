import request from 'supertest';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

/**
 * The authorisation matrix: every route that exists, for every kind of caller, on a public and a
 * private repository, gets exactly the expected status. Add rows as formats land.
 */
type Who = 'anonymous' | 'none' | 'read' | 'write' | 'delete' | 'admin' | 'registry-admin';
const WHO: Who[] = ['anonymous', 'none', 'read', 'write', 'delete', 'admin', 'registry-admin'];
const REPOS = ['pub', 'priv'] as const;

const denied = (who: Who) => (who === 'anonymous' ? 401 : 403);
const may = (who: Who, action: 'read' | 'write' | 'delete' | 'admin', repo: string) => {
  if (who === 'registry-admin') return true;
  if (action === 'read' && repo === 'pub') return true;
  const implied: Record<string, string[]> = { read: ['read', 'write', 'delete', 'admin'], write: ['write', 'admin'], delete: ['delete', 'admin'], admin: ['admin'] };
  return implied[action].includes(who);
};

interface Row {
  route: string;
  call: (r: TestRegistry, repo: string, auth: Record<string, string>, n: number) => request.Test;
  expected: (who: Who, repo: string) => number;
  /** prepares what the call needs (runs as registry admin) */
  setup?: (r: TestRegistry, repo: string, n: number) => Promise<void>;
}

const rows: Row[] = [
  { route: 'GET /generic/<repo>/<file>', call: (r, repo, a) => request(r.http).get(`/generic/${repo}/f.txt`).set(a), expected: (w, repo) => (may(w, 'read', repo) ? 200 : denied(w)) },
  { route: 'HEAD /generic/<repo>/<file>', call: (r, repo, a) => request(r.http).head(`/generic/${repo}/f.txt`).set(a), expected: (w, repo) => (may(w, 'read', repo) ? 200 : denied(w)) },
  { route: 'GET /generic/<repo>/ (listing)', call: (r, repo, a) => request(r.http).get(`/generic/${repo}/`).set(a), expected: (w, repo) => (may(w, 'read', repo) ? 200 : denied(w)) },
  { route: 'PUT /generic/<repo>/<new file>', call: (r, repo, a, n) => request(r.http).put(`/generic/${repo}/new-${n}.txt`).set(a).send(Buffer.from('x')), expected: (w, repo) => (may(w, 'write', repo) ? 201 : denied(w)) },
  {
    route: 'DELETE /generic/<repo>/<file>',
    setup: async (r, repo, n) => void (await request(r.http).put(`/generic/${repo}/del-${n}.txt`).set('authorization', `Bearer ${r.token}`).send(Buffer.from('d')).expect(201)),
    call: (r, repo, a, n) => request(r.http).delete(`/generic/${repo}/del-${n}.txt`).set(a),
    expected: (w, repo) => (may(w, 'delete', repo) ? 204 : denied(w)),
  },
  { route: 'GET /api/v1/repositories/<repo>', call: (r, repo, a) => request(r.http).get(`/api/v1/repositories/${repo}`).set(a), expected: (w, repo) => (may(w, 'read', repo) ? 200 : denied(w)) },
  { route: 'PATCH /api/v1/repositories/<repo>', call: (r, repo, a) => request(r.http).patch(`/api/v1/repositories/${repo}`).set(a).send({ description: 'x' }), expected: (w, repo) => (may(w, 'admin', repo) ? 200 : denied(w)) },
  { route: 'GET /api/v1/repositories/<repo>/permissions', call: (r, repo, a) => request(r.http).get(`/api/v1/repositories/${repo}/permissions`).set(a), expected: (w, repo) => (may(w, 'admin', repo) ? 200 : denied(w)) },
  { route: 'GET /api/v1/repositories (filtered list)', call: (r, _repo, a) => request(r.http).get('/api/v1/repositories').set(a), expected: () => 200 },
  { route: 'POST /api/v1/repositories', call: (r, repo, a, n) => request(r.http).post('/api/v1/repositories').set(a).send({ name: `made-${repo}-${n}`, format: 'generic' }), expected: (w) => (w === 'registry-admin' ? 201 : denied(w)) },
  { route: 'GET /api/v1/events', call: (r, _repo, a) => request(r.http).get('/api/v1/events?limit=1').set(a), expected: (w) => (w === 'registry-admin' ? 200 : denied(w)) },
  { route: 'GET /api/v1/events/verify', call: (r, _repo, a) => request(r.http).get('/api/v1/events/verify').set(a), expected: (w) => (w === 'registry-admin' ? 200 : denied(w)) },
  { route: 'GET /api/v1/users', call: (r, _repo, a) => request(r.http).get('/api/v1/users').set(a), expected: (w) => (w === 'registry-admin' ? 200 : denied(w)) },
  { route: 'GET /api/v1/groups', call: (r, _repo, a) => request(r.http).get('/api/v1/groups').set(a), expected: (w) => (w === 'registry-admin' ? 200 : denied(w)) },
  { route: 'GET /api/v1/permissions', call: (r, _repo, a) => request(r.http).get('/api/v1/permissions').set(a), expected: (w) => (w === 'registry-admin' ? 200 : denied(w)) },
  { route: 'GET /api/v1/projections', call: (r, _repo, a) => request(r.http).get('/api/v1/projections').set(a), expected: (w) => (w === 'registry-admin' ? 200 : denied(w)) },
  { route: 'POST /api/v1/gc?dryRun=true', call: (r, _repo, a) => request(r.http).post('/api/v1/gc?dryRun=true').set(a), expected: (w) => (w === 'registry-admin' ? 200 : denied(w)) },
  { route: 'GET /api/v1/tokens', call: (r, _repo, a) => request(r.http).get('/api/v1/tokens').set(a), expected: (w) => (w === 'anonymous' ? 401 : 200) },
  { route: 'GET /api/v1/auth/whoami', call: (r, _repo, a) => request(r.http).get('/api/v1/auth/whoami').set(a), expected: (w) => (w === 'anonymous' ? 401 : 200) },
];

describe('authorisation matrix', () => {
  let r: TestRegistry;
  const tokens = new Map<Who, Record<string, string>>();
  let counter = 0;

  beforeAll(async () => {
    r = await startTestRegistry();
    const admin = { authorization: `Bearer ${r.token}` };
    for (const repo of REPOS) {
      await request(r.http).post('/api/v1/repositories').set(admin).send({ name: repo, format: 'generic', anonymousRead: repo === 'pub' }).expect(201);
      await request(r.http).put(`/generic/${repo}/f.txt`).set(admin).send(Buffer.from('f')).expect(201);
    }
    tokens.set('anonymous', {});
    tokens.set('registry-admin', admin);
    for (const who of ['none', 'read', 'write', 'delete', 'admin'] as const) {
      await request(r.http).post('/api/v1/users').set(admin).send({ username: `u-${who}`, serviceAccount: true }).expect(201);
      if (who !== 'none') {
        for (const repo of REPOS) await request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin).send({ subject: { type: 'user', id: `u-${who}` }, actions: [who] }).expect(201);
      }
      const t = (await request(r.http).post('/api/v1/tokens').set(admin).send({ name: 'matrix', user: `u-${who}` }).expect(201)).body.token;
      tokens.set(who, { authorization: `Bearer ${t}` });
    }
  });
  afterAll(async () => {
    await r?.stop();
  });

  const cases = rows.flatMap((row) => REPOS.flatMap((repo) => WHO.map((who) => [row.route, repo, who, row] as const)));
  it.each(cases)('%s on %s as %s', async (_route, repo, who, row) => {
    const n = ++counter;
    await row.setup?.(r, repo, n);
    const res = await row.call(r, repo, tokens.get(who)!, n);
    expect({ status: res.status, body: res.status >= 400 ? res.body?.code : undefined }).toMatchObject({ status: row.expected(who, repo) });
  });
});
