import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { DomainError, type Action, type Grant } from '../domain/index.js';
import { projectionTable, type Sql } from '../ports/index.js';
import { AccessCache, IDENTITY_CHANNEL } from './access-cache.js';
import { tokenFromHeaders } from './credentials.js';
import type { Principal } from './principal.js';
import { groupMembersProjection, grantsProjection, tokensProjection, usersProjection } from './projections/identity.projections.js';
import { SessionService } from './sessions.js';
import { RegistryTokens, restrictToAccess } from './registry-tokens.js';
import { BOOTSTRAP_TOKEN_ID, hashToken } from './token-service.js';

const T = {
  users: projectionTable(usersProjection),
  members: projectionTable(groupMembersProjection),
  grants: projectionTable(grantsProjection),
  tokens: projectionTable(tokensProjection),
};
const LAST_USED_EVERY_MS = 60_000;

type Via = { authMethod: Principal['authMethod']; tokenId?: string; readOnly: boolean; repositories: string[] | null };

interface AccessRow {
  admin: boolean | null;
  disabled: boolean | null;
  groups: string[] | null;
  grants: { repository: string; actions: Action[]; pattern: string | null }[] | null;
}

/** The user (alias `u`), its groups and the grants to it or its groups, as columns of one row. */
const ACCESS_COLUMNS = `u.admin, u.disabled,
  (SELECT coalesce(array_agg(m.group_name ORDER BY m.group_name), '{}') FROM ${T.members} m WHERE m.user_id = u.user_id) AS groups,
  (SELECT coalesce(json_agg(json_build_object('repository', g.repository, 'actions', g.actions, 'pattern', g.pattern)), '[]'::json)
     FROM ${T.grants} g
    WHERE (g.subject_type = 'user' AND g.subject_id = u.user_id)
       OR (g.subject_type = 'group' AND g.subject_id IN (SELECT m.group_name FROM ${T.members} m WHERE m.user_id = u.user_id))) AS grants`;

function toPrincipal(userId: string, row: AccessRow | undefined, via: Via): Principal {
  if (!row || row.admin === null || row.disabled) throw new DomainError('UNAUTHORIZED', 'user unknown or disabled');
  const grants = (row.grants ?? []).map((g): Grant => ({ repository: g.repository, actions: g.actions, ...(g.pattern ? { pattern: g.pattern } : {}) }));
  return { id: userId, userId, tokenId: via.tokenId, isAdmin: !!row.admin, groups: row.groups ?? [], grants, authMethod: via.authMethod, readOnly: via.readOnly, repositories: via.repositories };
}

interface TokenRow {
  id: string;
  is_admin: boolean;
  user_id: string | null;
  expires_at: Date | null;
  read_only: boolean | null;
  repositories: string[] | null;
  cidrs: string[] | null;
  revoked_at: Date | null;
}

/**
 * Turns a request's credentials into a principal: API tokens (by hash; with expiry, read-only,
 * repository scope and CIDR allow-list enforced) or session JWTs. Presented but invalid
 * credentials are a 401, never silently anonymous. What the identity tables say about a token or
 * user is cached for a few seconds (AccessCache): every change to them is announced on
 * IDENTITY_CHANNEL and clears the cache of every node (`watch`), so a revocation takes effect at
 * once; expiry and address checks run on every request.
 */
export class Authenticator {
  private readonly lastUsedWrite = new Map<string, number>();
  private readonly tokenRows: AccessCache<TokenRow & AccessRow>;
  private readonly userRows: AccessCache<AccessRow | undefined>;

  constructor(
    private readonly sql: Sql,
    private readonly sessions: SessionService,
    /** OCI registry bearer tokens (GET /v2/token), when the registry issues them */
    readonly registryTokens?: RegistryTokens,
    /** how long what the identity tables said is reused (0: never) */
    cacheTtlMs = 10_000,
  ) {
    this.tokenRows = new AccessCache(cacheTtlMs);
    this.userRows = new AccessCache(cacheTtlMs);
  }

  /** Drops every cached lookup (identity changed). */
  forget(): void {
    this.tokenRows.clear();
    this.userRows.clear();
  }

  /** Listens for identity changes announced by any node; returns the unlisten function. */
  watch(): Promise<() => Promise<void>> {
    return this.sql.listen(IDENTITY_CHANNEL, () => this.forget());
  }

  async authenticate(headers: Record<string, string | string[] | undefined>, clientIp: string | undefined): Promise<Principal | null> {
    const secret = tokenFromHeaders(headers);
    if (!secret) return null;
    if (secret.length > 4096) throw new DomainError('UNAUTHORIZED', 'invalid credentials');
    if (SessionService.looksLikeJwt(secret)) {
      if (this.registryTokens && RegistryTokens.isRegistryToken(secret)) return this.principalForRegistryToken(secret);
      const userId = await this.sessions.verify(secret);
      return this.principalForUser(userId, { authMethod: 'session', readOnly: false, repositories: null });
    }
    return this.principalForToken(secret, clientIp);
  }

  private async principalForToken(secret: string, clientIp: string | undefined): Promise<Principal> {
    // one round trip: the token, its owner, the owner's groups and grants
    const hash = hashToken(secret);
    // unknown tokens are never cached (the loader throws), so random guesses cannot fill the cache
    const row = await this.tokenRows.load(hash, async () => {
      const found = (
        await this.sql.query<TokenRow & AccessRow>(
          `SELECT a.id, a.is_admin, t.user_id, t.expires_at, t.read_only, t.repositories, t.cidrs, t.revoked_at, ${ACCESS_COLUMNS}
             FROM api_tokens a
             LEFT JOIN ${T.tokens} t ON t.token_id = a.id
             LEFT JOIN ${T.users} u ON u.user_id = t.user_id
            WHERE a.secret_hash = $1 AND a.revoked_at IS NULL`,
          [hash],
        )
      ).rows[0];
      if (!found) throw new DomainError('UNAUTHORIZED', 'invalid or revoked token');
      return found;
    });
    await this.touch(row.id);
    if (row.id === BOOTSTRAP_TOKEN_ID && row.is_admin) {
      return { id: `token:${row.id}`, userId: null, tokenId: row.id, isAdmin: true, groups: [], grants: [], authMethod: 'bootstrap-token', readOnly: false, repositories: null };
    }
    if (!row.user_id || row.revoked_at) throw new DomainError('UNAUTHORIZED', 'invalid or revoked token');
    if (row.expires_at && new Date(row.expires_at).getTime() <= Date.now()) throw new DomainError('UNAUTHORIZED', 'token expired');
    if (row.cidrs?.length && !addressAllowed(row.cidrs, clientIp)) throw new DomainError('FORBIDDEN', 'this token may not be used from this address');
    return toPrincipal(row.user_id, row, { authMethod: 'token', tokenId: row.id, readOnly: !!row.read_only, repositories: row.repositories });
  }

  /** A registry token's principal: its user (seen fresh: disabled users stop at once), narrowed to the token's access. */
  private async principalForRegistryToken(jwt: string): Promise<Principal | null> {
    const claims = await this.registryTokens!.verify(jwt);
    if (claims.subject === 'anonymous') return null;
    const via: Via = { authMethod: claims.authMethod, tokenId: claims.tokenId, readOnly: claims.readOnly, repositories: claims.repositories };
    const principal =
      claims.subject === `token:${BOOTSTRAP_TOKEN_ID}`
        ? { id: claims.subject, userId: null, tokenId: BOOTSTRAP_TOKEN_ID, isAdmin: true, groups: [], grants: [], ...via }
        : await this.principalForUser(claims.subject, via);
    return restrictToAccess(principal, claims.access);
  }

  /** A user's principal (groups and grants loaded); UNAUTHORIZED when unknown or disabled. */
  async principalForUser(userId: string, via: Via): Promise<Principal> {
    const row = await this.userRows.load(userId, async () => (await this.sql.query<AccessRow>(`SELECT ${ACCESS_COLUMNS} FROM ${T.users} u WHERE u.user_id = $1`, [userId])).rows[0]);
    return toPrincipal(userId, row, via);
  }

  /** `last used` without an event per request: at most one write a minute per token. */
  private async touch(tokenId: string): Promise<void> {
    const now = Date.now();
    if (now - (this.lastUsedWrite.get(tokenId) ?? 0) < LAST_USED_EVERY_MS) return;
    this.lastUsedWrite.set(tokenId, now);
    await this.sql.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [tokenId]).catch(() => undefined);
  }
}

export function addressAllowed(cidrs: readonly string[], ip: string | undefined): boolean {
  if (!ip) return false;
  const address = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split('/');
    const type = isIPv6(net) ? 'ipv6' : 'ipv4';
    list.addSubnet(net, Number(bits ?? (type === 'ipv6' ? 128 : 32)), type);
  }
  return list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** Validates a CIDR list given by a user. */
export function assertCidrs(cidrs: unknown): asserts cidrs is string[] {
  if (!Array.isArray(cidrs) || cidrs.length > 50) throw new DomainError('BAD_REQUEST', 'cidrs must be a list (at most 50)');
  for (const c of cidrs) {
    const m = typeof c === 'string' ? /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(c) : null;
    const ok = m && ((isIPv4(m[1]) && Number(m[2]) <= 32) || (isIPv6(m[1]) && Number(m[2]) <= 128));
    if (!ok) throw new DomainError('BAD_REQUEST', `not a CIDR block: ${String(c)}`);
  }
}
