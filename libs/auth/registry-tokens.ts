import { createHmac, randomUUID } from 'node:crypto';
import { decodeJwt, jwtVerify, SignJWT } from 'jose';
import { DomainError } from '../domain/index.js';
import type { Principal } from './principal.js';

/** One entry of a Docker token scope: `repository:<repo>/<name>:pull,push`. */
export interface RegistryAccess {
  type: string;
  name: string;
  actions: string[];
}

/** What a registry token carries: who, how they signed in, their token's limits, and the granted access. */
export interface RegistryTokenClaims {
  /** user id; `anonymous`; or `token:<id>` for the bootstrap admin token */
  subject: string;
  authMethod: Principal['authMethod'];
  tokenId?: string;
  readOnly: boolean;
  repositories: string[] | null;
  access: RegistryAccess[];
}

const AUDIENCE = 'strata-registry';
const ISSUER = 'strata';
const TTL_S = 5 * 60;

/**
 * Short-lived bearer tokens of the Docker token protocol
 * (https://distribution.github.io/distribution/spec/auth/token/ and .../jwt/): HS256 JWTs with
 * the granted `access` list, signed with a key derived from the session secret (so a registry
 * token is never a session, nor the other way round). Every node must share the secret.
 */
export class RegistryTokens {
  private readonly key: Uint8Array;

  constructor(sessionSecret: string) {
    this.key = createHmac('sha256', sessionSecret).update('strata registry tokens v1').digest();
  }

  /** Is this JWT meant for the registry protocol (not yet verified)? */
  static isRegistryToken(jwt: string): boolean {
    try {
      const aud = decodeJwt(jwt).aud;
      return aud === AUDIENCE || (Array.isArray(aud) && aud.includes(AUDIENCE));
    } catch {
      return false;
    }
  }

  async issue(claims: RegistryTokenClaims, service: string): Promise<{ token: string; expiresIn: number; issuedAt: string }> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access: claims.access, am: claims.authMethod, tid: claims.tokenId, ro: claims.readOnly, repos: claims.repositories, svc: service })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.subject)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setJti(randomUUID())
      .setExpirationTime(now + TTL_S)
      .sign(this.key);
    return { token, expiresIn: TTL_S, issuedAt: new Date(now * 1000).toISOString() };
  }

  /** The claims of a valid registry token; UNAUTHORIZED otherwise. */
  async verify(jwt: string): Promise<RegistryTokenClaims> {
    try {
      const { payload } = await jwtVerify(jwt, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      const p = payload as Record<string, unknown>;
      if (!payload.sub || !Array.isArray(p.access)) throw new Error('malformed');
      return {
        subject: payload.sub,
        authMethod: p.am as Principal['authMethod'],
        tokenId: typeof p.tid === 'string' ? p.tid : undefined,
        readOnly: p.ro === true,
        repositories: Array.isArray(p.repos) ? (p.repos as string[]) : null,
        access: p.access as RegistryAccess[],
      };
    } catch {
      throw new DomainError('UNAUTHORIZED', 'invalid or expired registry token');
    }
  }
}

/**
 * Narrows a principal to what its registry token grants: only the token's repositories (the
 * first segment of each scope name), and read-only unless some scope grants push or delete.
 */
export function restrictToAccess(principal: Principal, access: readonly RegistryAccess[]): Principal {
  const scoped = access.filter((a) => a.type === 'repository');
  const repos = [...new Set(scoped.map((a) => a.name.split('/')[0]))];
  const writes = scoped.some((a) => a.actions.some((x) => x === 'push' || x === 'delete' || x === '*'));
  return {
    ...principal,
    readOnly: principal.readOnly || !writes,
    repositories: principal.repositories ? principal.repositories.filter((r) => repos.includes(r)) : repos,
  };
}
