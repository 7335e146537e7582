import request from 'supertest';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

describe('admin API (problem+json, events, verify, projections, docs)', () => {
  let r: TestRegistry;
  const auth = () => ({ authorization: `Bearer ${r.token}` });
  beforeAll(async () => {
    r = await startTestRegistry();
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('GET /healthz and /readyz answer 200 with every check ok', async () => {
    await request(r.http).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(r.http).get('/readyz').expect(200);
    expect(ready.body.checks).toEqual({ sql: 'ok', eventStore: 'ok', blobStore: 'ok', projections: 'ok' });
  });

  it('creates, lists, shows, configures and deletes a repository, each as one event', async () => {
    const created = await request(r.http).post('/api/v1/repositories').set(auth()).send({ name: 'libs', format: 'generic', description: 'shared libs' }).expect(201);
    expect(created.headers.location).toBe('/api/v1/repositories/libs');
    expect(created.body).toMatchObject({ name: 'libs', format: 'generic', type: 'hosted', config: { anonymousRead: false, allowRedeploy: false, maxUploadBytes: 10 * 1024 ** 3, description: 'shared libs' } });
    expect((await request(r.http).get('/api/v1/repositories').set(auth()).expect(200)).body.items.map((x: { name: string }) => x.name)).toContain('libs');
    await request(r.http).get('/api/v1/repositories/libs').set(auth()).expect(200);
    const configured = await request(r.http).patch('/api/v1/repositories/libs').set(auth()).send({ anonymousRead: true }).expect(200);
    expect(configured.body.config).toMatchObject({ anonymousRead: true, description: 'shared libs' });
    await request(r.http).delete('/api/v1/repositories/libs').set(auth()).expect(204);
    await request(r.http).get('/api/v1/repositories/libs').set(auth()).expect(404);
    const events = (await request(r.http).get('/api/v1/events?from=1&limit=100').set(auth()).expect(200)).body.items;
    const mine = events.filter((e: { streamId: string }) => e.streamId === 'repository-libs').map((e: { type: string }) => e.type);
    expect(mine).toEqual(['RepositoryCreated', 'RepositoryConfigured', 'RepositoryDeleted']);
    const meta = events.find((e: { streamId: string }) => e.streamId === 'repository-libs').metadata;
    expect(meta).toMatchObject({ actor: 'token:bootstrap-admin', authMethod: 'bootstrap-token' });
    expect(meta.correlationId).toEqual(expect.any(String));
  });

  it.each([
    [{ name: 'Bad_Name', format: 'generic' }, 'INVALID_NAME'],
    [{ name: 'a/b', format: 'generic' }, 'INVALID_NAME'],
    [{ name: 'ok', format: 'nope' }, 'BAD_REQUEST'],
    [{ name: 'ok', format: 'generic', type: 'weird' }, 'BAD_REQUEST'],
    [{ name: 'ok', format: 'generic', maxUploadBytes: -1 }, 'BAD_REQUEST'],
    [{ name: 'ok', format: 'generic', surprise: true }, 'BAD_REQUEST'],
    [{ name: 'ok', format: 'generic', type: 'remote' }, 'BAD_REQUEST'],
    [{ name: 'ok', format: 'generic', type: 'virtual', members: [] }, 'BAD_REQUEST'],
  ])('refuses %j with a problem+json 400 and appends nothing', async (body, code) => {
    const head = (await request(r.http).get('/api/v1/events?limit=1').set(auth())).headers['x-strata-head-position'];
    const res = await request(r.http).post('/api/v1/repositories').set(auth()).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code, title: expect.any(String), detail: expect.any(String) });
    expect((await request(r.http).get('/api/v1/events?limit=1').set(auth())).headers['x-strata-head-position']).toBe(head);
  });

  it('refuses a malformed JSON body with a problem+json 400', async () => {
    const res = await request(r.http).post('/api/v1/repositories').set(auth()).set('content-type', 'application/json').send('{"name":').expect(400);
    expect(res.body.status).toBe(400);
  });

  it('creates remote and virtual repositories with their settings', async () => {
    await request(r.http).post('/api/v1/repositories').set(auth()).send({ name: 'up', format: 'generic', type: 'remote', upstream: { url: 'https://example.org/files/' } }).expect(201);
    const v = await request(r.http).post('/api/v1/repositories').set(auth()).send({ name: 'all', format: 'generic', type: 'virtual', members: ['up'] }).expect(201);
    expect(v.body).toMatchObject({ type: 'virtual', config: { members: ['up'] } });
  });

  it('refuses a second repository with the same name (409)', async () => {
    await request(r.http).post('/api/v1/repositories').set(auth()).send({ name: 'dup', format: 'generic' }).expect(201);
    const res = await request(r.http).post('/api/v1/repositories').set(auth()).send({ name: 'dup', format: 'generic' }).expect(409);
    expect(res.body.code).toBe('ALREADY_EXISTS');
  });

  it('gives exactly one winner when the same repository is created concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => request(r.http).post('/api/v1/repositories').set(auth()).send({ name: 'race', format: 'generic' })));
    expect(results.map((x) => x.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it('pages the log by position with the head in a header, and long-polls with waitMs', async () => {
    const first = await request(r.http).get('/api/v1/events?from=1&limit=2').set(auth()).expect(200);
    expect(first.body.items.map((e: { position: number }) => e.position)).toEqual([1, 2]);
    expect(first.body.next).toBe(3);
    const head = Number(first.headers['x-strata-head-position']);
    const pending = request(r.http).get(`/api/v1/events?from=${head + 1}&waitMs=5000`).set(auth());
    const started = Date.now();
    const late = new Promise((resolve) => setTimeout(resolve, 200)).then(() => request(r.http).post('/api/v1/repositories').set(auth()).send({ name: 'late', format: 'generic' }));
    const res = await pending;
    // the long poll answers at the append; the create answers once its read model has it
    expect((await late).status).toBe(201);
    expect(res.body.items[0]).toMatchObject({ position: head + 1, type: 'RepositoryCreated' });
    expect(Date.now() - started).toBeLessThan(4000);
    await request(r.http).get('/api/v1/events?from=abc').set(auth()).expect(400);
  });

  it('verifies the hash chain', async () => {
    const res = await request(r.http).get('/api/v1/events/verify').set(auth()).expect(200);
    expect(res.body).toMatchObject({ ok: true, events: expect.any(Number), head: expect.stringMatching(/^[a-f0-9]{64}$/) });
  });

  it('reports projections, rebuilds one with progress, and verifies it', async () => {
    const status = await request(r.http).get('/api/v1/projections').set(auth()).expect(200);
    expect(status.body.items.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['repositories', 'blob-references', 'generic-files']));
    const before = (await request(r.http).get('/api/v1/repositories').set(auth())).body.items;
    await request(r.http).post('/api/v1/projections/repositories/rebuild').set(auth()).expect(202);
    for (let i = 0; i < 100; i++) {
      const p = (await request(r.http).get('/api/v1/projections/repositories').set(auth())).body;
      if (p.state === 'live') break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect((await request(r.http).get('/api/v1/repositories').set(auth())).body.items).toEqual(before);
    const verdict = await request(r.http).post('/api/v1/projections/repositories/verify').set(auth()).expect(200);
    expect(verdict.body).toMatchObject({ ok: true, missing: 0, extra: 0 });
    await request(r.http).post('/api/v1/projections/nope/verify').set(auth()).expect(404);
  });

  it('serves the OpenAPI document and Prometheus metrics', async () => {
    const doc = await request(r.http).get('/api/docs').expect(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/repositories', '/api/v1/events', '/api/v1/gc']));
    const metrics = await request(r.http).get('/metrics').expect(200);
    for (const name of ['strata_http_requests_total', 'strata_http_request_duration_seconds', 'strata_bytes_in_total', 'strata_uploads_in_flight', 'strata_event_store_head_position', 'strata_projection_lag_events', 'strata_blob_store_bytes']) {
      expect(metrics.text).toContain(name);
    }
    expect(metrics.text).toMatch(/strata_http_requests_total\{format="admin",route="\/api\/v1\/repositories",method="POST",status="201"\} \d+/);
  });

  it('answers unknown routes with a problem+json 404', async () => {
    const res = await request(r.http).get('/api/v1/nothing-here').set(auth()).expect(404);
    expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});
