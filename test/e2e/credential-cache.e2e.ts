import request from 'supertest';
import { projectionTable } from '../../libs/ports/index.js';
import { usersProjection } from '../../libs/auth/index.js';
import { repositoriesProjection } from '../../libs/app/index.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Credentials are cached for a few seconds, but every identity change takes effect at once. */
describe('cached credentials', () => {
  let r: TestRegistry;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  let token: string;

  beforeAll(async () => {
    r = await startTestRegistry();
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'files', format: 'generic' }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'carol', password: 'carol-password-123' }).expect(201);
    await request(r.http).post('/api/v1/repositories/files/permissions').set(admin()).send({ subject: { type: 'user', id: 'carol' }, actions: ['write'] }).expect(201);
    token = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'carol-ci', user: 'carol' }).expect(201)).body.token;
    await request(r.http).put('/generic/files/a.txt').set(admin()).send(Buffer.from('a')).expect(201);
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('a revoked permission and a revoked token stop working on the very next request', async () => {
    await request(r.http).get('/generic/files/a.txt').set(as(token)).expect(200);
    const grants = (await request(r.http).get('/api/v1/repositories/files/permissions').set(admin()).expect(200)).body.items as { grantId: string }[];
    await request(r.http).delete(`/api/v1/repositories/files/permissions/${grants[0].grantId}`).set(admin()).expect(204);
    await request(r.http).get('/generic/files/a.txt').set(as(token)).expect(403);
    const tokens = (await request(r.http).get('/api/v1/tokens?user=carol').set(admin()).expect(200)).body.items as { tokenId: string }[];
    await request(r.http).delete(`/api/v1/tokens/${tokens[0].tokenId}`).set(admin()).expect(204);
    await request(r.http).get('/generic/files/a.txt').set(as(token)).expect(401);
  });

  it('a change made by another node reaches this one through the identity channel', async () => {
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'dave', password: 'dave-password-1234' }).expect(201);
    await request(r.http).post('/api/v1/repositories/files/permissions').set(admin()).send({ subject: { type: 'user', id: 'dave' }, actions: ['read'] }).expect(201);
    const dave = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'dave-ci', user: 'dave' }).expect(201)).body.token as string;
    await request(r.http).get('/generic/files/a.txt').set(as(dave)).expect(200);
    // what another node's projector does when dave is disabled there: change the read model, announce it
    await r.services.infra.sql.transaction(async (tx) => {
      await tx.query(`UPDATE ${projectionTable(usersProjection)} SET disabled = true WHERE user_id = 'dave'`);
      await tx.query(`SELECT pg_notify('strata_identity', 'test')`);
    });
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await request(r.http).get('/generic/files/a.txt').set(as(dave))).status;
      if (status !== 401) await sleep(20);
    }
    expect(status).toBe(401);
  });

  it('repository settings are cached too, and a change made by any node is seen on the next request', async () => {
    await request(r.http).get('/generic/files/a.txt').expect(401);
    // this node: PATCH settles, then the cache is dropped
    await request(r.http).patch('/api/v1/repositories/files').set(admin()).send({ anonymousRead: true }).expect(200);
    await request(r.http).get('/generic/files/a.txt').expect(200);
    // another node: the read model changes there and is announced
    await r.services.infra.sql.transaction(async (tx) => {
      await tx.query(`UPDATE ${projectionTable(repositoriesProjection)} SET config = config || '{"anonymousRead": false}'::jsonb WHERE name = 'files'`);
      await tx.query(`SELECT pg_notify('strata_repositories', 'test')`);
    });
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await request(r.http).get('/generic/files/a.txt')).status;
      if (status !== 401) await sleep(20);
    }
    expect(status).toBe(401);
  });
});
