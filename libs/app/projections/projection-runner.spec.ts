import { PostgresEventStore } from '../../adapters/event-store-postgres/index.js';
import type { NewEvent } from '../../ports/index.js';
import { projectionTable } from '../../ports/index.js';
import { freshPglite } from '../../../test/support/pglite.js';
import type { PgliteSql } from '../../adapters/sql-pglite/index.js';
import { ProjectionRunner } from './projection-runner.js';
import { repositoriesProjection } from './repositories.projection.js';

const meta = { actor: 'admin', authMethod: 'system', correlationId: 'c' };
const created = (name: string): NewEvent => ({
  type: 'RepositoryCreated',
  schemaVersion: 1,
  data: { repository: name, format: 'generic', repositoryType: 'hosted', config: { anonymousRead: false, allowRedeploy: false, maxUploadBytes: 10 } },
  metadata: meta,
});
const deleted = (name: string): NewEvent => ({ type: 'RepositoryDeleted', schemaVersion: 1, data: { repository: name }, metadata: meta });

describe('projection runner', () => {
  let sql: PgliteSql;
  let store: PostgresEventStore;
  const table = projectionTable(repositoriesProjection);
  const names = async () => (await sql.query<{ name: string }>(`SELECT name FROM ${table} ORDER BY name`)).rows.map((r) => r.name);

  beforeAll(async () => {
    sql = await freshPglite();
    store = new PostgresEventStore(sql);
    await store.start();
  });
  afterAll(async () => {
    await store.close();
    await sql.close();
  });

  it('applies events live, stores the checkpoint, and answers waitFor (read-your-writes)', async () => {
    const runner = new ProjectionRunner(sql, store, [repositoriesProjection], { pollMs: 50 });
    await runner.init();
    runner.start();
    const { position } = await store.append('repository-a', [created('a')], 0);
    await store.append('repository-b', [created('b')], 0);
    await runner.waitFor(position, ['repositories'], 2000);
    expect(await names()).toContain('a');
    const last = await store.append('repository-a', [deleted('a')], 1);
    await runner.waitFor(last.position);
    expect(await names()).toEqual(['b']);
    const [status] = await runner.status();
    expect(status).toMatchObject({ name: 'repositories', position: last.position, lag: 0, state: 'live' });
    await runner.stop();
  });

  it('applies each event exactly once when two runners race on the same log (two processes)', async () => {
    const one = new ProjectionRunner(sql, store, [repositoriesProjection], { pollMs: 20 });
    const two = new ProjectionRunner(sql, store, [repositoriesProjection], { pollMs: 20 });
    await one.init();
    await two.init();
    for (let i = 0; i < 30; i++) await store.append(`repository-r${i}`, [created(`r${i}`)], 0);
    // both try to apply the same batches; the checkpoint row lock makes the second a no-op
    await Promise.all([one.catchUp('repositories'), two.catchUp('repositories'), one.catchUp('repositories')]);
    expect((await names()).filter((n) => n.startsWith('r'))).toHaveLength(30);
    const head = (await store.head()).position;
    await two.waitFor(head, ['repositories'], 2000);
  });

  it('rebuilds into a shadow table and swaps it in with the same rows', async () => {
    const runner = new ProjectionRunner(sql, store, [repositoriesProjection]);
    await runner.init();
    await runner.catchUp('repositories');
    const before = await names();
    await sql.query(`DELETE FROM ${table} WHERE name = 'b'`); // damage the live table
    expect((await runner.verify('repositories'))).toMatchObject({ ok: false, missing: 1, extra: 0 });
    await runner.rebuild('repositories');
    expect(await names()).toEqual(before);
    expect(await runner.verify('repositories')).toMatchObject({ ok: true, missing: 0, extra: 0, rows: before.length });
    // a second rebuild works too (constraint and index names do not collide after the rename)
    await runner.rebuild('repositories');
    expect(await names()).toEqual(before);
  });

  it('times out waitFor with a clear error when the position is never reached', async () => {
    const runner = new ProjectionRunner(sql, store, [repositoriesProjection]);
    await expect(runner.waitFor(10_000, ['repositories'], 100)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
