import pg from 'pg';
import type { Sql, SqlExecutor, SqlResult } from '../../ports/index.js';

const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PgSqlOptions {
  connectionString: string;
  /** search_path for every connection (tests isolate themselves in a schema) */
  schema?: string;
  max?: number;
}

/** A PostgreSQL server through a `pg` pool. int8 values come back as numbers (positions fit). */
export class PgSql implements Sql {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private listener?: pg.Client;
  private readonly channels = new Map<string, Set<(payload: string) => void>>();

  constructor(private readonly options: PgSqlOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      types,
      options: options.schema ? `-c search_path=${options.schema}` : undefined,
    });
    // An idle client that errors (server restart) must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
  }

  async query<T>(text: string, params?: unknown[]): Promise<SqlResult<T>> {
    const r = await this.pool.query(text, params);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn({
        query: async <R>(text: string, params?: unknown[]) => {
          const r = await client.query(text, params);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    const listener = await this.listenerClient();
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
      await listener.query(`LISTEN ${channel}`);
    }
    handlers.add(onNotify);
    return async () => {
      handlers!.delete(onNotify);
    };
  }

  private async listenerClient(): Promise<pg.Client> {
    if (this.listener) return this.listener;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      options: this.options.schema ? `-c search_path=${this.options.schema}` : undefined,
    });
    client.on('notification', (n) => this.channels.get(n.channel)?.forEach((h) => h(n.payload ?? '')));
    // A lost LISTEN connection only loses wake-up hints: readers poll as a fallback.
    client.on('error', () => {
      this.listener = undefined;
    });
    await client.connect();
    this.listener = client;
    return client;
  }

  async close(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
    await this.pool.end();
  }
}
