import { DomainError } from './errors.js';

/**
 * Identity and access events. Secrets never enter the log (it is permanent and exported): token
 * events carry the token's id, password changes carry no hash, and personal data stays small
 * (a user id, no profile fields), so erasing a person never requires rewriting history.
 */
export type Action = 'read' | 'write' | 'delete' | 'admin';
export const ACTIONS: readonly Action[] = ['read', 'write', 'delete', 'admin'];
export type IdentitySource = 'local' | 'ldap' | 'oidc' | 'saml' | 'service';

export interface Subject {
  type: 'user' | 'group';
  id: string;
}

interface Event<T extends string, D> {
  type: T;
  schemaVersion: 1;
  data: D;
}

export type UserCreated = Event<'UserCreated', { userId: string; source: IdentitySource; admin: boolean }>;
export type UserDisabled = Event<'UserDisabled', { userId: string }>;
export type UserEnabled = Event<'UserEnabled', { userId: string }>;
export type UserAdminChanged = Event<'UserAdminChanged', { userId: string; admin: boolean }>;
export type PasswordChanged = Event<'PasswordChanged', { userId: string }>;
export type GroupCreated = Event<'GroupCreated', { group: string }>;
export type GroupChanged = Event<'GroupChanged', { group: string; added: string[]; removed: string[] }>;
export type GroupDeleted = Event<'GroupDeleted', { group: string }>;
export type PermissionGranted = Event<'PermissionGranted', { grantId: string; repository: string; subject: Subject; actions: Action[]; pattern?: string }>;
export type PermissionRevoked = Event<'PermissionRevoked', { grantId: string; repository: string }>;
export type TokenIssued = Event<'TokenIssued', {
  tokenId: string;
  userId: string;
  name: string;
  expiresAt: string | null;
  readOnly: boolean;
  repositories: string[] | null;
  cidrs: string[] | null;
}>;
export type TokenRevoked = Event<'TokenRevoked', { tokenId: string; userId: string }>;

export type IdentityEvent =
  | UserCreated | UserDisabled | UserEnabled | UserAdminChanged | PasswordChanged
  | GroupCreated | GroupChanged | GroupDeleted
  | PermissionGranted | PermissionRevoked
  | TokenIssued | TokenRevoked;

export const identityStreams = {
  user: (userId: string) => `user-${userId}`,
  group: (group: string) => `group-${group}`,
  token: (tokenId: string) => `token-${tokenId}`,
  /** grants on one repository live in its stream (its history shows them); '*' grants in `grants-global` */
  grants: (repository: string) => (repository === '*' ? 'grants-global' : `repository-${repository}`),
};

const PRINCIPAL_NAME = /^[a-z0-9](?:[a-z0-9._@-]{0,62}[a-z0-9])?$/;

/** User and group names: lowercase letters, digits, `.`, `_`, `-`, `@`; 1-64 characters. */
export function assertPrincipalName(kind: 'user' | 'group', name: unknown): asserts name is string {
  if (typeof name !== 'string' || !PRINCIPAL_NAME.test(name)) {
    throw new DomainError('INVALID_NAME', `${kind} names use lowercase letters, digits, ".", "_", "-" and "@" (1-64 characters)`, { name });
  }
}

/** Normalises an external (IdP) user name into a Strata user id, or refuses it. */
export function userIdFromExternal(name: string): string {
  const id = name.trim().toLowerCase();
  assertPrincipalName('user', id);
  return id;
}

/** `@team/*`, `com.example.*`: `*` matches any run of characters (also `/`), nothing else is special. */
export function patternMatches(pattern: string | undefined, name: string | undefined): boolean {
  if (!pattern) return true;
  if (name === undefined) return false;
  const regex = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(name);
}

export interface Grant {
  repository: string;
  actions: readonly Action[];
  pattern?: string;
}

/** write and delete imply read; admin implies everything. */
export function grantCovers(grantActions: readonly Action[], wanted: Action): boolean {
  if (grantActions.includes('admin') || grantActions.includes(wanted)) return true;
  return wanted === 'read' && (grantActions.includes('write') || grantActions.includes('delete'));
}

/** Does any grant allow `action` on `repository` (for `packageName`, when the action concerns one)? */
export function grantsAllow(grants: readonly Grant[], repository: string, action: Action, packageName?: string): boolean {
  return grants.some(
    (g) =>
      (g.repository === '*' || g.repository === repository) &&
      grantCovers(g.actions, action) &&
      // a name-pattern grant covers the packages it names; without a package name it lets one read the repository's listing
      (g.pattern ? (packageName !== undefined ? patternMatches(g.pattern, packageName) : action === 'read') : true),
  );
}
