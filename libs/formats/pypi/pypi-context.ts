import type { Request, Response } from 'express';
import { authorize, type Action } from '../../auth/index.js';
import { DomainError, type RepositoryView } from '../../domain/index.js';
import { matchesIfNoneMatch, principalOf, type FormatServices } from '../../format-kit/index.js';
import type { PypiQueries } from './pypi-queries.js';

/** One request to a PyPI repository, resolved to the repository, with what the handlers need. */
export interface PypiContext {
  req: Request;
  res: Response;
  repository: RepositoryView;
  services: FormatServices;
  queries: PypiQueries;
}

/** Checks `action` for this (normalised) project name, so that name-pattern grants apply. */
export function authorizeFor(ctx: PypiContext, action: Action, project?: string): void {
  authorize(principalOf(ctx.req), ctx.repository, action, project);
}

export function requireHosted(repository: RepositoryView): void {
  if (repository.type !== 'hosted') throw new DomainError('METHOD_NOT_ALLOWED', `repository "${repository.name}" is ${repository.type}; only hosted repositories accept changes`);
}

/** Is the client's copy (If-None-Match) current? */
export const notModified = (req: Request, etag: string): boolean => matchesIfNoneMatch(req.get('if-none-match'), etag);
