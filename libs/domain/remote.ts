import { DomainError } from './errors.js';
import { patternMatches } from './identity.js';
import { assertRepositoryName } from './names.js';

/** How a remote repository reaches its upstream. The credential itself is sealed outside the log. */
export interface UpstreamConfig {
  url: string;
  /** may the upstream be on loopback, link-local or private addresses? (SSRF guard; default false) */
  allowPrivateNetwork: boolean;
  /** metadata younger than this is served without asking the upstream (default 300) */
  metadataMaxAgeSeconds: number;
  /** an upstream "not found" is remembered this long (default 60), never for good */
  notFoundCacheSeconds: number;
  /** which kind of credential is sealed for this repository, if any (never the secret) */
  auth?: { type: 'basic'; username: string } | { type: 'bearer' };
}

/** What the admin API takes for `upstream`: the config plus the secret, which never reaches an event. */
export type UpstreamInput = Partial<Omit<UpstreamConfig, 'auth'>> & {
  auth?: { type?: unknown; username?: unknown; password?: unknown; token?: unknown } | null;
};

export type UpstreamSecret = { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string };

const seconds = (value: unknown, name: string, fallback: number): number => {
  if (value === undefined || value === null) return fallback;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 365 * 86400) throw new DomainError('BAD_REQUEST', `upstream.${name} must be a whole number of seconds`);
  return value as number;
};

/**
 * Validates a remote repository's upstream: an http(s) URL without credentials in it; the secret
 * of `auth`, when given, is split off (`secret`) to be sealed, and only its kind stays in the config.
 * `previous` keeps what an update does not mention (a config change without a new password keeps
 * the sealed one).
 */
export function normaliseUpstream(input: UpstreamInput | undefined, previous?: UpstreamConfig): { config: UpstreamConfig; secret?: UpstreamSecret | null } {
  const url = input?.url ?? previous?.url;
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) throw new DomainError('BAD_REQUEST', 'a remote repository needs upstream.url (http or https)');
  if (parsed.username || parsed.password) throw new DomainError('BAD_REQUEST', 'put upstream credentials in upstream.auth, not in the URL');
  if (input?.allowPrivateNetwork !== undefined && typeof input.allowPrivateNetwork !== 'boolean') throw new DomainError('BAD_REQUEST', 'upstream.allowPrivateNetwork must be a boolean');
  const config: UpstreamConfig = {
    url: parsed.toString(),
    allowPrivateNetwork: input?.allowPrivateNetwork ?? previous?.allowPrivateNetwork ?? false,
    metadataMaxAgeSeconds: seconds(input?.metadataMaxAgeSeconds, 'metadataMaxAgeSeconds', previous?.metadataMaxAgeSeconds ?? 300),
    notFoundCacheSeconds: seconds(input?.notFoundCacheSeconds, 'notFoundCacheSeconds', previous?.notFoundCacheSeconds ?? 60),
  };
  const auth = input?.auth;
  if (auth === undefined) {
    if (previous?.auth) config.auth = previous.auth;
    return { config };
  }
  if (auth === null) return { config, secret: null };
  if (auth.type === 'basic') {
    if (typeof auth.username !== 'string' || !auth.username || typeof auth.password !== 'string' || !auth.password) {
      throw new DomainError('BAD_REQUEST', 'upstream.auth basic needs username and password');
    }
    config.auth = { type: 'basic', username: auth.username };
    return { config, secret: { type: 'basic', username: auth.username, password: auth.password } };
  }
  if (auth.type === 'bearer') {
    if (typeof auth.token !== 'string' || !auth.token) throw new DomainError('BAD_REQUEST', 'upstream.auth bearer needs token');
    config.auth = { type: 'bearer' };
    return { config, secret: { type: 'bearer', token: auth.token } };
  }
  throw new DomainError('BAD_REQUEST', 'upstream.auth.type must be basic or bearer');
}

/** A virtual repository: the ordered members it resolves through and where publishes go. */
export interface VirtualConfig {
  members: string[];
  /** the hosted member that receives publishes sent to the virtual repository */
  publishTo?: string;
  /**
   * Dependency-confusion guard (on by default): a name that exists in any hosted member is never
   * resolved from a remote member. Names matching `remoteAllowed` patterns are exempt.
   */
  confusionGuard: { enabled: boolean; remoteAllowed: string[] };
}

export function normaliseVirtual(input: { members?: unknown; publishTo?: unknown; confusionGuard?: unknown }, self?: string): VirtualConfig {
  const { members } = input;
  if (!Array.isArray(members) || members.length === 0 || members.length > 50) throw new DomainError('BAD_REQUEST', 'a virtual repository needs a members list (1 to 50 repositories)');
  members.forEach((m) => assertRepositoryName(m));
  if (new Set(members).size !== members.length) throw new DomainError('BAD_REQUEST', 'members are listed once each');
  if (self && members.includes(self)) throw new DomainError('BAD_REQUEST', 'a virtual repository cannot be its own member');
  if (input.publishTo !== undefined && (typeof input.publishTo !== 'string' || !members.includes(input.publishTo))) {
    throw new DomainError('BAD_REQUEST', 'publishTo must be one of the members');
  }
  const guard = (input.confusionGuard ?? {}) as { enabled?: unknown; remoteAllowed?: unknown };
  if (guard.enabled !== undefined && typeof guard.enabled !== 'boolean') throw new DomainError('BAD_REQUEST', 'confusionGuard.enabled must be a boolean');
  const remoteAllowed = guard.remoteAllowed ?? [];
  if (!Array.isArray(remoteAllowed) || remoteAllowed.some((p) => typeof p !== 'string' || !p)) throw new DomainError('BAD_REQUEST', 'confusionGuard.remoteAllowed must be a list of name patterns');
  return {
    members: [...(members as string[])],
    ...(input.publishTo ? { publishTo: input.publishTo as string } : {}),
    confusionGuard: { enabled: guard.enabled ?? true, remoteAllowed: [...(remoteAllowed as string[])] },
  };
}

export interface MemberView {
  name: string;
  type: 'hosted' | 'remote' | 'virtual';
}

/**
 * The members a virtual repository consults for `name`, in order. When the guard is on and a
 * hosted member holds the name, remote members are left out: a public package can never shadow
 * (or be mixed with) a private one of the same name, whatever version numbers it claims.
 */
export function membersFor(config: VirtualConfig, members: MemberView[], name: string, hostedHolds: ReadonlySet<string>): MemberView[] {
  const guarded = config.confusionGuard.enabled && !config.confusionGuard.remoteAllowed.some((p) => patternMatches(p, name));
  const privateName = guarded && members.some((m) => m.type === 'hosted' && hostedHolds.has(m.name));
  return privateName ? members.filter((m) => m.type !== 'remote') : members;
}
