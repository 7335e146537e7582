import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../ports/index.js';
import type { Principal } from './principal.js';

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
export const newTokenSecret = () => `strata_${randomBytes(32).toString('base64url')}`;

const BOOTSTRAP_ID = 'bootstrap-admin';

/**
 * API tokens: only the sha256 of a secret is stored (migrations/003_api_tokens.sql); the secret
 * is shown once. Until the identity issue lands the bootstrap admin token is the only token.
 */
export class TokenService {
  constructor(private readonly sql: Sql) {}

  /** Registers (or rotates) the bootstrap admin token's hash. */
  async installBootstrapToken(secret: string): Promise<void> {
    await this.sql.query(
      `INSERT INTO api_tokens (id, name, secret_hash, principal, is_admin) VALUES ($1, 'bootstrap admin token', $2, 'admin', true)
       ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, revoked_at = NULL`,
      [BOOTSTRAP_ID, hashToken(secret)],
    );
  }

  /** The principal for a presented secret, or null. Lookup is by hash; the compare is constant-time. */
  async authenticate(secret: string | undefined): Promise<Principal | null> {
    if (!secret || secret.length > 512) return null;
    const hash = hashToken(secret);
    const row = (
      await this.sql.query<{ id: string; secret_hash: string; is_admin: boolean }>(
        'SELECT id, secret_hash, is_admin FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL',
        [hash],
      )
    ).rows[0];
    if (!row || !timingSafeEqual(Buffer.from(row.secret_hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
    return { id: `token:${row.id}`, tokenId: row.id, isAdmin: row.is_admin, authMethod: row.id === BOOTSTRAP_ID ? 'bootstrap-token' : 'token' };
  }
}
