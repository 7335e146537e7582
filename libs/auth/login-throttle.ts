import type { Sql } from '../ports/index.js';
import { DomainError } from '../domain/index.js';

export interface ThrottleLimits {
  perUser: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perUser: 5, perAddress: 20, windowMs: 15 * 60_000 };

/**
 * Failed sign-ins are counted per user and per client address in SQL, so every node sees the
 * same counts. Past a limit, sign-in answers 429 until the window ends, whatever the password.
 */
export class LoginThrottle {
  constructor(private readonly sql: Sql, private readonly limits: ThrottleLimits = DEFAULT_THROTTLE) {}

  async check(userId: string, address: string): Promise<void> {
    const rows = (
      await this.sql.query<{ key: string; failures: number; window_start: Date }>('SELECT key, failures, window_start FROM login_failures WHERE key = ANY($1)', [[`user:${userId}`, `ip:${address}`]])
    ).rows;
    for (const r of rows) {
      const limit = r.key.startsWith('user:') ? this.limits.perUser : this.limits.perAddress;
      const until = new Date(r.window_start).getTime() + this.limits.windowMs;
      if (r.failures >= limit && until > Date.now()) {
        throw new DomainError('RATE_LIMITED', 'too many failed sign-ins; try again later', { retryAfterSeconds: Math.ceil((until - Date.now()) / 1000) });
      }
    }
  }

  async failed(userId: string, address: string): Promise<void> {
    for (const key of [`user:${userId}`, `ip:${address}`]) {
      await this.sql.query(
        `INSERT INTO login_failures (key, failures, window_start) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_failures.window_start < now() - make_interval(secs => $2) THEN 1 ELSE login_failures.failures + 1 END,
           window_start = CASE WHEN login_failures.window_start < now() - make_interval(secs => $2) THEN now() ELSE login_failures.window_start END`,
        [key, this.limits.windowMs / 1000],
      );
    }
  }

  async succeeded(userId: string): Promise<void> {
    await this.sql.query('DELETE FROM login_failures WHERE key = $1', [`user:${userId}`]);
  }
}
