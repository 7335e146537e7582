import { hash, verify } from '@node-rs/argon2';
import type { Sql } from '../ports/index.js';
import { DomainError } from '../domain/index.js';

// argon2id with the library's defaults (m=19 MiB, t=2, p=1: OWASP's recommended minimum)
const DUMMY = hash('strata-dummy-password-for-constant-time');

/** Local passwords, argon2id-hashed, in a table outside the log. */
export class PasswordStore {
  constructor(private readonly sql: Sql) {}

  static assertAcceptable(password: unknown): asserts password is string {
    if (typeof password !== 'string' || password.length < 12 || password.length > 256) {
      throw new DomainError('BAD_REQUEST', 'passwords are 12-256 characters');
    }
  }

  async set(userId: string, password: string): Promise<void> {
    PasswordStore.assertAcceptable(password);
    await this.sql.query(
      `INSERT INTO user_credentials (user_id, password_hash) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()`,
      [userId, await hash(password)],
    );
  }

  /** Verifies; an unknown user costs the same as a wrong password (a dummy hash is checked). */
  async verify(userId: string, password: string): Promise<boolean> {
    const row = (await this.sql.query<{ password_hash: string }>('SELECT password_hash FROM user_credentials WHERE user_id = $1', [userId])).rows[0];
    const ok = await verify(row?.password_hash ?? (await DUMMY), password).catch(() => false);
    return ok && !!row;
  }
}
