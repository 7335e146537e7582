import type { UpstreamSecret } from '../../domain/index.js';
import type { Sql, UpstreamAuth } from '../../ports/index.js';

/** Seals and opens secrets (libs/auth SecretBox); `context` binds a sealed value to its repository. */
export interface Sealer {
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

/**
 * Upstream credentials of remote repositories, sealed at rest in `upstream_credentials`: never
 * in the log, never returned by the API; opened only to make an upstream request.
 */
export class UpstreamCredentials {
  constructor(private readonly sql: Sql, private readonly sealer: Sealer) {}

  /** Stores (or with null removes) a repository's credential. */
  async store(repository: string, secret: UpstreamSecret | null): Promise<void> {
    if (secret === null) {
      await this.sql.query('DELETE FROM upstream_credentials WHERE repository = $1', [repository]);
      return;
    }
    const sealed = this.sealer.seal(JSON.stringify(secret), repository);
    await this.sql.query(
      `INSERT INTO upstream_credentials (repository, sealed) VALUES ($1, $2)
       ON CONFLICT (repository) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = now()`,
      [repository, sealed],
    );
  }

  async get(repository: string): Promise<UpstreamAuth | undefined> {
    const row = (await this.sql.query<{ sealed: string }>('SELECT sealed FROM upstream_credentials WHERE repository = $1', [repository])).rows[0];
    return row ? (JSON.parse(this.sealer.open(row.sealed, repository)) as UpstreamAuth) : undefined;
  }
}
