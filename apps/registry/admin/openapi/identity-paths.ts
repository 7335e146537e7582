/** Paths of sign-in (password, LDAP, OIDC, SAML), users, groups, registry-wide grants and tokens. */
import { adminErrors, errors, json, jsonBody, noContent, open, pathParam, queryParam, redirect } from './common.js';

const noStore = { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } };
const notConfigured = { 404: { description: 'this sign-in method is not configured', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } } };
const USER_ID = pathParam('id', 'user id');
const GROUP = pathParam('name', 'group name');

export const identityPaths = {
  '/api/v1/auth/login': {
    post: {
      summary: 'Sign in with a password (local users, then LDAP) for a 15-minute session and a rotating refresh token',
      ...open,
      requestBody: jsonBody('Login'),
      responses: { 200: json('Session'), ...errors(400, 401, 429, 503) },
    },
  },
  '/api/v1/auth/refresh': {
    post: { summary: 'Trade a refresh token for a new session (the refresh token rotates)', ...open, requestBody: jsonBody('Refresh'), responses: { 200: json('Session'), ...errors(400, 401) } },
  },
  '/api/v1/auth/logout': {
    post: { summary: 'End a session by revoking its refresh token', ...open, requestBody: jsonBody('Refresh'), responses: { ...noContent, ...errors(400) } },
  },
  '/api/v1/auth/whoami': {
    get: { summary: 'Who the credential is: user, groups, admin flag and token restrictions', responses: { 200: json('Whoami'), ...errors(401) } },
  },
  '/api/v1/auth/oidc/login': {
    get: {
      summary: "Start an OpenID Connect sign-in: redirect to the provider (PKCE, state, nonce)",
      ...open,
      parameters: [queryParam('returnTo', { type: 'string', maxLength: 1024 }, 'a path on this registry; the callback then redirects there with the session in the URL fragment')],
      responses: { 302: redirect("to the provider's authorization endpoint (sets a browser-binding cookie)"), ...errors(400), ...notConfigured },
    },
  },
  '/api/v1/auth/oidc/callback': {
    get: {
      summary: "The OpenID Connect provider's answer: exchanged and checked, then a Strata session",
      ...open,
      parameters: [queryParam('state', { type: 'string' }), queryParam('code', { type: 'string' }), queryParam('error', { type: 'string' })],
      responses: { 200: { ...json('Session'), headers: noStore }, 302: redirect('to returnTo, with the session in the URL fragment'), ...errors(400, 401), ...notConfigured },
    },
  },
  '/api/v1/auth/saml/metadata': {
    get: {
      summary: "Strata's SAML 2.0 service-provider metadata, for registering it at the IdP",
      ...open,
      responses: { 200: { description: 'SP metadata', content: { 'application/samlmetadata+xml': { schema: { type: 'string' } } } }, ...notConfigured },
    },
  },
  '/api/v1/auth/saml/login': {
    get: { summary: 'Start a SAML sign-in: redirect to the IdP with an AuthnRequest (HTTP-Redirect binding)', ...open, responses: { 302: redirect('to the IdP'), ...notConfigured } },
  },
  '/api/v1/auth/saml/acs': {
    post: {
      summary: "Assertion consumer service: the IdP's signed Response (HTTP-POST binding), answered with a Strata session",
      ...open,
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['SAMLResponse'], properties: { SAMLResponse: { type: 'string', description: 'base64' }, RelayState: { type: 'string' } } } } },
      },
      responses: { 200: { ...json('Session'), headers: noStore }, ...errors(400, 401, 413), ...notConfigured },
    },
  },
  '/api/v1/users': {
    get: { summary: 'List users (registry admins)', responses: { 200: json('UserList'), ...errors(401, 403) } },
    post: { summary: 'Create a local user or a service account (UserCreated)', requestBody: jsonBody('CreateUser'), responses: { 201: json('User', 'Created'), ...adminErrors } },
  },
  '/api/v1/users/{id}': {
    parameters: [USER_ID],
    get: { summary: 'Show one user', responses: { 200: json('User'), ...errors(401, 403, 404) } },
    patch: { summary: "Disable or enable a user, change the admin flag, or reset the password", requestBody: jsonBody('ChangeUser'), responses: { 200: json('User'), ...adminErrors } },
  },
  '/api/v1/groups': {
    get: { summary: 'List groups and their members (registry admins)', responses: { 200: json('GroupList'), ...errors(401, 403) } },
    post: { summary: 'Create a group, optionally with members (GroupCreated, GroupChanged)', requestBody: jsonBody('CreateGroup'), responses: { 201: json('Group', 'Created'), ...adminErrors } },
  },
  '/api/v1/groups/{name}': {
    parameters: [GROUP],
    get: { summary: 'Show one group', responses: { 200: json('Group'), ...errors(401, 403, 404) } },
    patch: { summary: 'Add and remove members (GroupChanged)', requestBody: jsonBody('ChangeGroup'), responses: { 200: json('Group'), ...adminErrors } },
    delete: { summary: 'Delete a group', responses: { ...noContent, ...errors(401, 403, 404) } },
  },
  '/api/v1/permissions': {
    get: { summary: 'List the grants on every repository (registry admins)', responses: { 200: json('GrantList'), ...errors(401, 403) } },
    post: { summary: 'Grant actions on every repository to a user or group (PermissionGranted)', requestBody: jsonBody('GrantRequest'), responses: { 201: json('Grant', 'Granted'), ...adminErrors } },
  },
  '/api/v1/permissions/{grantId}': {
    parameters: [pathParam('grantId')],
    delete: { summary: 'Revoke a registry-wide grant (PermissionRevoked)', responses: { ...noContent, ...errors(401, 403, 404) } },
  },
  '/api/v1/tokens': {
    get: {
      summary: "List API tokens with their last use, never their secrets (own tokens; admins: another user's or all)",
      parameters: [queryParam('user', { type: 'string' }, 'admins: a user id, or `*` for every user')],
      responses: { 200: json('TokenList'), ...errors(401, 403) },
    },
    post: {
      summary: 'Create an API token (TokenIssued); the secret is in this answer only',
      requestBody: jsonBody('IssueToken'),
      responses: { 201: { ...json('IssuedToken', 'Created'), headers: noStore }, ...errors(400, 401, 403) },
    },
  },
  '/api/v1/tokens/{id}': {
    parameters: [pathParam('id', 'token id')],
    delete: { summary: 'Revoke a token at once on every node (TokenRevoked); the owner or an admin', responses: { ...noContent, ...errors(401, 403, 404) } },
  },
};
