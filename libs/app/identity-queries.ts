import { DomainError, type Action } from '../domain/index.js';
import { projectionTable, type Sql } from '../ports/index.js';
import { groupMembersProjection, grantsProjection, tokensProjection, usersProjection } from '../auth/projections/identity.projections.js';

const T = {
  users: projectionTable(usersProjection),
  members: projectionTable(groupMembersProjection),
  grants: projectionTable(grantsProjection),
  tokens: projectionTable(tokensProjection),
};
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export interface UserView { userId: string; source: string; admin: boolean; disabled: boolean; groups: string[]; createdAt: string }
export interface GrantView { grantId: string; repository: string; subject: { type: string; id: string }; actions: Action[]; pattern?: string; grantedAt: string; grantedBy: string }
export interface TokenView { tokenId: string; userId: string; name: string; expiresAt: string | null; readOnly: boolean; repositories: string[] | null; cidrs: string[] | null; createdAt: string; revokedAt: string | null }

/** Reads identity read models. */
export class IdentityQueries {
  constructor(private readonly sql: Sql) {}

  async users(): Promise<UserView[]> {
    const rows = (await this.sql.query<{ user_id: string; source: string; admin: boolean; disabled: boolean; created_at: Date; groups: string[] }>(
      `SELECT u.user_id, u.source, u.admin, u.disabled, u.created_at,
              coalesce(array_agg(m.group_name ORDER BY m.group_name) FILTER (WHERE m.group_name IS NOT NULL), '{}') AS groups
         FROM ${T.users} u LEFT JOIN ${T.members} m ON m.user_id = u.user_id GROUP BY u.user_id ORDER BY u.user_id`,
    )).rows;
    return rows.map((r) => ({ userId: r.user_id, source: r.source, admin: r.admin, disabled: r.disabled, groups: r.groups, createdAt: iso(r.created_at)! }));
  }

  async user(userId: string): Promise<UserView> {
    const u = (await this.users()).find((x) => x.userId === userId);
    if (!u) throw new DomainError('NOT_FOUND', `user "${userId}" does not exist`);
    return u;
  }

  async userExists(userId: string): Promise<boolean> {
    return (await this.sql.query(`SELECT 1 FROM ${T.users} WHERE user_id = $1`, [userId])).rows.length > 0;
  }

  async groups(): Promise<{ name: string; members: string[] }[]> {
    const rows = (await this.sql.query<{ group_name: string; members: string[] }>(
      `SELECT group_name, coalesce(array_agg(user_id ORDER BY user_id) FILTER (WHERE user_id <> ''), '{}') AS members FROM ${T.members} GROUP BY group_name ORDER BY group_name`,
    )).rows;
    return rows.map((r) => ({ name: r.group_name, members: r.members }));
  }

  async group(name: string): Promise<{ name: string; members: string[] }> {
    const g = (await this.groups()).find((x) => x.name === name);
    if (!g) throw new DomainError('NOT_FOUND', `group "${name}" does not exist`);
    return g;
  }

  async grants(repository: string): Promise<GrantView[]> {
    const rows = (await this.sql.query<{ grant_id: string; repository: string; subject_type: string; subject_id: string; actions: Action[]; pattern: string | null; granted_at: Date; granted_by: string }>(
      `SELECT * FROM ${T.grants} WHERE repository = $1 ORDER BY granted_at, grant_id`, [repository],
    )).rows;
    return rows.map((r) => ({ grantId: r.grant_id, repository: r.repository, subject: { type: r.subject_type, id: r.subject_id }, actions: r.actions, ...(r.pattern ? { pattern: r.pattern } : {}), grantedAt: iso(r.granted_at)!, grantedBy: r.granted_by }));
  }

  async tokens(userId: string | null): Promise<TokenView[]> {
    const rows = (await this.sql.query<{ token_id: string; user_id: string; name: string; expires_at: Date | null; read_only: boolean; repositories: string[] | null; cidrs: string[] | null; created_at: Date; revoked_at: Date | null }>(
      `SELECT * FROM ${T.tokens} WHERE ($1::text IS NULL OR user_id = $1) ORDER BY created_at`, [userId],
    )).rows;
    return rows.map((r) => ({ tokenId: r.token_id, userId: r.user_id, name: r.name, expiresAt: iso(r.expires_at), readOnly: r.read_only, repositories: r.repositories, cidrs: r.cidrs, createdAt: iso(r.created_at)!, revokedAt: iso(r.revoked_at) }));
  }
}
