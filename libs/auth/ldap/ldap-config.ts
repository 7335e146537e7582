/**
 * LDAP sign-in configuration from the environment. LDAP is off unless STRATA_LDAP_URL is set.
 *
 *   STRATA_LDAP_URL                      ldap://host[:389] or ldaps://host[:636] (one server). Unset: LDAP is off.
 *   STRATA_LDAP_BIND_DN                  service account that searches users and groups; unset: anonymous search
 *   STRATA_LDAP_BIND_PASSWORD            its password (secret; required with BIND_DN)
 *   STRATA_LDAP_BIND_PASSWORD_FILE       file holding the password instead (trailing newline ignored)
 *   STRATA_LDAP_USER_BASE                where users are searched (subtree), e.g. ou=people,dc=example,dc=com. Required.
 *   STRATA_LDAP_USER_FILTER              default (uid={username}); {username} is replaced by the typed name,
 *                                        escaped per RFC 4515, so `*`, `(`, `)` and `\` match only themselves
 *   STRATA_LDAP_USERNAME_ATTRIBUTE       attribute of the user entry that becomes the Strata user id
 *                                        (lower-cased), default uid
 *   STRATA_LDAP_GROUP_BASE               where groups are searched (subtree); required with GROUP_MAPPING
 *   STRATA_LDAP_GROUP_FILTER             default (|(member={dn})(uniqueMember={dn})); {dn} is the user's DN and
 *                                        {username} the user's USERNAME_ATTRIBUTE value (for posixGroup memberUid),
 *                                        both escaped per RFC 4515
 *   STRATA_LDAP_GROUP_ATTRIBUTE          attribute naming a group in the mapping, default cn
 *   STRATA_LDAP_GROUP_MAPPING            ldapgroup=strata-group,...; LDAP groups not listed are ignored, and
 *                                        membership of the listed Strata groups is synced at every sign-in
 *   STRATA_LDAP_STARTTLS                 true/false (default false): upgrade an ldap:// connection with StartTLS
 *                                        before any bind; not allowed with ldaps://
 *   STRATA_LDAP_TLS_CA_FILE              PEM file of the CA(s) to trust for ldaps:// and StartTLS (default: the
 *                                        system's CAs)
 *   STRATA_LDAP_TLS_REJECT_UNAUTHORIZED  true/false (default true); false accepts any server certificate
 *   STRATA_LDAP_TIMEOUT_MS               connect and per-operation timeout, default 5000
 */
import { readFileSync } from 'node:fs';
import { Filter, FilterParser } from 'ldapts';
import { parseGroupMapping } from '../external-identity.js';

export interface LdapConfig {
  url: string;
  /** undefined: search anonymously */
  bindDn?: string;
  bindPassword?: string;
  userBase: string;
  /** contains `{username}` */
  userFilter: string;
  usernameAttribute: string;
  groupBase?: string;
  /** contains `{dn}` and/or `{username}` */
  groupFilter: string;
  groupAttribute: string;
  /** LDAP group name → Strata group */
  groupMapping: Record<string, string>;
  startTls: boolean;
  tls: {
    /** PEM text of the trusted CAs, read at start so a missing file fails the start, not a sign-in */
    ca?: string;
    rejectUnauthorized: boolean;
  };
  timeoutMs: number;
}

const DEFAULT_USER_FILTER = '(uid={username})';
const DEFAULT_GROUP_FILTER = '(|(member={dn})(uniqueMember={dn}))';

/** Reads STRATA_LDAP_*; undefined when STRATA_LDAP_URL is unset. Throws on an unusable combination. */
export function loadLdapConfig(env: Record<string, string | undefined>): LdapConfig | undefined {
  const get = (key: string): string | undefined => {
    const v = env[`STRATA_LDAP_${key}`]?.trim();
    return v ? v : undefined;
  };
  const url = get('URL');
  if (!url) return undefined;

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`STRATA_LDAP_URL "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:') throw invalid('STRATA_LDAP_URL must start with ldap:// or ldaps://');
  if (!parsed.hostname) throw invalid('STRATA_LDAP_URL has no host');
  // ldapts connects to proto/host/port only; a base DN or filter in the URL would be silently ignored
  if ((parsed.pathname && parsed.pathname !== '/') || parsed.search) throw invalid('STRATA_LDAP_URL must be ldap[s]://host[:port] only; use STRATA_LDAP_USER_BASE for the base DN');
  if (parsed.username || parsed.password) throw invalid('STRATA_LDAP_URL must not carry credentials; use STRATA_LDAP_BIND_DN and STRATA_LDAP_BIND_PASSWORD');

  const bindDn = get('BIND_DN');
  const passwordFile = get('BIND_PASSWORD_FILE');
  // not trimmed: a password may legitimately end in a space
  let bindPassword = env.STRATA_LDAP_BIND_PASSWORD || undefined;
  if (bindPassword !== undefined && passwordFile) throw invalid('set STRATA_LDAP_BIND_PASSWORD or STRATA_LDAP_BIND_PASSWORD_FILE, not both');
  if (passwordFile) {
    try {
      bindPassword = readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw invalid(`STRATA_LDAP_BIND_PASSWORD_FILE: ${(e as Error).message}`);
    }
  }
  // A simple bind with a DN and an empty password is an "unauthenticated bind" (RFC 4513
  // section 5.1.2): many servers accept it as anonymous, which would hide the mistake.
  if (bindDn && !bindPassword) throw invalid('STRATA_LDAP_BIND_DN needs STRATA_LDAP_BIND_PASSWORD (or _FILE)');
  if (!bindDn && bindPassword) throw invalid('STRATA_LDAP_BIND_PASSWORD is set without STRATA_LDAP_BIND_DN');

  const userBase = get('USER_BASE');
  if (!userBase) throw invalid('STRATA_LDAP_USER_BASE is required with STRATA_LDAP_URL');
  const userFilter = get('USER_FILTER') ?? DEFAULT_USER_FILTER;
  if (!userFilter.includes('{username}')) throw invalid('STRATA_LDAP_USER_FILTER must contain {username}');
  checkFilter('STRATA_LDAP_USER_FILTER', userFilter);
  const usernameAttribute = get('USERNAME_ATTRIBUTE') ?? 'uid';
  checkAttribute('STRATA_LDAP_USERNAME_ATTRIBUTE', usernameAttribute);

  const groupBase = get('GROUP_BASE');
  const groupFilter = get('GROUP_FILTER') ?? DEFAULT_GROUP_FILTER;
  if (!groupFilter.includes('{dn}') && !groupFilter.includes('{username}')) throw invalid('STRATA_LDAP_GROUP_FILTER must contain {dn} or {username}');
  checkFilter('STRATA_LDAP_GROUP_FILTER', groupFilter);
  const groupAttribute = get('GROUP_ATTRIBUTE') ?? 'cn';
  checkAttribute('STRATA_LDAP_GROUP_ATTRIBUTE', groupAttribute);
  const mappingText = get('GROUP_MAPPING');
  const groupMapping = parseGroupMapping(mappingText);
  if (mappingText && Object.keys(groupMapping).length === 0) throw invalid('STRATA_LDAP_GROUP_MAPPING must look like ldapgroup=strata-group,...');
  // without a group base every mapped membership would be removed at each sign-in
  if (Object.keys(groupMapping).length > 0 && !groupBase) throw invalid('STRATA_LDAP_GROUP_MAPPING needs STRATA_LDAP_GROUP_BASE');

  const startTls = bool('STRATA_LDAP_STARTTLS', get('STARTTLS'), false);
  if (startTls && parsed.protocol === 'ldaps:') throw invalid('STRATA_LDAP_STARTTLS is for ldap:// URLs; ldaps:// is already TLS');
  const caFile = get('TLS_CA_FILE');
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw invalid(`STRATA_LDAP_TLS_CA_FILE: ${(e as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw invalid(`STRATA_LDAP_TLS_CA_FILE ${caFile} holds no PEM certificate`);
  }
  const rejectUnauthorized = bool('STRATA_LDAP_TLS_REJECT_UNAUTHORIZED', get('TLS_REJECT_UNAUTHORIZED'), true);

  const timeoutText = get('TIMEOUT_MS') ?? '5000';
  const timeoutMs = Number(timeoutText);
  if (!/^\d+$/.test(timeoutText) || timeoutMs < 1 || timeoutMs > 600_000) throw invalid('STRATA_LDAP_TIMEOUT_MS must be a whole number of milliseconds between 1 and 600000');

  return {
    url: `${parsed.protocol}//${parsed.host}`,
    bindDn,
    bindPassword,
    userBase,
    userFilter,
    usernameAttribute,
    groupBase,
    groupFilter,
    groupAttribute,
    groupMapping,
    startTls,
    tls: { ca, rejectUnauthorized },
    timeoutMs,
  };
}

/** Fills `{name}` placeholders with values escaped for an RFC 4515 filter (section 3: `*`, `(`, `)`, `\`, NUL). */
export function fillFilter(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? Filter.escape(values[name]!) : whole));
}

function checkFilter(key: string, filter: string): void {
  try {
    FilterParser.parseString(fillFilter(filter, { username: 'x', dn: 'cn=x' }));
  } catch (e) {
    throw invalid(`${key} is not a valid LDAP filter (RFC 4515): ${(e as Error).message}`);
  }
}

function checkAttribute(key: string, name: string): void {
  // RFC 4512 section 2.5: a descriptor (keystring) or a numeric OID
  if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/.test(name)) throw invalid(`${key} "${name}" is not an attribute name`);
}

function bool(key: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(`${key} must be true or false`);
}

function invalid(message: string): Error {
  return new Error(`invalid configuration: ${message}`);
}
