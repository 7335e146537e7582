import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { SqlExecutor } from '../../ports/index.js';

/** How long an AuthnRequest may wait for its answer (the person signs in at the IdP meanwhile). */
export const SAML_REQUEST_TTL_MS = 60 * 60 * 1000;

const DDL = 'CREATE TABLE IF NOT EXISTS saml_requests (id text primary key, created_at timestamptz default now())';
// 42P07: relation exists; 23505: two nodes racing on CREATE TABLE IF NOT EXISTS collide on pg_type.
const ALREADY_CREATED = new Set(['42P07', '23505']);

/**
 * The ids of AuthnRequests we sent and are still waiting for, in SQL so that every API node sees
 * them: the IdP's answer may reach another node than the one that redirected the browser. A
 * Response is accepted only if its InResponseTo names one of them (SAML 2.0 profiles 4.1.4.3),
 * and the id is deleted on use, so a captured Response cannot be replayed.
 *
 * Implements node-saml's CacheProvider (key: request id; value: ignored, the row's own
 * created_at is what `getAsync` answers, which node-saml reads as the request's instant).
 */
export class SqlSamlRequestStore implements CacheProvider {
  private ready?: Promise<void>;

  constructor(private readonly sql: SqlExecutor, private readonly ttlMs: number = SAML_REQUEST_TTL_MS) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    await this.ensureTable();
    // expired requests are pruned here: the table stays as small as the logins in flight
    await this.sql.query(`DELETE FROM saml_requests WHERE created_at < now() - $1::bigint * interval '1 millisecond'`, [this.ttlMs]);
    const r = await this.sql.query<{ created_at: Date | string }>('INSERT INTO saml_requests (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING created_at', [key]);
    return r.rows[0] ? { value, createdAt: new Date(r.rows[0].created_at).getTime() } : null;
  }

  async getAsync(key: string): Promise<string | null> {
    await this.ensureTable();
    const r = await this.sql.query<{ created_at: Date | string }>(
      `SELECT created_at FROM saml_requests WHERE id = $1 AND created_at >= now() - $2::bigint * interval '1 millisecond'`,
      [key, this.ttlMs],
    );
    return r.rows[0] ? new Date(r.rows[0].created_at).toISOString() : null;
  }

  /** Answers the key only when this call deleted it: of two concurrent callers exactly one wins. */
  async removeAsync(key: string | null): Promise<string | null> {
    if (key == null) return null;
    await this.ensureTable();
    const r = await this.sql.query('DELETE FROM saml_requests WHERE id = $1 RETURNING id', [key]);
    return r.rowCount > 0 ? key : null;
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.sql.query(DDL).then(
      () => undefined,
      (e: { code?: string }) => {
        if (ALREADY_CREATED.has(e.code ?? '')) return;
        this.ready = undefined; // try again on the next request (e.g. the database was down)
        throw e;
      },
    );
    return this.ready;
  }
}
