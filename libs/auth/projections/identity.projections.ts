import type { IdentityEvent } from '../../domain/index.js';
import type { Projection } from '../../ports/index.js';
import { IDENTITY_CHANNEL } from '../access-cache.js';

/** Every change of an identity read model is announced, so that every node drops cached credentials at once. */
function announcing(p: Projection): Projection {
  return {
    ...p,
    async apply(e, tx, t) {
      await p.apply(e, tx, t);
      await tx.query('SELECT pg_notify($1, $2)', [IDENTITY_CHANNEL, String(e.position)]);
    },
  };
}

type Data<T extends IdentityEvent['type']> = Extract<IdentityEvent, { type: T }>['data'];

export const usersProjection: Projection = announcing({
  name: 'users',
  version: 1,
  handles: ['UserCreated', 'UserDisabled', 'UserEnabled', 'UserAdminChanged'],
  ddl: 'users/v1.sql',
  async apply(e, tx, t) {
    const d = e.data as { userId: string };
    if (e.type === 'UserCreated') {
      const c = e.data as Data<'UserCreated'>;
      await tx.query(`INSERT INTO ${t} (user_id, source, admin, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`, [c.userId, c.source, c.admin, e.recordedAt]);
    } else if (e.type === 'UserAdminChanged') {
      await tx.query(`UPDATE ${t} SET admin = $2, updated_at = $3 WHERE user_id = $1`, [d.userId, (e.data as Data<'UserAdminChanged'>).admin, e.recordedAt]);
    } else {
      await tx.query(`UPDATE ${t} SET disabled = $2, updated_at = $3 WHERE user_id = $1`, [d.userId, e.type === 'UserDisabled', e.recordedAt]);
    }
  },
});

export const groupMembersProjection: Projection = announcing({
  name: 'group-members',
  version: 1,
  handles: ['GroupCreated', 'GroupChanged', 'GroupDeleted'],
  ddl: 'group-members/v1.sql',
  async apply(e, tx, t) {
    if (e.type === 'GroupCreated') {
      await tx.query(`INSERT INTO ${t} (group_name, user_id) VALUES ($1, '') ON CONFLICT DO NOTHING`, [(e.data as Data<'GroupCreated'>).group]);
    } else if (e.type === 'GroupDeleted') {
      await tx.query(`DELETE FROM ${t} WHERE group_name = $1`, [(e.data as Data<'GroupDeleted'>).group]);
    } else {
      const d = e.data as Data<'GroupChanged'>;
      for (const u of d.added) await tx.query(`INSERT INTO ${t} (group_name, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [d.group, u]);
      for (const u of d.removed) await tx.query(`DELETE FROM ${t} WHERE group_name = $1 AND user_id = $2`, [d.group, u]);
    }
  },
});

export const grantsProjection: Projection = announcing({
  name: 'grants',
  version: 1,
  handles: ['PermissionGranted', 'PermissionRevoked', 'RepositoryDeleted', 'GroupDeleted'],
  ddl: 'grants/v1.sql',
  async apply(e, tx, t) {
    if (e.type === 'PermissionGranted') {
      const d = e.data as Data<'PermissionGranted'>;
      await tx.query(
        `INSERT INTO ${t} (grant_id, repository, subject_type, subject_id, actions, pattern, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [d.grantId, d.repository, d.subject.type, d.subject.id, d.actions, d.pattern ?? null, e.recordedAt, e.metadata.actor],
      );
    } else if (e.type === 'PermissionRevoked') {
      await tx.query(`DELETE FROM ${t} WHERE grant_id = $1`, [(e.data as Data<'PermissionRevoked'>).grantId]);
    } else if (e.type === 'RepositoryDeleted') {
      // a repository created again later starts without the old grants
      await tx.query(`DELETE FROM ${t} WHERE repository = $1`, [(e.data as { repository: string }).repository]);
    } else if (e.type === 'GroupDeleted') {
      await tx.query(`DELETE FROM ${t} WHERE subject_type = 'group' AND subject_id = $1`, [(e.data as Data<'GroupDeleted'>).group]);
    }
  },
});

export const tokensProjection: Projection = announcing({
  name: 'tokens',
  version: 1,
  handles: ['TokenIssued', 'TokenRevoked'],
  ddl: 'tokens/v1.sql',
  async apply(e, tx, t) {
    if (e.type === 'TokenIssued') {
      const d = e.data as Data<'TokenIssued'>;
      await tx.query(
        `INSERT INTO ${t} (token_id, user_id, name, expires_at, read_only, repositories, cidrs, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [d.tokenId, d.userId, d.name, d.expiresAt, d.readOnly, d.repositories, d.cidrs, e.recordedAt],
      );
    } else if (e.type === 'TokenRevoked') {
      await tx.query(`UPDATE ${t} SET revoked_at = $2 WHERE token_id = $1 AND revoked_at IS NULL`, [(e.data as Data<'TokenRevoked'>).tokenId, e.recordedAt]);
    }
  },
});

export const identityProjections = [usersProjection, groupMembersProjection, grantsProjection, tokensProjection];
