import type { Request, Response } from 'express';
import { authorize, type Action, type Principal } from '../../auth/index.js';
import { DomainError, type RepositoryView } from '../../domain/index.js';
import { eventMetadata, principalOf, type FormatServices } from '../../format-kit/index.js';
import { NPM } from './npm.projection.js';
import type { NpmQueries } from './npm-queries.js';

/** One npm request, resolved to its repository, with what the handlers need. */
export interface NpmContext {
  req: Request;
  res: Response;
  repository: RepositoryView;
  services: FormatServices;
  queries: NpmQueries;
}

/** Checks `action` on the repository for this package name (so name-pattern grants such as `@team/*` apply). */
export function authorizeFor(ctx: NpmContext, action: Action, name?: string): Principal | null {
  const principal = principalOf(ctx.req);
  authorize(principal, ctx.repository, action, name);
  return principal;
}

export function allows(ctx: NpmContext, action: Action, name?: string): boolean {
  try {
    authorizeFor(ctx, action, name);
    return true;
  } catch {
    return false;
  }
}

/** The signed-in user behind the request (npm's account endpoints are per user); 401 without one. */
export function requireUser(ctx: NpmContext): string {
  const principal = principalOf(ctx.req);
  if (!principal) throw new DomainError('UNAUTHORIZED', 'log in first: this endpoint needs a token');
  if (!principal.userId) throw new DomainError('FORBIDDEN', 'this endpoint is for user tokens, not the bootstrap admin token');
  if (principal.repositories && !principal.repositories.includes(ctx.repository.name)) {
    throw new DomainError('FORBIDDEN', `this token is not valid for repository "${ctx.repository.name}"`);
  }
  return principal.userId;
}

export function requireHosted(repository: RepositoryView): void {
  if (repository.type !== 'hosted') throw new DomainError('METHOD_NOT_ALLOWED', `repository "${repository.name}" is ${repository.type}; only hosted repositories accept changes`);
}

export const targetOf = (ctx: NpmContext, name: string) => ({ repository: ctx.repository.name, format: NPM, name });

export const metadataOf = (ctx: NpmContext) => eventMetadata(ctx.req);

export function sendJson(ctx: NpmContext, status: number, body: unknown): void {
  ctx.res.status(status).type('application/json').send(JSON.stringify(body));
}
