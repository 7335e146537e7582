import { DomainError, grantsAllow, type Action, type RepositoryConfig } from '../domain/index.js';
import type { Principal } from './principal.js';

/**
 * The one authorisation rule every format and the admin API use:
 * - a token's own limits come first: a read-only token only reads; a token scoped to
 *   repositories works only there (and not on registry-wide administration);
 * - admins may do everything; anyone may read a repository with anonymous read on;
 * - otherwise a grant to the user or one of its groups, on the repository or on every
 *   repository ('*'), optionally limited to package names matching a pattern, must allow it.
 * Without credentials the answer is 401, with credentials that lack the permission 403.
 */
export function authorize(
  principal: Principal | null,
  repository: { name: string; config: RepositoryConfig } | null,
  action: Action,
  packageName?: string,
): void {
  if (principal?.readOnly && action !== 'read') throw new DomainError('FORBIDDEN', 'this token is read-only');
  if (principal?.repositories && (!repository || !principal.repositories.includes(repository.name))) {
    throw new DomainError('FORBIDDEN', repository ? `this token is not valid for repository "${repository.name}"` : 'this token is limited to some repositories');
  }
  if (principal?.isAdmin) return;
  if (action === 'read' && repository?.config.anonymousRead) return;
  if (!principal) throw new DomainError('UNAUTHORIZED', 'authentication required');
  if (repository && grantsAllow(principal.grants, repository.name, action, packageName)) return;
  throw new DomainError('FORBIDDEN', `not allowed to ${action}${repository ? ` in repository "${repository.name}"` : ''}`);
}

/** May the principal read at least something of this repository (for listings)? */
export function canSee(principal: Principal | null, repository: { name: string; config: RepositoryConfig }): boolean {
  try {
    authorize(principal, repository, 'read');
    return true;
  } catch {
    return false;
  }
}
