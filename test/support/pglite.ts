import { PgliteSql } from '../../libs/adapters/sql-pglite/index.js';
import { migrate } from '../../libs/app/migrations.js';

/** A fresh in-memory PGlite with migrations applied. */
export async function freshPglite(): Promise<PgliteSql> {
  const sql = await PgliteSql.open();
  await migrate(sql);
  return sql;
}
