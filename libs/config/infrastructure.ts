import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore, EventStore, Queue, Sql } from '../ports/index.js';
import type { StrataConfig } from './config.js';

export interface Infrastructure {
  sql: Sql;
  eventStore: EventStore;
  blobStore: BlobStore;
  queue: Queue;
  close(): Promise<void>;
}

/**
 * Picks the adapters for the configured profile. Vendor SDKs load only when chosen (dynamic
 * imports), so the embedded profile never loads the S3, Redis or EventStoreDB clients.
 */
export async function openInfrastructure(config: StrataConfig, migrate: (sql: Sql) => Promise<unknown>): Promise<Infrastructure> {
  await mkdir(config.dataDir, { recursive: true });
  const sql = await openSql(config);
  await migrate(sql);
  const eventStore = await openEventStore(config, sql);
  const blobStore = await openBlobStore(config);
  const queue = await openQueue(config);
  return {
    sql,
    eventStore,
    blobStore,
    queue,
    async close() {
      await queue.close().catch(() => undefined);
      await eventStore.close().catch(() => undefined);
      await blobStore.close().catch(() => undefined);
      await sql.close().catch(() => undefined);
    },
  };
}

async function openSql(config: StrataConfig): Promise<Sql> {
  if (config.databaseUrl) {
    const { PgSql } = await import('../adapters/sql-pg/index.js');
    return new PgSql({ connectionString: config.databaseUrl, max: 20 });
  }
  const { PgliteSql } = await import('../adapters/sql-pglite/index.js');
  const dir = join(config.dataDir, 'pg');
  await mkdir(dir, { recursive: true });
  return PgliteSql.open(dir);
}

async function openEventStore(config: StrataConfig, sql: Sql): Promise<EventStore> {
  if (config.eventStore === 'eventstoredb') {
    const { EsdbEventStore } = await import('../adapters/event-store-esdb/index.js');
    const store = new EsdbEventStore(config.eventStoreUrl!);
    return store;
  }
  const { PostgresEventStore } = await import('../adapters/event-store-postgres/index.js');
  const store = new PostgresEventStore(sql);
  await store.start();
  return store;
}

async function openBlobStore(config: StrataConfig): Promise<BlobStore> {
  if (config.s3) {
    const { S3BlobStore } = await import('../adapters/blob-store-s3/index.js');
    const store = new S3BlobStore({ ...config.s3, accessKeyId: config.s3.accessKeyId ?? '', secretAccessKey: config.s3.secretAccessKey ?? '' });
    await store.init();
    return store;
  }
  const { FsBlobStore } = await import('../adapters/blob-store-fs/index.js');
  return new FsBlobStore({ root: join(config.dataDir, 'blobs') });
}

async function openQueue(config: StrataConfig): Promise<Queue> {
  if (config.redisUrl) {
    const { BullMqQueue } = await import('../adapters/queue-bullmq/index.js');
    return new BullMqQueue({ url: config.redisUrl });
  }
  const { InProcessQueue } = await import('../adapters/queue-in-process/index.js');
  return new InProcessQueue();
}
