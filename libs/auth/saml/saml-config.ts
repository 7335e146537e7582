/**
 * SAML 2.0 sign-in (Strata is the service provider, Web Browser SSO profile: SAML 2.0 profiles
 * section 4.1). Environment variables, for the README:
 *
 *   STRATA_SAML_ENTRY_POINT          IdP single sign-on URL (HTTP-Redirect binding). Unset: SAML is off.
 *   STRATA_SAML_ISSUER               our entity id; default `${STRATA_BASE_URL}/api/v1/auth/saml/metadata`
 *   STRATA_SAML_CALLBACK_URL         our assertion consumer service URL; default `${STRATA_BASE_URL}/api/v1/auth/saml/acs`
 *   STRATA_SAML_IDP_CERT             IdP signing certificate(s): PEM (several blocks during a key
 *   STRATA_SAML_IDP_CERT_FILE          rollover) or the base64 body of one; one of the two is required
 *   STRATA_SAML_IDP_ISSUER           optional: the IdP entity id; assertions from any other issuer are refused
 *   STRATA_SAML_USERNAME_ATTRIBUTE   attribute that holds the user name; default `NameID` (the subject)
 *   STRATA_SAML_GROUPS_ATTRIBUTE     attribute that lists the person's groups; default `groups`
 *   STRATA_SAML_GROUP_MAPPING        `idp-group=strata-group,...`; unmapped IdP groups are ignored
 *   STRATA_SAML_SP_KEY(_FILE)        optional PEM private key: AuthnRequests are then signed
 *   STRATA_SAML_SP_CERT(_FILE)       its certificate (required with the key; published in our metadata)
 *   STRATA_SAML_WANT_RESPONSE_SIGNED `true` to also require a signature over the whole Response
 *                                    (default false: many IdPs sign only the assertion, which is
 *                                    always required)
 *
 * The IdP registers Strata from GET /api/v1/auth/saml/metadata; people start at
 * GET /api/v1/auth/saml/login, and the IdP posts back to the ACS, which answers session tokens.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseGroupMapping } from '../external-identity.js';

export interface SamlConfig {
  /** IdP single sign-on service URL */
  entryPoint: string;
  /** our entity id (also the audience the assertions must name) */
  issuer: string;
  /** our assertion consumer service URL */
  callbackUrl: string;
  /** PEM certificates the IdP signs with (more than one during a rollover) */
  idpCerts: string[];
  idpIssuer?: string;
  /** `NameID` means the assertion's subject */
  usernameAttribute: string;
  groupsAttribute: string;
  groupMapping: Record<string, string>;
  /** set together: AuthnRequests are signed and the certificate is published in our metadata */
  spSigning?: { privateKey: string; cert: string };
  wantResponseSigned: boolean;
}

export const SAML_NAME_ID = 'NameID';

const fail = (message: string): never => {
  throw new Error(`invalid configuration: ${message}`);
};

/** Reads the SAML settings from the (already `_FILE`-expanded, empty-stripped) environment; undefined when SAML is off. */
export function loadSamlConfig(env: Record<string, string | undefined>): SamlConfig | undefined {
  const entryPoint = env.STRATA_SAML_ENTRY_POINT;
  if (!entryPoint) return undefined;
  const base = env.STRATA_BASE_URL?.replace(/\/+$/, '');
  const issuer = env.STRATA_SAML_ISSUER ?? (base ? `${base}/api/v1/auth/saml/metadata` : fail('STRATA_SAML_ISSUER or STRATA_BASE_URL is required with STRATA_SAML_ENTRY_POINT'));
  const callbackUrl = env.STRATA_SAML_CALLBACK_URL ?? (base ? `${base}/api/v1/auth/saml/acs` : fail('STRATA_SAML_CALLBACK_URL or STRATA_BASE_URL is required with STRATA_SAML_ENTRY_POINT'));
  for (const [name, value] of [['STRATA_SAML_ENTRY_POINT', entryPoint], ['STRATA_SAML_CALLBACK_URL', callbackUrl]] as const) {
    if (!isHttpUrl(value)) fail(`${name} must be an http(s) URL`);
  }
  const certText = secret(env, 'STRATA_SAML_IDP_CERT') ?? fail('STRATA_SAML_IDP_CERT or STRATA_SAML_IDP_CERT_FILE is required with STRATA_SAML_ENTRY_POINT');
  const idpCerts = certificates(certText, 'STRATA_SAML_IDP_CERT');

  const privateKey = secret(env, 'STRATA_SAML_SP_KEY');
  const spCert = secret(env, 'STRATA_SAML_SP_CERT');
  if (!!privateKey !== !!spCert) fail('STRATA_SAML_SP_KEY and STRATA_SAML_SP_CERT go together');
  let spSigning: SamlConfig['spSigning'];
  if (privateKey && spCert) {
    try {
      createPrivateKey(privateKey);
    } catch {
      fail('STRATA_SAML_SP_KEY is not a readable PEM private key');
    }
    spSigning = { privateKey, cert: certificates(spCert, 'STRATA_SAML_SP_CERT')[0] };
  }

  const wantResponseSigned = env.STRATA_SAML_WANT_RESPONSE_SIGNED ?? 'false';
  if (!['true', 'false', '1', '0'].includes(wantResponseSigned)) fail('STRATA_SAML_WANT_RESPONSE_SIGNED must be true or false');
  return {
    entryPoint,
    issuer,
    callbackUrl,
    idpCerts,
    idpIssuer: env.STRATA_SAML_IDP_ISSUER,
    usernameAttribute: env.STRATA_SAML_USERNAME_ATTRIBUTE ?? SAML_NAME_ID,
    groupsAttribute: env.STRATA_SAML_GROUPS_ATTRIBUTE ?? 'groups',
    groupMapping: parseGroupMapping(env.STRATA_SAML_GROUP_MAPPING),
    spSigning,
    wantResponseSigned: wantResponseSigned === 'true' || wantResponseSigned === '1',
  };
}

/** `X` or the contents of the file named by `X_FILE` (the loader only expands the core secrets). */
function secret(env: Record<string, string | undefined>, key: string): string | undefined {
  if (env[key]) return env[key];
  const file = env[`${key}_FILE`];
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    return fail(`${key}_FILE: ${(e as Error).message}`);
  }
}

/**
 * Normalises PEM blocks or a bare base64 body (as IdP admin consoles show it) into PEM
 * certificates, parsing each now so that a broken certificate stops the start, not every sign-in.
 */
function certificates(text: string, name: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  const bodies = blocks ? blocks.map((b) => b.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')) : [text];
  return bodies.map((body) => {
    const b64 = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) fail(`${name} is neither PEM nor base64`);
    const pem = `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
    try {
      new X509Certificate(pem);
    } catch {
      fail(`${name} is not a readable X.509 certificate`);
    }
    return pem;
  });
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
