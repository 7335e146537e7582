import type { Request, Response } from 'express';
import { authorize, type Action } from '../../auth/index.js';
import { DomainError, type RepositoryView } from '../../domain/index.js';
import { principalOf, type FormatServices } from '../../format-kit/index.js';
import type { MavenQueries } from './maven-queries.js';

/** One request to a Maven repository, resolved to the repository, with what the handlers need. */
export interface MavenContext {
  req: Request;
  res: Response;
  repository: RepositoryView;
  services: FormatServices;
  queries: MavenQueries;
}

/** Checks `action` for an artifact (`groupId:artifactId`), so that name-pattern grants apply. */
export function authorizeFor(ctx: MavenContext, action: Action, artifact?: string): void {
  authorize(principalOf(ctx.req), ctx.repository, action, artifact);
}

export function requireHosted(repository: RepositoryView): void {
  if (repository.type !== 'hosted') throw new DomainError('METHOD_NOT_ALLOWED', `repository "${repository.name}" is ${repository.type}; only hosted repositories accept deploys`);
}

/** Answers 304 when the client's copy (If-None-Match) is current. */
export function notModified(req: Request, etag: string): boolean {
  const inm = req.get('if-none-match');
  return !!inm && inm.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag);
}

