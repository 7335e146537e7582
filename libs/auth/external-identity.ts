import type { IdentitySource } from '../domain/index.js';

/** A person as an identity provider (LDAP, OIDC, SAML) vouched for them. */
export interface ExternalIdentity {
  source: Exclude<IdentitySource, 'local' | 'service'>;
  /** becomes the Strata user id (lower-cased) */
  username: string;
  /** Strata groups the provider's groups map to */
  groups: string[];
  /** every Strata group this provider's mapping can assign: membership in them is synced */
  managedGroups: string[];
}

/** Verifies a user name and password with a directory (LDAP); null when they do not match. */
export interface PasswordVerifier {
  verify(username: string, password: string): Promise<ExternalIdentity | null>;
}

/**
 * Maps provider group names to Strata groups with a `provider=strata,...` mapping; groups that
 * are not in the mapping are ignored (a provider cannot create arbitrary groups).
 */
export function mapGroups(providerGroups: readonly string[], mapping: Readonly<Record<string, string>>): { groups: string[]; managedGroups: string[] } {
  const lower = new Map(Object.entries(mapping).map(([k, v]) => [k.toLowerCase(), v]));
  const groups = [...new Set(providerGroups.map((g) => lower.get(g.toLowerCase())).filter((g): g is string => !!g))];
  return { groups, managedGroups: [...new Set(lower.values())] };
}

/** Parses `ldap-admins=admins,devs=developers` into a mapping. */
export function parseGroupMapping(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf('=');
    if (eq > 0) out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}
