import type { Sql } from '../../ports/index.js';

/** What the callback needs from the login that started the flow. */
export interface PendingLogin {
  /** RFC 7636 section 4.1: sent to the token endpoint to prove we started this flow */
  codeVerifier: string;
  /** OpenID Connect Core 1.0 section 3.1.2.1: must come back inside the ID token */
  nonce: string;
  /** same-origin path to send the browser to afterwards */
  returnTo?: string;
}

/** How long a user may take at the identity provider between /login and /callback. */
export const LOGIN_TTL_SECONDS = 600;

/**
 * Logins in flight, keyed by their `state`, in SQL so that the callback may land on another API
 * node than the one that sent the browser away. Each row is taken (deleted) exactly once, so a
 * replayed callback finds nothing.
 *
 * The table is created on first use rather than by a migration: it holds only short-lived,
 * disposable rows, and registries without OIDC never get it.
 */
export class OidcLoginStore {
  private ready?: Promise<void>;

  constructor(private readonly sql: Sql) {}

  async put(state: string, login: PendingLogin): Promise<void> {
    await this.ensureTable();
    // abandoned logins are swept here rather than by a timer: every node starting logins cleans up
    await this.sql.query(`DELETE FROM oidc_logins WHERE created_at < now() - make_interval(secs => $1)`, [LOGIN_TTL_SECONDS]);
    await this.sql.query('INSERT INTO oidc_logins (state, code_verifier, nonce, return_to) VALUES ($1, $2, $3, $4)', [state, login.codeVerifier, login.nonce, login.returnTo ?? null]);
  }

  /** Removes and returns the login for `state`; undefined when unknown, already used or expired. */
  async take(state: string): Promise<PendingLogin | undefined> {
    await this.ensureTable();
    const { rows } = await this.sql.query<{ code_verifier: string; nonce: string; return_to: string | null; fresh: boolean }>(
      `DELETE FROM oidc_logins WHERE state = $1
       RETURNING code_verifier, nonce, return_to, created_at >= now() - make_interval(secs => $2) AS fresh`,
      [state, LOGIN_TTL_SECONDS],
    );
    const row = rows[0];
    if (!row || !row.fresh) return undefined;
    return { codeVerifier: row.code_verifier, nonce: row.nonce, returnTo: row.return_to ?? undefined };
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.createTable().catch((e: unknown) => {
      this.ready = undefined; // the next request tries again (the database may have been down)
      throw e;
    });
    return this.ready;
  }

  private async createTable(): Promise<void> {
    const ddl = `CREATE TABLE IF NOT EXISTS oidc_logins (
      state text PRIMARY KEY,
      code_verifier text NOT NULL,
      nonce text NOT NULL,
      return_to text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`;
    try {
      await this.sql.query(ddl);
    } catch {
      // two nodes creating it at once: PostgreSQL's IF NOT EXISTS is not race-free (the loser gets
      // a unique violation on pg_type); by now the table exists, so a second try succeeds
      await this.sql.query(ddl);
    }
  }
}
