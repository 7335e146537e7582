import { createHash, randomBytes } from 'node:crypto';
import type { SqlExecutor } from '../../ports/index.js';

/** How long `npm login` waits for the browser: the sign-in and npm's collection both fit in it. */
export const WEB_LOGIN_TTL_SECONDS = 300;

/** A login as npm started it: the id of the browser page and the id npm polls, each shown once. */
export interface StartedWebLogin {
  loginId: string;
  doneId: string;
}

/** What npm's poll finds: nothing (unknown, used or expired), a login still waiting, or the signed-in user (once). */
export type WebLoginOutcome = { state: 'unknown' } | { state: 'pending' } | { state: 'signed-in'; userId: string; authMethod: string };

const TABLE = 'npm_web_logins';
/** 256 bits, base64url: unguessable, URL-safe */
const newId = () => randomBytes(32).toString('base64url');
const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');
/** ids we hand out are 43 base64url characters; anything else is not worth a query */
export const isWebLoginId = (id: string) => /^[A-Za-z0-9_-]{43}$/.test(id);

/**
 * npm web logins in flight (migrations/005_npm_web_logins.sql). Two ids per login: the one in the
 * browser's URL (`loginUrl`) and the one npm polls (`doneUrl`), so that whoever sees the page's
 * address (history, a shoulder) cannot collect the token. Only their hashes are stored. A login is
 * signed in at most once and collected at most once: both are single conditional statements, so
 * two API nodes racing on the same row cannot both win.
 */
export class NpmWebLoginStore {
  constructor(private readonly sql: SqlExecutor) {}

  async start(repository: string): Promise<StartedWebLogin> {
    // abandoned logins are swept by the next one rather than by a timer (any node may do it)
    await this.sql.query(`DELETE FROM ${TABLE} WHERE expires_at < now()`);
    const login = { loginId: newId(), doneId: newId() };
    await this.sql.query(`INSERT INTO ${TABLE} (login_hash, done_hash, repository, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`, [
      hashOf(login.loginId),
      hashOf(login.doneId),
      repository,
      WEB_LOGIN_TTL_SECONDS,
    ]);
    return login;
  }

  /** Is `loginId` a login of `repository` still waiting for its user? */
  async isWaiting(repository: string, loginId: string): Promise<boolean> {
    if (!isWebLoginId(loginId)) return false;
    const { rows } = await this.sql.query(`SELECT 1 FROM ${TABLE} WHERE login_hash = $1 AND repository = $2 AND user_id IS NULL AND expires_at > now()`, [hashOf(loginId), repository]);
    return rows.length > 0;
  }

  /** Records who signed in; false when the login is unknown, expired or already signed in. */
  async signIn(repository: string, loginId: string, userId: string, authMethod: string): Promise<boolean> {
    if (!isWebLoginId(loginId)) return false;
    const { rowCount } = await this.sql.query(
      `UPDATE ${TABLE} SET user_id = $3, auth_method = $4 WHERE login_hash = $1 AND repository = $2 AND user_id IS NULL AND expires_at > now()`,
      [hashOf(loginId), repository, userId, authMethod],
    );
    return rowCount > 0;
  }

  /** npm's poll: a signed-in login is removed as it is returned, so its token is minted once. */
  async collect(repository: string, doneId: string): Promise<WebLoginOutcome> {
    if (!isWebLoginId(doneId)) return { state: 'unknown' };
    const hash = hashOf(doneId);
    const taken = await this.sql.query<{ user_id: string; auth_method: string | null }>(
      `DELETE FROM ${TABLE} WHERE done_hash = $1 AND repository = $2 AND user_id IS NOT NULL AND expires_at > now() RETURNING user_id, auth_method`,
      [hash, repository],
    );
    const row = taken.rows[0];
    if (row) return { state: 'signed-in', userId: row.user_id, authMethod: row.auth_method ?? 'password' };
    const { rows } = await this.sql.query(`SELECT 1 FROM ${TABLE} WHERE done_hash = $1 AND repository = $2 AND expires_at > now()`, [hash, repository]);
    return rows.length > 0 ? { state: 'pending' } : { state: 'unknown' };
  }
}
