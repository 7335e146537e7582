import type { Request, Response } from 'express';
import { decodeJwt } from 'jose';
import { authorize, RegistryTokens, type Action, type Principal } from '../../auth/index.js';
import { DomainError, type RepositoryView } from '../../domain/index.js';
import { eventMetadata, principalOf, type FormatServices } from '../../format-kit/index.js';
import type { OciQueries } from './oci-queries.js';

/** One request about an image name (`<repo>/<name>`), with what the handlers need. */
export interface OciContext {
  req: Request;
  res: Response;
  services: FormatServices;
  queries: OciQueries;
  repository: RepositoryView;
  name: string;
  principal: Principal | null;
  /** the repository the client addressed, when it differs (a push through a virtual repository): URLs given back name it */
  addressed?: string;
}

/**
 * The caller: what the registry's middleware resolved (API token, session, registry token), or
 * Basic user + password checked here (the middleware lets /v2/ through for these, as a sign-in
 * path). Credentials that are presented but do not check out are a 401, never anonymous.
 */
export async function resolvePrincipal(req: Request, services: FormatServices): Promise<Principal | null> {
  const known = principalOf(req);
  if (known) return known;
  const header = req.get('authorization');
  if (!header) return null;
  // an anonymous registry token (GET /v2/token without credentials) is no principal; trusting
  // it unverified is safe because it can only ever mean "anonymous", which needs no header at all
  const bearer = /^bearer\s+(\S+)$/i.exec(header.trim());
  if (bearer && RegistryTokens.isRegistryToken(bearer[1]) && decodeJwt(bearer[1]).sub === 'anonymous') return null;
  const basic = /^basic\s+(.+)$/i.exec(header.trim());
  if (!basic || !services.identity.principalFor) throw new DomainError('UNAUTHORIZED', 'invalid credentials');
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new DomainError('UNAUTHORIZED', 'invalid credentials');
  const userId = await services.identity.verifyPassword(decoded.slice(0, colon), decoded.slice(colon + 1), req.ip ?? '', eventMetadata(req));
  return services.identity.principalFor(userId, 'session');
}

/** Checks `action` on the image name (name-pattern grants see `<name>` below the repository). */
export function authorizeOci(ctx: OciContext, action: Action): void {
  authorize(ctx.principal, ctx.repository, action, ctx.name);
}

export function requireHosted(repository: RepositoryView): void {
  if (repository.type !== 'hosted') throw new DomainError('METHOD_NOT_ALLOWED', `repository "${repository.name}" is ${repository.type}; only hosted repositories accept pushes`);
}

/**
 * The Docker token challenge: https://distribution.github.io/distribution/spec/auth/token/
 * `scope` is `repository:<repo>/<name>:<actions>` when the request is about an image name.
 */
export function bearerChallenge(base: string, service: string, scope?: string): string {
  return `Bearer realm="${base}/v2/token",service="${service}"${scope ? `,scope="${scope}"` : ''}`;
}

/** The actions a method needs, in token scope terms. */
export const scopeActions = (method: string): string => (method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'pull,push');

/** Host (and port) the client reached, as the `service` of challenges and tokens. */
export const serviceName = (req: Request): string => req.get('host') ?? 'strata';

