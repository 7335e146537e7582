import { randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Sql } from '../ports/index.js';
import { DomainError } from '../domain/index.js';
import { hashToken } from './token-service.js';

export interface SessionTokens {
  tokenType: 'Bearer';
  accessToken: string;
  /** seconds */
  expiresIn: number;
  refreshToken: string;
  userId: string;
}

const ISSUER = 'strata';
const ACCESS_TTL_S = 15 * 60;
const REFRESH_TTL_MS = 30 * 24 * 3600_000;

/**
 * Human sessions: a short-lived JWT (HS256) for the API and console, and an opaque refresh token
 * (stored hashed, rotated on each use, revocable). Every node must share the signing secret.
 */
export class SessionService {
  private readonly key: Uint8Array;

  constructor(private readonly sql: Sql, secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  static looksLikeJwt(secret: string): boolean {
    return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(secret);
  }

  async issue(userId: string): Promise<SessionTokens> {
    const accessToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience('strata-api')
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${ACCESS_TTL_S}s`)
      .sign(this.key);
    const refreshToken = `strata_rt_${randomBytes(32).toString('base64url')}`;
    await this.sql.query('INSERT INTO refresh_tokens (id, user_id, secret_hash, expires_at) VALUES ($1, $2, $3, $4)', [
      randomUUID(),
      userId,
      hashToken(refreshToken),
      new Date(Date.now() + REFRESH_TTL_MS).toISOString(),
    ]);
    return { tokenType: 'Bearer', accessToken, expiresIn: ACCESS_TTL_S, refreshToken, userId };
  }

  /** The user id of a valid access token; UNAUTHORIZED otherwise. */
  async verify(accessToken: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(accessToken, this.key, { issuer: ISSUER, audience: 'strata-api', algorithms: ['HS256'] });
      if (!payload.sub) throw new Error('no subject');
      return payload.sub;
    } catch {
      throw new DomainError('UNAUTHORIZED', 'invalid or expired session');
    }
  }

  /** Exchanges a refresh token for new tokens; the old refresh token stops working. */
  async refresh(refreshToken: string, userActive: (userId: string) => Promise<boolean>): Promise<SessionTokens> {
    const row = (
      await this.sql.query<{ user_id: string }>(
        'UPDATE refresh_tokens SET revoked_at = now() WHERE secret_hash = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING user_id',
        [hashToken(String(refreshToken))],
      )
    ).rows[0];
    if (!row || !(await userActive(row.user_id))) throw new DomainError('UNAUTHORIZED', 'invalid or expired refresh token');
    return this.issue(row.user_id);
  }

  async revoke(refreshToken: string): Promise<void> {
    await this.sql.query('UPDATE refresh_tokens SET revoked_at = now() WHERE secret_hash = $1 AND revoked_at IS NULL', [hashToken(String(refreshToken))]);
  }
}
