import { randomUUID } from 'node:crypto';
import {
  decideGrant,
  decideGroup,
  decideToken,
  decideUser,
  DomainError,
  evolveGrants,
  evolveGroup,
  evolveToken,
  evolveUser,
  identityStreams,
  initialGroupState,
  initialUserState,
  type Action,
  type DomainEvent,
  type EventMetadata,
  type IdentitySource,
  type RecordedEvent,
  type Subject,
  type TokenState,
} from '../domain/index.js';
import type { StreamWriter } from './stream-writer.js';

const fold = <S>(initial: () => S, evolve: (s: S, e: DomainEvent) => S) => (events: RecordedEvent[]) => events.reduce((s, e) => evolve(s, e as DomainEvent), initial());
const foldUser = fold(() => initialUserState, evolveUser);
const foldGroup = fold(initialGroupState, evolveGroup);
const foldGrants = fold(() => new Set<string>(), evolveGrants);
const foldToken = fold((): TokenState => ({ issued: false, revoked: false }), evolveToken);

export interface IssueTokenInput {
  userId: string;
  name: string;
  expiresAt: string | null;
  readOnly: boolean;
  repositories: string[] | null;
  cidrs: string[] | null;
}

/** Users, groups, grants and tokens: every change is an event (the security history is history too). */
export class IdentityCommands {
  constructor(private readonly writer: StreamWriter) {}

  createUser(userId: string, source: IdentitySource, admin: boolean, meta: EventMetadata) {
    return this.writer.execute(identityStreams.user(userId), foldUser, (s) => decideUser({ type: 'CreateUser', userId, source, admin }, s), meta);
  }

  setDisabled(userId: string, disabled: boolean, meta: EventMetadata) {
    return this.writer.execute(identityStreams.user(userId), foldUser, (s) => decideUser({ type: disabled ? 'DisableUser' : 'EnableUser', userId }, s), meta);
  }

  setAdmin(userId: string, admin: boolean, meta: EventMetadata) {
    return this.writer.execute(identityStreams.user(userId), foldUser, (s) => decideUser({ type: 'SetUserAdmin', userId, admin }, s), meta);
  }

  passwordChanged(userId: string, meta: EventMetadata) {
    return this.writer.execute(identityStreams.user(userId), foldUser, (s) => decideUser({ type: 'ChangePassword', userId }, s), meta);
  }

  createGroup(group: string, meta: EventMetadata) {
    return this.writer.execute(identityStreams.group(group), foldGroup, (s) => decideGroup({ type: 'CreateGroup', group }, s), meta);
  }

  changeGroup(group: string, add: string[], remove: string[], meta: EventMetadata) {
    return this.writer.execute(identityStreams.group(group), foldGroup, (s) => decideGroup({ type: 'ChangeGroup', group, add, remove }, s), meta);
  }

  deleteGroup(group: string, meta: EventMetadata) {
    return this.writer.execute(identityStreams.group(group), foldGroup, (s) => decideGroup({ type: 'DeleteGroup', group }, s), meta);
  }

  async grant(repository: string, subject: Subject, actions: Action[], pattern: string | undefined, meta: EventMetadata): Promise<string> {
    const grantId = `g_${randomUUID()}`;
    await this.writer.execute(identityStreams.grants(repository), foldGrants, (live) => decideGrant({ type: 'GrantPermission', grantId, repository, subject, actions, pattern }, live), meta);
    return grantId;
  }

  revoke(repository: string, grantId: string, meta: EventMetadata) {
    return this.writer.execute(identityStreams.grants(repository), foldGrants, (live) => decideGrant({ type: 'RevokePermission', grantId, repository }, live), meta);
  }

  async issueToken(input: IssueTokenInput, meta: EventMetadata, storeSecret: (tokenId: string) => Promise<string>, discard: (tokenId: string) => Promise<void>) {
    const tokenId = `t_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    // the secret's hash is stored first; the token is valid only once TokenIssued is projected
    const secret = await storeSecret(tokenId);
    try {
      await this.writer.execute(identityStreams.token(tokenId), foldToken, (s) => decideToken({ type: 'IssueToken', tokenId, ...input }, s), meta);
    } catch (e) {
      await discard(tokenId);
      throw e;
    }
    return { tokenId, secret };
  }

  async revokeToken(tokenId: string, owner: string | null, meta: EventMetadata) {
    return this.writer.execute(identityStreams.token(tokenId), foldToken, (s) => {
      if (owner !== null && s.issued && s.userId !== owner) throw new DomainError('NOT_FOUND', `no token ${tokenId}`);
      return decideToken({ type: 'RevokeToken', tokenId }, s);
    }, meta);
  }
}
