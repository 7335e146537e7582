import request from 'supertest';
import { npmFormat } from '../../libs/formats/npm/index.js';
import { pypiFormat } from '../../libs/formats/pypi/index.js';
import { loadProjectionDdl } from '../../libs/app/projections/ddl.js';
import { blobReferencesProjection, historyProjection } from '../../libs/app/index.js';
import { projectionTable, type Projection } from '../../libs/ports/index.js';
import type { EventMetadata, RecordedEvent } from '../../libs/domain/index.js';
import { packageTarball, publishDocument } from '../support/npm-fixtures.js';
import { multipartBody, sdistOf, uploadFields, wheelOf } from '../support/pypi-fixtures.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

/**
 * Projections that fold a run of events at once (applyBatch) must leave exactly the rows that
 * one event at a time leaves, and that the live runner left: checked on a real history.
 */
describe('batched projections equal one-event-at-a-time projections on a real history', () => {
  let r: TestRegistry;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const meta = { actor: 'test', authMethod: 'token', clientIp: '127.0.0.1', userAgent: 'jest', correlationId: 'c', causationId: 'c', recordedAt: new Date().toISOString() } as unknown as EventMetadata;

  beforeAll(async () => {
    r = await startTestRegistry();
    for (const repo of ['js', 'js2']) await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: repo, format: 'npm' }).expect(201);
    for (const repo of ['py', 'py2']) await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: repo, format: 'pypi' }).expect(201);
    for (const [repo, name] of [['py', 'demo-lib'], ['py', 'other'], ['py2', 'demo-lib']]) {
      for (const version of ['1.0', '1.1', '2.0rc1']) {
        for (const dist of [wheelOf(name, version), await sdistOf(name, version)]) {
          const { body, contentType } = multipartBody(await uploadFields(name, version, dist.filename, dist.bytes), dist);
          await request(r.http).post(`/pypi/${repo}/`).set(admin()).set('content-type', contentType).send(body).expect(200);
        }
      }
      const target = { repository: repo, format: 'pypi', name };
      await r.services.artifactCommands.yank(target, '1.0', true, 'broken', meta);
      await r.services.artifactCommands.delete(repo, 'pypi', name, '1.1', meta);
      await r.services.artifactCommands.yank(target, '1.0', false, undefined, meta);
    }
    await request(r.http).delete('/api/v1/repositories/py2').set(admin()).expect(204);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: 'alice-password-123' }).expect(201);
    const a = r.services.artifactCommands;
    for (const [repo, name] of [['js', 'left'], ['js', '@acme/right'], ['js2', 'left']]) {
      for (const version of ['1.0.0', '1.1.0', '2.0.0-beta.1', '2.0.0']) {
        const doc = publishDocument(name, version, await packageTarball(name, version), { tag: version.includes('beta') ? 'next' : 'latest' });
        await request(r.http).put(`/npm/${repo}/${name.replace('/', '%2f')}`).set(admin()).set('content-type', 'application/json').send(JSON.stringify(doc)).expect(201);
      }
      const target = { repository: repo, format: 'npm', name };
      await a.setTag(target, 'stable', '1.1.0', meta);
      await a.deprecate(target, '1.0.0', 'use 1.1', meta);
      await a.delete(repo, 'npm', name, '2.0.0', meta, (remaining) => remaining.sort().at(-1));
      await a.removeTag(target, 'stable', meta);
      await a.deprecate(target, '1.0.0', '', meta);
    }
    const grant = await request(r.http).post('/api/v1/repositories/js/permissions').set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['write'], pattern: 'left' }).expect(201);
    await request(r.http).post('/api/v1/repositories/js/permissions').set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['write'], pattern: '@acme/right' }).expect(201);
    await request(r.http).delete(`/api/v1/repositories/js/permissions/${grant.body.grantId}`).set(admin()).expect(204);
    await request(r.http).delete('/api/v1/repositories/js2').set(admin()).expect(204);
  });
  afterAll(() => r?.stop());

  const rebuild = async (p: Projection, table: string, batchSize: number) => {
    const sql = r.services.infra.sql;
    await sql.query(`DROP TABLE IF EXISTS ${table}`);
    for (const statement of await loadProjectionDdl(p.ddl, table)) await sql.query(statement);
    const events = (await r.services.infra.eventStore.readAll(1, 100_000)).filter((e: RecordedEvent) => p.handles.includes(e.type));
    for (let i = 0; i < events.length; i += batchSize) {
      const run = events.slice(i, i + batchSize);
      await sql.transaction(async (tx) => {
        if (batchSize === 1) await p.apply(run[0], tx, table);
        else await p.applyBatch!(run, tx, table);
      });
    }
    return (await sql.query(`SELECT * FROM ${table} ORDER BY 1, 2, 3, 4, 5, 6`)).rows;
  };

  it.each([...npmFormat.projections, ...pypiFormat.projections, blobReferencesProjection, historyProjection].filter((p) => p.applyBatch).map((p) => [p.name, p] as const))('%s', async (_name, p) => {
    const live = (await r.services.infra.sql.query(`SELECT * FROM ${projectionTable(p)} ORDER BY 1, 2, 3, 4, 5, 6`)).rows;
    expect(live.length).toBeGreaterThanOrEqual(2);
    expect(await rebuild(p, 'check_one_by_one', 1)).toEqual(live);
    expect(await rebuild(p, 'check_batched', 10_000)).toEqual(live);
    expect(await rebuild(p, 'check_batches_of_3', 3)).toEqual(live);
  });
});
