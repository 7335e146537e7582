import { DomainError } from './errors.js';
import type { DomainEvent } from './events.js';
import { ACTIONS, assertPrincipalName, type Action, type IdentitySource, type Subject } from './identity.js';

/* ---------- users ---------- */

export interface UserState {
  exists: boolean;
  source?: IdentitySource;
  disabled: boolean;
  admin: boolean;
}
export const initialUserState: UserState = { exists: false, disabled: false, admin: false };

export type UserCommand =
  | { type: 'CreateUser'; userId: string; source: IdentitySource; admin: boolean }
  | { type: 'DisableUser'; userId: string }
  | { type: 'EnableUser'; userId: string }
  | { type: 'SetUserAdmin'; userId: string; admin: boolean }
  | { type: 'ChangePassword'; userId: string };

export function evolveUser(state: UserState, e: DomainEvent): UserState {
  switch (e.type) {
    case 'UserCreated':
      return { exists: true, source: e.data.source, disabled: false, admin: e.data.admin };
    case 'UserDisabled':
      return { ...state, disabled: true };
    case 'UserEnabled':
      return { ...state, disabled: false };
    case 'UserAdminChanged':
      return { ...state, admin: e.data.admin };
    default:
      return state;
  }
}

export function decideUser(c: UserCommand, s: UserState): DomainEvent[] {
  if (c.type === 'CreateUser') {
    assertPrincipalName('user', c.userId);
    if (s.exists) throw new DomainError('ALREADY_EXISTS', `user "${c.userId}" already exists`);
    return [{ type: 'UserCreated', schemaVersion: 1, data: { userId: c.userId, source: c.source, admin: c.admin } }];
  }
  if (!s.exists) throw new DomainError('NOT_FOUND', `user "${c.userId}" does not exist`);
  switch (c.type) {
    case 'DisableUser':
      return s.disabled ? [] : [{ type: 'UserDisabled', schemaVersion: 1, data: { userId: c.userId } }];
    case 'EnableUser':
      return s.disabled ? [{ type: 'UserEnabled', schemaVersion: 1, data: { userId: c.userId } }] : [];
    case 'SetUserAdmin':
      return s.admin === c.admin ? [] : [{ type: 'UserAdminChanged', schemaVersion: 1, data: { userId: c.userId, admin: c.admin } }];
    case 'ChangePassword':
      if (s.source !== 'local') throw new DomainError('BAD_REQUEST', `user "${c.userId}" signs in through ${s.source}; it has no local password`);
      return [{ type: 'PasswordChanged', schemaVersion: 1, data: { userId: c.userId } }];
  }
}

/* ---------- groups ---------- */

export interface GroupState {
  exists: boolean;
  members: Set<string>;
}
export const initialGroupState = (): GroupState => ({ exists: false, members: new Set() });

export type GroupCommand =
  | { type: 'CreateGroup'; group: string }
  | { type: 'ChangeGroup'; group: string; add: string[]; remove: string[] }
  | { type: 'DeleteGroup'; group: string };

export function evolveGroup(s: GroupState, e: DomainEvent): GroupState {
  switch (e.type) {
    case 'GroupCreated':
      return { exists: true, members: new Set() };
    case 'GroupChanged': {
      const members = new Set(s.members);
      e.data.added.forEach((m) => members.add(m));
      e.data.removed.forEach((m) => members.delete(m));
      return { ...s, members };
    }
    case 'GroupDeleted':
      return initialGroupState();
    default:
      return s;
  }
}

export function decideGroup(c: GroupCommand, s: GroupState): DomainEvent[] {
  if (c.type === 'CreateGroup') {
    assertPrincipalName('group', c.group);
    if (s.exists) throw new DomainError('ALREADY_EXISTS', `group "${c.group}" already exists`);
    return [{ type: 'GroupCreated', schemaVersion: 1, data: { group: c.group } }];
  }
  if (!s.exists) throw new DomainError('NOT_FOUND', `group "${c.group}" does not exist`);
  if (c.type === 'DeleteGroup') return [{ type: 'GroupDeleted', schemaVersion: 1, data: { group: c.group } }];
  const added = [...new Set(c.add)].filter((m) => !s.members.has(m));
  const removed = [...new Set(c.remove)].filter((m) => s.members.has(m));
  return added.length || removed.length ? [{ type: 'GroupChanged', schemaVersion: 1, data: { group: c.group, added, removed } }] : [];
}

/* ---------- grants ---------- */

export type GrantCommand =
  | { type: 'GrantPermission'; grantId: string; repository: string; subject: Subject; actions: Action[]; pattern?: string }
  | { type: 'RevokePermission'; grantId: string; repository: string };

/** The live grant ids of one grants stream. */
export function evolveGrants(s: Set<string>, e: DomainEvent): Set<string> {
  if (e.type === 'PermissionGranted') return new Set(s).add(e.data.grantId);
  if (e.type === 'PermissionRevoked') {
    const next = new Set(s);
    next.delete(e.data.grantId);
    return next;
  }
  return s;
}

export function decideGrant(c: GrantCommand, live: Set<string>): DomainEvent[] {
  if (c.type === 'RevokePermission') {
    if (!live.has(c.grantId)) throw new DomainError('NOT_FOUND', `no grant ${c.grantId} on ${c.repository}`);
    return [{ type: 'PermissionRevoked', schemaVersion: 1, data: { grantId: c.grantId, repository: c.repository } }];
  }
  if (c.actions.length === 0 || c.actions.some((a) => !ACTIONS.includes(a))) throw new DomainError('BAD_REQUEST', `actions must be some of ${ACTIONS.join(', ')}`);
  if (!['user', 'group'].includes(c.subject?.type)) throw new DomainError('BAD_REQUEST', 'subject.type must be user or group');
  if (c.pattern !== undefined && (c.pattern.length === 0 || c.pattern.length > 200)) throw new DomainError('BAD_REQUEST', 'pattern must be 1-200 characters');
  return [{ type: 'PermissionGranted', schemaVersion: 1, data: { grantId: c.grantId, repository: c.repository, subject: c.subject, actions: [...new Set(c.actions)], ...(c.pattern ? { pattern: c.pattern } : {}) } }];
}

/* ---------- tokens ---------- */

export interface TokenState {
  issued: boolean;
  revoked: boolean;
  userId?: string;
}

export type TokenCommand =
  | { type: 'IssueToken'; tokenId: string; userId: string; name: string; expiresAt: string | null; readOnly: boolean; repositories: string[] | null; cidrs: string[] | null }
  | { type: 'RevokeToken'; tokenId: string };

export function evolveToken(s: TokenState, e: DomainEvent): TokenState {
  if (e.type === 'TokenIssued') return { issued: true, revoked: false, userId: e.data.userId };
  if (e.type === 'TokenRevoked') return { ...s, revoked: true };
  return s;
}

export function decideToken(c: TokenCommand, s: TokenState): DomainEvent[] {
  if (c.type === 'IssueToken') {
    if (s.issued) throw new DomainError('ALREADY_EXISTS', `token ${c.tokenId} exists`);
    if (!c.name || c.name.length > 100) throw new DomainError('BAD_REQUEST', 'a token needs a name of 1-100 characters');
    if (c.expiresAt !== null && !(Date.parse(c.expiresAt) > 0)) throw new DomainError('BAD_REQUEST', 'expiresAt must be a date');
    const { type: _t, ...data } = c;
    return [{ type: 'TokenIssued', schemaVersion: 1, data }];
  }
  if (!s.issued) throw new DomainError('NOT_FOUND', `no token ${c.tokenId}`);
  if (s.revoked) return [];
  return [{ type: 'TokenRevoked', schemaVersion: 1, data: { tokenId: c.tokenId, userId: s.userId! } }];
}
