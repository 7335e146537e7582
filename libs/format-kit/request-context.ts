import type { Request } from 'express';
import type { EventMetadata } from '../domain/index.js';
import type { Principal } from '../auth/index.js';

/** What the registry's middleware attaches to every request. */
export interface StrataRequestContext {
  requestId: string;
  principal: Principal | null;
}

export type StrataRequest = Request & { strata: StrataRequestContext };

/** The metadata every event appended on behalf of this request carries (DESIGN.md section 4). */
export function eventMetadata(req: Request): EventMetadata {
  const ctx = (req as StrataRequest).strata;
  const clean = (s: string | undefined) => s?.replace(/[\u0000-\u001f]/g, '').slice(0, 512);
  return {
    actor: ctx?.principal?.id ?? 'anonymous',
    authMethod: ctx?.principal?.authMethod ?? 'anonymous',
    clientIp: clean(req.ip ?? req.socket.remoteAddress),
    userAgent: clean(req.get('user-agent')),
    correlationId: ctx?.requestId ?? 'none',
    ...(ctx?.principal?.tokenId ? { tokenId: ctx.principal.tokenId } : {}),
  };
}

export const principalOf = (req: Request): Principal | null => (req as StrataRequest).strata?.principal ?? null;

/**
 * The raw (still percent-encoded) path after `prefix`: formats parse it themselves so that
 * `%2f` and `%2e%2e` are seen, not silently decoded by the router.
 */
export function rawPathAfter(req: Request, prefix: string): string {
  const raw = req.originalUrl.split('?')[0];
  if (!raw.startsWith(prefix)) return '';
  return raw.slice(prefix.length);
}
