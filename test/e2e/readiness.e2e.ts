import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

describe('readiness and bounded read-your-writes when no projector runs (STRATA_ROLE=api)', () => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startTestRegistry({ STRATA_ROLE: 'api', STRATA_CONSISTENCY_TIMEOUT_MS: '200' });
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('answers a write after the bounded wait, and /readyz is 503 while projections lag', async () => {
    const started = Date.now();
    await request(r.http).post('/api/v1/repositories').set('authorization', `Bearer ${r.token}`).send({ name: 'lagging', format: 'generic' }).expect(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    const ready = await request(r.http).get('/readyz').expect(503);
    expect(ready.body.checks.projections).toMatch(/repositories is 1 events behind/);
    // a projector catching up makes it ready
    await r.services.runner.catchUp('repositories');
    for (const p of r.services.runner.projections) await r.services.runner.catchUp(p.name);
    await request(r.http).get('/readyz').expect(200);
  });
});

describe('upload limit enforced while streaming a chunked body (no Content-Length)', () => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startTestRegistry();
    await request(r.http).post('/api/v1/repositories').set('authorization', `Bearer ${r.token}`).send({ name: 'small', format: 'generic', maxUploadBytes: 64 * 1024 }).expect(201);
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('cuts the upload off with 413 once the limit is passed and stores nothing', async () => {
    await new Promise<void>((resolve) => r.http.listen(0, '127.0.0.1', resolve));
    const { port } = r.http.address() as AddressInfo;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: '/generic/small/big.bin', headers: { authorization: `Bearer ${r.token}`, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < 1024 * 1024) {
          sent += 16 * 1024;
          if (!req.write(Buffer.alloc(16 * 1024, 1))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    await request(r.http).get('/generic/small/big.bin').set('authorization', `Bearer ${r.token}`).expect(404);
    const events = (await request(r.http).get('/api/v1/events?limit=100').set('authorization', `Bearer ${r.token}`)).body.items;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['RepositoryCreated']);
    r.http.close();
  });
});
