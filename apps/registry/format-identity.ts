import { DomainError } from '../../libs/domain/index.js';
import type { FormatIdentity } from '../../libs/format-kit/index.js';
import type { RegistryServices } from './registry-services.js';

/** The identity facet formats see (npm login, npm token, npm owner), over the identity services. */
export function formatIdentity(s: RegistryServices): FormatIdentity {
  const { signIn, commands, queries, tokens } = s.identity;
  return {
    async verifyPassword(username, password, address, metadata) {
      return (await signIn.withPassword(username, password, address, metadata)).userId;
    },
    async mintToken(userId, options, metadata) {
      return commands.issueToken(
        { userId, name: options.name, expiresAt: options.expiresAt ?? null, readOnly: options.readOnly ?? false, repositories: null, cidrs: options.cidrs ?? null },
        metadata,
        (id) => tokens.createSecret(id, options.name, userId),
        (id) => tokens.discardSecret(id),
      );
    },
    tokens: (userId) => queries.tokens(userId),
    async revokeToken(userId, tokenId, metadata) {
      await commands.revokeToken(tokenId, userId, metadata);
    },
    userExists: (userId) => queries.userExists(userId),
    grants: (repository) => queries.grants(repository),
    grant: (repository, subject, actions, pattern, metadata) => commands.grant(repository, subject, actions, pattern, metadata),
    async revokeGrant(repository, grantId, metadata) {
      await commands.revoke(repository, grantId, metadata);
    },
    principalFor: (userId, authMethod) => s.identity.authenticator.principalForUser(userId, { authMethod, readOnly: false, repositories: null }),
    async issueRegistryToken(claims, service) {
      const tokens = s.identity.authenticator.registryTokens;
      if (!tokens) throw new DomainError('UNAVAILABLE', 'registry tokens are not configured');
      return tokens.issue(claims, service);
    },
    // OIDC's login takes a same-origin returnTo; SAML's ACS answers JSON and cannot send the browser back yet
    singleSignOn: () => (s.config.oidc ? [{ label: 'single sign-on (OpenID Connect)', loginPath: '/api/v1/auth/oidc/login', returnParam: 'returnTo' }] : []),
  };
}
