import type { Request, Response } from 'express';
import { authorize, type Action, type Principal, type RegistryAccess } from '../../auth/index.js';
import { DomainError } from '../../domain/index.js';
import type { FormatServices } from '../../format-kit/index.js';
import { OCI } from './oci-names.js';

const ACTIONS: Record<string, Action> = { pull: 'read', push: 'write', delete: 'delete' };

/** `repository:<repo>/<name>:pull,push` scopes, as many as given (`scope` may repeat, or hold several separated by spaces). */
export function parseScopes(raw: unknown): RegistryAccess[] {
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) => String(v).split(' ')).filter(Boolean);
  return values.flatMap((scope) => {
    const m = /^([a-z]+)(?:\([a-z0-9]+\))?:(.+):([a-z*,]+)$/.exec(scope);
    return m ? [{ type: m[1], name: m[2], actions: m[3].split(',') }] : [];
  });
}

/** The actions of a scope the caller may perform (unknown repositories and other formats: none). */
async function granted(services: FormatServices, principal: Principal | null, access: RegistryAccess): Promise<string[]> {
  if (access.type !== 'repository') return [];
  const repo = access.name.split('/')[0];
  const name = access.name.slice(repo.length + 1);
  const repository = await services.repository(repo, OCI).catch(() => undefined);
  if (!repository || !name) return [];
  const wanted = access.actions.includes('*') ? ['pull', 'push', 'delete'] : access.actions;
  // pushes to a virtual repository go to its publish target: the caller's rights there decide
  const target = repository.type === 'virtual' && wanted.some((a) => a !== 'pull') ? await services.virtual.publishTarget(repository).catch(() => undefined) : repository;
  return wanted.filter((a) => {
    try {
      authorize(principal, a === 'pull' ? repository : target ?? null, ACTIONS[a], name);
      return !!ACTIONS[a];
    } catch {
      return false;
    }
  });
}

/**
 * GET /v2/token: the Docker token endpoint, https://distribution.github.io/distribution/spec/auth/token/
 * Basic credentials (user + Strata token or password) or none (anonymous, for repositories with
 * anonymous read); answers a short-lived JWT for the granted part of the requested scopes.
 */
export async function issueToken(req: Request, res: Response, services: FormatServices, principal: Principal | null): Promise<void> {
  if (!services.identity.issueRegistryToken) throw new DomainError('UNAVAILABLE', 'registry tokens are not configured');
  const access: RegistryAccess[] = [];
  for (const scope of parseScopes(req.query.scope)) {
    const actions = await granted(services, principal, scope);
    if (actions.length) access.push({ ...scope, actions });
  }
  const service = typeof req.query.service === 'string' ? req.query.service : (req.get('host') ?? 'strata');
  const issued = await services.identity.issueRegistryToken(
    {
      subject: principal?.id ?? 'anonymous',
      authMethod: principal?.authMethod ?? 'token',
      tokenId: principal?.tokenId,
      readOnly: principal?.readOnly ?? true,
      repositories: principal?.repositories ?? null,
      access,
    },
    service,
  );
  res.set('cache-control', 'no-store').status(200).json({ token: issued.token, access_token: issued.token, expires_in: issued.expiresIn, issued_at: issued.issuedAt });
}
