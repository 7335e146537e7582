import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createRegistry, type Registry } from '../../apps/registry/create-registry.js';
import { FsBlobStore } from '../../libs/adapters/blob-store-fs/index.js';
import { PostgresEventStore } from '../../libs/adapters/event-store-postgres/index.js';
import { InProcessQueue } from '../../libs/adapters/queue-in-process/index.js';
import { PgSql } from '../../libs/adapters/sql-pg/index.js';
import { freshPgliteSchema } from './pglite.js';
import { migrate } from '../../libs/app/index.js';
import { loadConfig } from '../../libs/config/config.js';
import type { Infrastructure } from '../../libs/config/infrastructure.js';
import type { Sql } from '../../libs/ports/index.js';
import { testDatabaseUrl } from './services.js';

export interface TestRegistry extends Registry {
  token: string;
  dataDir: string;
  /** everything the registry logged, as text */
  logs(): string;
  /** for tests that need the raw server (e.g. supertest) */
  http: import('node:http').Server;
  stop(): Promise<void>;
}

/**
 * An in-process registry for end-to-end tests over HTTP: PGlite in memory (or a fresh schema on
 * the real server when TEST_DATABASE_URL is set), a filesystem blob store in a temp folder, the
 * in-process queue.
 */
export async function startTestRegistry(env: Record<string, string> = {}): Promise<TestRegistry> {
  const dataDir = await mkdtemp(join(tmpdir(), 'strata-e2e-'));
  const token = `strata_test_${randomBytes(16).toString('hex')}`;
  const config = loadConfig({ STRATA_DATA_DIR: dataDir, STRATA_ADMIN_TOKEN: token, STRATA_CONSISTENCY_TIMEOUT_MS: '5000', ...env });
  let schemaCleanup = async () => undefined as void;
  let sql: Sql;
  if (testDatabaseUrl) {
    const schema = `e2e_${randomBytes(6).toString('hex')}`;
    const admin = new PgSql({ connectionString: testDatabaseUrl });
    await admin.query(`CREATE SCHEMA ${schema}`);
    sql = new PgSql({ connectionString: testDatabaseUrl, schema });
    schemaCleanup = async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    };
    await migrate(sql);
  } else {
    const fixture = await freshPgliteSchema();
    sql = fixture.sql;
    schemaCleanup = fixture.drop;
  }
  const eventStore = new PostgresEventStore(sql);
  await eventStore.start();
  const blobStore = new FsBlobStore({ root: join(dataDir, 'blobs') });
  const queue = new InProcessQueue();
  const infra: Infrastructure = {
    sql,
    eventStore,
    blobStore,
    queue,
    async close() {
      await queue.close();
      await eventStore.close();
      await blobStore.close();
      await sql.close();
    },
  };
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  const logger = pino({ level: env.STRATA_LOG_LEVEL ?? 'info' }, sink);
  const registry = await createRegistry(config, infra, logger);
  return {
    ...registry,
    token,
    dataDir,
    logs: () => logText,
    http: registry.app.getHttpServer(),
    async stop() {
      await registry.close();
      await infra.close();
      await schemaCleanup();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
