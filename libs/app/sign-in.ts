import { DomainError, userIdFromExternal, type EventMetadata } from '../domain/index.js';
import type { ExternalIdentity, LoginThrottle, PasswordStore, PasswordVerifier, SessionService, SessionTokens } from '../auth/index.js';
import type { IdentityCommands } from './identity-commands.js';
import type { IdentityQueries } from './identity-queries.js';

const BAD_LOGIN = 'invalid user name or password';

/**
 * Human sign-in: local passwords, a directory (LDAP) and, through `external`, OIDC and SAML.
 * Users of external providers are created just in time on first sign-in and their mapped group
 * memberships are synced on every sign-in.
 */
export class SignIn {
  constructor(
    private readonly queries: IdentityQueries,
    private readonly commands: IdentityCommands,
    private readonly passwords: PasswordStore,
    private readonly throttle: LoginThrottle,
    private readonly sessions: SessionService,
    private readonly directory?: PasswordVerifier,
  ) {}

  async withPassword(username: unknown, password: unknown, address: string, meta: EventMetadata): Promise<SessionTokens> {
    if (typeof username !== 'string' || typeof password !== 'string' || !username || password.length > 1024) throw new DomainError('BAD_REQUEST', 'username and password are required');
    let userId: string;
    try {
      userId = userIdFromExternal(username);
    } catch {
      throw new DomainError('UNAUTHORIZED', BAD_LOGIN);
    }
    await this.throttle.check(userId, address);
    const user = (await this.queries.users()).find((u) => u.userId === userId);
    let ok = false;
    // the directory may know the person under another id than the typed name (a mail filter, say)
    let sessionUser = userId;
    if (!user || user.source === 'local') ok = await this.passwords.verify(userId, password);
    if (!ok && this.directory && (!user || user.source === 'ldap')) {
      const identity = await this.directory.verify(username, password);
      if (identity) {
        sessionUser = await this.provision(identity, meta);
        ok = true;
      }
    }
    if (!ok || (user && user.disabled)) {
      await this.throttle.failed(userId, address);
      throw new DomainError('UNAUTHORIZED', BAD_LOGIN);
    }
    await this.throttle.succeeded(userId);
    return this.sessions.issue(sessionUser);
  }

  /** After an OIDC or SAML provider has vouched for the person. */
  async external(identity: ExternalIdentity, meta: EventMetadata): Promise<SessionTokens> {
    const userId = await this.provision(identity, meta);
    return this.sessions.issue(userId);
  }

  private async provision(identity: ExternalIdentity, meta: EventMetadata): Promise<string> {
    const userId = userIdFromExternal(identity.username);
    const existing = (await this.queries.users()).find((u) => u.userId === userId);
    if (!existing) await this.commands.createUser(userId, identity.source, false, meta);
    else if (existing.source !== identity.source) throw new DomainError('FORBIDDEN', `user "${userId}" exists and signs in through ${existing.source}`);
    else if (existing.disabled) throw new DomainError('UNAUTHORIZED', 'user disabled');
    const groups = await this.queries.groups();
    for (const g of identity.groups) {
      if (!groups.some((x) => x.name === g)) await this.commands.createGroup(g, meta).catch((e) => {
        if (!(e instanceof DomainError && e.code === 'ALREADY_EXISTS')) throw e;
      });
      await this.commands.changeGroup(g, [userId], [], meta);
    }
    for (const g of identity.managedGroups) {
      if (!identity.groups.includes(g) && groups.find((x) => x.name === g)?.members.includes(userId)) await this.commands.changeGroup(g, [], [userId], meta);
    }
    return userId;
  }
}
