import { readFileSync } from 'node:fs';
import { parseGroupMapping } from '../external-identity.js';

/*
 * OpenID Connect sign-in (authorization code flow with PKCE), configured from the environment:
 *
 *   STRATA_OIDC_ISSUER          Issuer URL of the identity provider; its discovery document is read
 *                               from <issuer>/.well-known/openid-configuration. Unset: OIDC is off
 *                               (the /api/v1/auth/oidc routes answer 404).
 *   STRATA_OIDC_CLIENT_ID       Client id registered at the provider (required with the issuer).
 *   STRATA_OIDC_CLIENT_SECRET   Client secret (or STRATA_OIDC_CLIENT_SECRET_FILE: a file holding it).
 *                               Unset: Strata is a public client and relies on PKCE alone.
 *   STRATA_OIDC_REDIRECT_URI    Callback URL to register at the provider. Default:
 *                               ${STRATA_BASE_URL}/api/v1/auth/oidc/callback; required when
 *                               STRATA_BASE_URL is not set.
 *   STRATA_OIDC_SCOPES          Space-separated scopes to request. Default: "openid profile email"
 *                               (must contain "openid"); add e.g. "groups" if the provider
 *                               releases the groups claim only for that scope.
 *   STRATA_OIDC_USERNAME_CLAIM  Claim that becomes the Strata user id (lower-cased). Default:
 *                               preferred_username. Pick a claim the provider keeps unique and
 *                               that users cannot change themselves.
 *   STRATA_OIDC_GROUPS_CLAIM    Claim holding the user's groups (array of strings). Default: groups.
 *   STRATA_OIDC_GROUP_MAPPING   idpgroup=strata-group,... Provider groups not listed are ignored;
 *                               membership in the listed Strata groups is synced at each sign-in.
 *   STRATA_OIDC_ALLOW_HTTP      true/false, default false: accept an http:// issuer. For tests only:
 *                               tokens then travel unencrypted.
 */

/** OIDC sign-in settings; `loadOidcConfig` returns undefined when OIDC is not configured. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  scopes: string;
  usernameClaim: string;
  groupsClaim: string;
  /** provider group → Strata group */
  groupMapping: Record<string, string>;
  allowHttp: boolean;
}

const CALLBACK_PATH = '/api/v1/auth/oidc/callback';

/** Reads the STRATA_OIDC_* variables; throws `invalid configuration: ...` listing every problem. */
export function loadOidcConfig(env: Record<string, string | undefined>): OidcConfig | undefined {
  const get = (k: string) => (env[k]?.trim() ? env[k]!.trim() : undefined);
  const issuer = get('STRATA_OIDC_ISSUER');
  if (!issuer) return undefined;
  const problems: string[] = [];

  const allowHttpText = (get('STRATA_OIDC_ALLOW_HTTP') ?? 'false').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(allowHttpText)) problems.push('STRATA_OIDC_ALLOW_HTTP: expected true or false');
  const allowHttp = allowHttpText === 'true' || allowHttpText === '1';

  checkUrl('STRATA_OIDC_ISSUER', issuer, allowHttp, problems);

  const clientId = get('STRATA_OIDC_CLIENT_ID');
  if (!clientId) problems.push('STRATA_OIDC_CLIENT_ID: required with STRATA_OIDC_ISSUER');

  let clientSecret = get('STRATA_OIDC_CLIENT_SECRET');
  const secretFile = get('STRATA_OIDC_CLIENT_SECRET_FILE');
  if (!clientSecret && secretFile) {
    try {
      clientSecret = readFileSync(secretFile, 'utf8').trim() || undefined;
    } catch (e) {
      problems.push(`STRATA_OIDC_CLIENT_SECRET_FILE: cannot read ${secretFile} (${(e as Error).message})`);
    }
  }

  let redirectUri = get('STRATA_OIDC_REDIRECT_URI');
  const baseUrl = get('STRATA_BASE_URL')?.replace(/\/+$/, '');
  if (!redirectUri && baseUrl) redirectUri = `${baseUrl}${CALLBACK_PATH}`;
  if (!redirectUri) problems.push('STRATA_OIDC_REDIRECT_URI: required when STRATA_BASE_URL is not set');
  // the redirect URI is where the browser goes, not a server-to-server call: http is allowed
  // (a registry on localhost), the provider decides whether it accepts it
  else checkUrl('STRATA_OIDC_REDIRECT_URI', redirectUri, true, problems);

  const scopes = (get('STRATA_OIDC_SCOPES') ?? 'openid profile email').split(/\s+/).filter(Boolean);
  // OpenID Connect Core 1.0 section 3.1.2.1: without the openid scope it is plain OAuth, no ID token
  if (!scopes.includes('openid')) problems.push('STRATA_OIDC_SCOPES: must contain "openid"');

  if (problems.length) throw new Error(`invalid configuration: ${problems.join('; ')}`);
  return {
    issuer,
    clientId: clientId!,
    clientSecret,
    redirectUri: redirectUri!,
    scopes: scopes.join(' '),
    usernameClaim: get('STRATA_OIDC_USERNAME_CLAIM') ?? 'preferred_username',
    groupsClaim: get('STRATA_OIDC_GROUPS_CLAIM') ?? 'groups',
    groupMapping: parseGroupMapping(get('STRATA_OIDC_GROUP_MAPPING')),
    allowHttp,
  };
}

function checkUrl(name: string, value: string, allowHttp: boolean, problems: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name}: not a URL`);
    return;
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && allowHttp) return;
  problems.push(`${name}: must be an https:// URL${url.protocol === 'http:' ? ' (STRATA_OIDC_ALLOW_HTTP=true allows http:// for tests)' : ''}`);
}
