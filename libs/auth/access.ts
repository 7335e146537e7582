import { DomainError, type RepositoryConfig } from '../domain/index.js';
import type { Action, Principal } from './principal.js';

/**
 * The one authorisation rule every format and the admin API use. Today: admins may do
 * everything; anyone may read a repository with anonymous read on; everything else is refused
 * (401 without credentials, 403 with). Per-repository grants arrive with the identity issue.
 */
export function authorize(principal: Principal | null, repository: { name: string; config: RepositoryConfig } | null, action: Action): void {
  if (principal?.isAdmin) return;
  if (action === 'read' && repository?.config.anonymousRead) return;
  if (!principal) throw new DomainError('UNAUTHORIZED', 'authentication required');
  throw new DomainError('FORBIDDEN', `not allowed to ${action}${repository ? ` in repository "${repository.name}"` : ''}`);
}
