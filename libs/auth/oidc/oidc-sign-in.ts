import * as client from 'openid-client';
import { DomainError } from '../../domain/index.js';
import { mapGroups, type ExternalIdentity } from '../external-identity.js';
import type { OidcConfig } from './oidc-config.js';
import type { OidcLoginStore } from './oidc-login-store.js';

/** Seconds allowed for each request to the identity provider (discovery, token, userinfo). */
const PROVIDER_TIMEOUT_SECONDS = 10;

export interface OidcSignInResult {
  identity: ExternalIdentity;
  returnTo?: string;
}

/** Where problems at the provider are reported (never with codes, tokens or secrets). */
export type OidcLog = (message: string, detail: Record<string, unknown>) => void;

/**
 * The relying-party side of the OpenID Connect authorization code flow (OpenID Connect Core 1.0
 * section 3.1) with PKCE (RFC 7636), on openid-client. `begin` sends the browser to the provider;
 * `complete` turns the provider's answer into an ExternalIdentity for SignIn.external.
 */
export class OidcSignIn {
  private discovered?: Promise<client.Configuration>;

  constructor(
    private readonly config: OidcConfig,
    private readonly logins: OidcLoginStore,
    private readonly log: OidcLog = () => undefined,
  ) {}

  /**
   * OpenID Connect Core 1.0 section 3.1.2.1 (authentication request) with RFC 7636 section 4.3
   * (S256 code challenge). Returns the provider URL and the `state` it carries.
   */
  async begin(returnTo?: string): Promise<{ url: string; state: string }> {
    const c = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await this.logins.put(state, { codeVerifier, nonce, returnTo });
    const url = client.buildAuthorizationUrl(c, {
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state };
  }

  /**
   * OpenID Connect Core 1.0 sections 3.1.2.5-3.1.2.7 (authentication response), 3.1.3 (token
   * request with the RFC 7636 section 4.5 code_verifier) and 3.1.3.7 (ID token validation:
   * issuer, audience, expiry, nonce), then section 5.3 (userinfo) when the ID token lacks a claim.
   *
   * `query` is the raw query string the provider sent to the callback. Every failure is a 401.
   */
  async complete(query: string): Promise<OidcSignInResult> {
    const params = new URLSearchParams(query);
    const states = params.getAll('state');
    if (states.length !== 1 || !states[0]) throw unauthorized('the sign-in answer carries no state');
    const state = states[0];
    const login = await this.logins.take(state);
    if (!login) throw unauthorized('unknown or expired sign-in; start again');

    const c = await this.configuration();
    // the token request repeats redirect_uri (section 3.1.3.1): build it from the configured value,
    // not from the Host header, so a proxy in front of Strata cannot change it
    const currentUrl = new URL(this.config.redirectUri);
    currentUrl.search = params.toString();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(c, currentUrl, { pkceCodeVerifier: login.codeVerifier, expectedState: state, expectedNonce: login.nonce, idTokenExpected: true });
    } catch (e) {
      throw this.providerFailure(e, 'the identity provider did not confirm the sign-in');
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw unauthorized('the identity provider sent no ID token');

    let claims: Record<string, unknown> = idClaims;
    const { usernameClaim, groupsClaim } = this.config;
    if ((idClaims[usernameClaim] === undefined || idClaims[groupsClaim] === undefined) && c.serverMetadata().userinfo_endpoint) {
      try {
        // section 5.3.4: the userinfo `sub` must be the ID token's, checked by fetchUserInfo
        const userinfo = await client.fetchUserInfo(c, tokens.access_token, idClaims.sub);
        claims = { ...userinfo, ...idClaims };
      } catch (e) {
        throw this.providerFailure(e, 'the identity provider did not answer the userinfo request');
      }
    }

    const username = claims[usernameClaim];
    if (typeof username !== 'string' || !username.trim()) throw unauthorized(`the identity provider sent no "${usernameClaim}" claim`);
    const { groups, managedGroups } = mapGroups(groupsOf(claims[groupsClaim]), this.config.groupMapping);
    return { identity: { source: 'oidc', username, groups, managedGroups }, returnTo: login.returnTo };
  }

  /** OpenID Connect Discovery 1.0: once, then cached; a failed attempt is retried next time. */
  private configuration(): Promise<client.Configuration> {
    this.discovered ??= this.discover().catch((e: unknown) => {
      this.discovered = undefined;
      // whatever went wrong (unreachable, wrong issuer in the document), it is ours to fix, not the user's
      this.log('OpenID Connect discovery failed', { issuer: this.config.issuer, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      throw new DomainError('UNAVAILABLE', 'the identity provider could not be reached');
    });
    return this.discovered;
  }

  private discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret, allowHttp } = this.config;
    return client.discovery(new URL(issuer), clientId, { redirect_uris: [this.config.redirectUri] }, clientSecret ? secretAuth(clientSecret) : client.None(), {
      // openid-client v6 refuses http:// outright unless told so, discovery included
      execute: allowHttp ? [client.allowInsecureRequests] : [],
      timeout: PROVIDER_TIMEOUT_SECONDS,
    });
  }

  /** Protocol refusals are 401; an unreachable or broken provider is 503. */
  private providerFailure(e: unknown, message: string): DomainError {
    if (e instanceof DomainError) return e;
    const detail: Record<string, unknown> = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    if (e instanceof client.AuthorizationResponseError || e instanceof client.ResponseBodyError) {
      detail.oauthError = e.error;
      if (e.error_description) detail.description = e.error_description;
      this.log(message, detail);
      // the provider's error code (RFC 6749 section 4.1.2.1, 5.2) is a short ASCII token: safe to echo
      return unauthorized(`${message}: ${String(e.error).replace(/[^\x20-\x7e]/g, '').slice(0, 64)}`);
    }
    if (e instanceof client.ClientError && e.code !== 'OAUTH_RESPONSE_IS_NOT_CONFORM' && e.code !== 'OAUTH_RESPONSE_IS_NOT_JSON') {
      detail.code = e.code;
      this.log(message, detail);
      return unauthorized(message);
    }
    this.log(message, detail);
    return new DomainError('UNAVAILABLE', message);
  }
}

/** OpenID Connect Core 1.0 section 9: client_secret_basic is the default; post if that is all the provider takes. */
function secretAuth(secret: string): client.ClientAuth {
  const basic = client.ClientSecretBasic(secret);
  const post = client.ClientSecretPost(secret);
  return (as, c, body, headers) => {
    const supported = as.token_endpoint_auth_methods_supported;
    const usePost = Array.isArray(supported) && !supported.includes('client_secret_basic') && supported.includes('client_secret_post');
    return (usePost ? post : basic)(as, c, body, headers);
  };
}

/** A groups claim is an array of names; some providers send a single name as a string. */
function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

function unauthorized(message: string): DomainError {
  return new DomainError('UNAUTHORIZED', message);
}
