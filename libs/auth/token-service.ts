import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../ports/index.js';

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
export const newTokenSecret = () => `strata_${randomBytes(32).toString('base64url')}`;
export const BOOTSTRAP_TOKEN_ID = 'bootstrap-admin';

/**
 * Token secrets: only their sha256 is stored (migrations/003_api_tokens.sql), the secret is shown
 * once. A token's metadata (owner, expiry, scope, revocation) is the `tokens` projection.
 */
export class TokenService {
  constructor(private readonly sql: Sql) {}

  /** Registers (or rotates) the bootstrap admin token's hash. */
  async installBootstrapToken(secret: string): Promise<void> {
    await this.sql.query(
      `INSERT INTO api_tokens (id, name, secret_hash, principal, is_admin) VALUES ($1, 'bootstrap admin token', $2, 'admin', true)
       ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, revoked_at = NULL`,
      [BOOTSTRAP_TOKEN_ID, hashToken(secret)],
    );
  }

  /** Stores a new secret's hash for `tokenId`; returns the secret (shown once). */
  async createSecret(tokenId: string, name: string, userId: string): Promise<string> {
    const secret = newTokenSecret();
    await this.sql.query('INSERT INTO api_tokens (id, name, secret_hash, principal, is_admin) VALUES ($1, $2, $3, $4, false)', [tokenId, name, hashToken(secret), userId]);
    return secret;
  }

  /** Forgets a secret whose TokenIssued event was never appended. */
  async discardSecret(tokenId: string): Promise<void> {
    await this.sql.query('DELETE FROM api_tokens WHERE id = $1', [tokenId]);
  }

  async lastUsed(tokenIds: string[]): Promise<Map<string, string | null>> {
    const rows = (await this.sql.query<{ id: string; last_used_at: Date | null }>('SELECT id, last_used_at FROM api_tokens WHERE id = ANY($1)', [tokenIds])).rows;
    return new Map(rows.map((r) => [r.id, r.last_used_at ? new Date(r.last_used_at).toISOString() : null]));
  }
}
