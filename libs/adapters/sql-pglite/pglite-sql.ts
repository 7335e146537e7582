import { PGlite } from '@electric-sql/pglite';
import type { Sql, SqlExecutor, SqlResult } from '../../ports/index.js';

/**
 * Embedded PostgreSQL (PGlite) in this process. Only one process may open a data folder (two
 * lose data silently), which is why the CLI and tools go through the HTTP API.
 * `dataDir` undefined keeps everything in memory (tests).
 */
export class PgliteSql implements Sql {
  readonly dialect = 'pglite' as const;

  private constructor(private readonly db: PGlite) {}

  static async open(dataDir?: string): Promise<PgliteSql> {
    const db = dataDir ? new PGlite(dataDir) : new PGlite();
    await db.waitReady;
    return new PgliteSql(db);
  }

  async query<T>(text: string, params?: unknown[]): Promise<SqlResult<T>> {
    return toResult<T>(await this.db.query<T>(text, params as unknown[]));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({ query: async <R>(text: string, params?: unknown[]) => toResult<R>(await tx.query<R>(text, params as unknown[])) }),
    );
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, onNotify);
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

/** rowCount as `pg` gives it: rows returned by a SELECT (PGlite says 0 affected), rows changed otherwise. */
function toResult<T>(r: { rows: T[]; affectedRows?: number }): SqlResult<T> {
  return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
}
