import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, ResultCodeError, type Entry } from 'ldapts';
import { DomainError } from '../../domain/index.js';
import { mapGroups, type ExternalIdentity, type PasswordVerifier } from '../external-identity.js';
import { fillFilter, type LdapConfig } from './ldap-config.js';

/** RFC 4511 section 4.1.9 (Appendix A): resultCode invalidCredentials. */
const INVALID_CREDENTIALS = 49;
/** resultCode noSuchObject: also what OpenLDAP answers for a search base the bind may not read. */
const NO_SUCH_OBJECT = 32;

interface FoundUser {
  dn: string;
  /** the USERNAME_ATTRIBUTE value as stored (posixGroup memberUid compares it case-exactly) */
  login: string;
}

/**
 * Password sign-in against an LDAP directory with the usual search-then-bind:
 * 1. on a connection bound as the service account (or anonymous), find the user's entry by
 *    filter (exactly one, else no match);
 * 2. on a second connection, a simple bind (RFC 4513 section 5.1.3) as that entry's DN with the
 *    password: this is the password check, done by the server;
 * 3. back on the service connection, search the user's groups and map them (mapGroups).
 *
 * Wrong password or no such user: null, so the caller answers the same 401 for both. Anything
 * else (server down, TLS failure, bad service credentials, timeouts) throws UNAVAILABLE (503): a
 * broken directory must not look like a wrong password to the person or the login throttle.
 * Connections are opened per sign-in and always closed; nothing here logs, so no password can
 * end up in a log.
 */
export class LdapDirectory implements PasswordVerifier {
  private readonly host: string;

  constructor(readonly config: LdapConfig) {
    this.host = new URL(config.url).hostname.replace(/^\[(.*)\]$/, '$1');
  }

  async verify(username: string, password: string): Promise<ExternalIdentity | null> {
    // A simple bind with a DN and an empty password is an "unauthenticated bind" (RFC 4513
    // section 5.1.2) that many servers answer with success: it must never count as a sign-in.
    if (typeof password !== 'string' || password.length === 0) return null;
    const typed = username.trim();
    if (!typed) return null;

    const service = this.client();
    try {
      await this.open(service);
      if (this.config.bindDn) await step('service account bind', () => service.bind(this.config.bindDn!, this.config.bindPassword));
      const user = await step('user search', () => this.findUser(service, typed));
      if (!user) return null;
      if (!(await this.passwordMatches(user.dn, password))) return null;
      const ldapGroups = await step('group search', () => this.groupsOf(service, user));
      const { groups, managedGroups } = mapGroups(ldapGroups, this.config.groupMapping);
      return { source: 'ldap', username: user.login.toLowerCase(), groups, managedGroups };
    } finally {
      await close(service);
    }
  }

  /** The one entry the user filter finds, or null for none or several (ambiguous). */
  private async findUser(c: Client, typed: string): Promise<FoundUser | null> {
    const attribute = this.config.usernameAttribute;
    const { searchEntries } = await c.search(this.config.userBase, {
      scope: 'sub',
      filter: fillFilter(this.config.userFilter, { username: typed }),
      attributes: [attribute],
      // two are enough to know it is ambiguous (ldapts returns them without an error)
      sizeLimit: 2,
      timeLimit: Math.ceil(this.config.timeoutMs / 1000),
    });
    if (searchEntries.length !== 1) return null;
    const entry = searchEntries[0]!;
    const values = valuesOf(entry, attribute);
    if (values.length === 0) throw new DomainError('UNAVAILABLE', `LDAP sign-in is misconfigured: the user entry has no ${attribute} attribute (STRATA_LDAP_USERNAME_ATTRIBUTE)`);
    // uid may hold several values: prefer the one the person typed
    const login = values.find((v) => v.toLowerCase() === typed.toLowerCase()) ?? values[0]!;
    return { dn: entry.dn, login };
  }

  /** Binds as the user on a connection of its own, so the service connection keeps its rights. */
  private async passwordMatches(dn: string, password: string): Promise<boolean> {
    const c = this.client();
    try {
      await this.open(c);
      await c.bind(dn, password);
      return true;
    } catch (e) {
      if (e instanceof ResultCodeError && e.code === INVALID_CREDENTIALS) return false;
      throw unavailable('user bind', e);
    } finally {
      await close(c);
    }
  }

  private async groupsOf(c: Client, user: FoundUser): Promise<string[]> {
    const { groupBase, groupAttribute } = this.config;
    // nothing to map: skip the search (and its failure modes)
    if (!groupBase || Object.keys(this.config.groupMapping).length === 0) return [];
    const { searchEntries } = await c.search(groupBase, {
      scope: 'sub',
      filter: fillFilter(this.config.groupFilter, { dn: user.dn, username: user.login }),
      attributes: [groupAttribute],
      timeLimit: Math.ceil(this.config.timeoutMs / 1000),
    });
    return searchEntries.flatMap((g) => valuesOf(g, groupAttribute));
  }

  private client(): Client {
    return new Client({
      url: this.config.url,
      timeout: this.config.timeoutMs,
      connectTimeout: this.config.timeoutMs,
      // ldapts speaks TLS from the first byte whenever tlsOptions has any value, even on ldap://:
      // give them only for ldaps (StartTLS passes its own to startTLS)
      tlsOptions: this.config.url.startsWith('ldaps:') ? this.tlsOptions() : undefined,
    });
  }

  /** Connects and, with STARTTLS, upgrades (RFC 4511 section 4.14) before anything else is sent. */
  private async open(c: Client): Promise<void> {
    if (!this.config.startTls) return;
    // ldapts adds the socket to the options object it is given: a fresh one each time
    await step('StartTLS', () => withDeadline(c.startTLS(this.tlsOptions()), this.config.timeoutMs, 'TLS handshake timed out'));
  }

  private tlsOptions(): ConnectionOptions {
    return {
      host: this.host,
      // SNI takes host names only (RFC 6066 section 3); the certificate is still checked against an IP
      servername: isIP(this.host) ? undefined : this.host,
      ca: this.config.tls.ca,
      rejectUnauthorized: this.config.tls.rejectUnauthorized,
      minVersion: 'TLSv1.2',
    };
  }
}

/** Runs one step; anything but a DomainError becomes UNAVAILABLE naming the step. */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw unavailable(what, e);
  }
}

function unavailable(what: string, e: unknown): DomainError {
  if (e instanceof DomainError) return e;
  return new DomainError('UNAVAILABLE', `LDAP directory unavailable (${what} failed: ${describe(e)})`);
}

/**
 * A short cause for the 503 message: the LDAP result name, a Node error code (ECONNREFUSED, a TLS
 * verification code) or the library's message. None of them carries a password.
 */
function describe(e: unknown): string {
  if (e instanceof ResultCodeError) return `${e.name}, LDAP result ${e.code}${e.code === NO_SUCH_OBJECT ? ': is the base DN right, and readable by the bind account?' : ''}`;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}

function valuesOf(entry: Entry, attribute: string): string[] {
  // servers may answer with another spelling of the attribute name (uid / UID)
  const key = Object.keys(entry).find((k) => k !== 'dn' && k.toLowerCase() === attribute.toLowerCase());
  const raw = key === undefined ? [] : entry[key];
  const list: (string | Buffer)[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v)).filter((v) => v.length > 0);
}

async function close(c: Client): Promise<void> {
  try {
    await c.unbind();
  } catch {
    // the socket is destroyed either way; a failed unbind on a dead connection changes nothing
  }
}

function withDeadline<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
