/**
 * The SQL port: PostgreSQL in both profiles (PGlite embedded, a real server distributed), so there
 * is one dialect, one set of migrations and one set of queries. Write SQL that runs on PostgreSQL 15.
 */
export interface SqlResult<T> {
  rows: T[];
  /** rows returned (SELECT, or RETURNING) or changed (INSERT, UPDATE, DELETE), as PostgreSQL reports it */
  rowCount: number;
}

export interface SqlExecutor {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlResult<T>>;
}

export interface Sql extends SqlExecutor {
  readonly dialect: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel. A notification is a wake-up hint only: it may be lost or coalesced, so a
   * reader always re-reads by position. Returns an unlisten function.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const SQL = Symbol('Sql');
