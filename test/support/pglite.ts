import { randomBytes } from 'node:crypto';
import { PgliteSql } from '../../libs/adapters/sql-pglite/index.js';
import { migrate } from '../../libs/app/migrations.js';
import type { Sql } from '../../libs/ports/index.js';

let shared: Promise<PgliteSql> | undefined;

/**
 * A fresh, migrated schema in one in-memory PGlite shared by the whole test file. Opening PGlite
 * costs seconds (WASM start-up), a schema costs milliseconds. PGlite is one session, so the
 * schema is selected with `SET search_path`: use one such fixture at a time per file.
 */
export async function freshPgliteSchema(): Promise<{ sql: Sql; drop(): Promise<void> }> {
  shared ??= PgliteSql.open();
  const base = await shared;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await base.query(`CREATE SCHEMA ${schema}`);
  await base.query(`SET search_path TO ${schema}`);
  await migrate(base);
  const sql: Sql = {
    dialect: base.dialect,
    query: (text, params) => base.query(text, params),
    transaction: (fn) => base.transaction(fn),
    listen: (channel, onNotify) => base.listen(channel, onNotify),
    close: async () => undefined,
  };
  return { sql, drop: async () => void (await base.query(`DROP SCHEMA ${schema} CASCADE`)) };
}

/** A fresh in-memory PGlite of its own with migrations applied. */
export async function freshPglite(): Promise<PgliteSql> {
  const sql = await PgliteSql.open();
  await migrate(sql);
  return sql;
}
