import { SAML, ValidateInResponseTo, type CacheProvider, type Profile, type SamlConfig as NodeSamlOptions } from '@node-saml/node-saml';
import { DomainError } from '../../domain/index.js';
import { mapGroups, type ExternalIdentity } from '../external-identity.js';
import { SAML_NAME_ID, type SamlConfig } from './saml-config.js';
import { SAML_REQUEST_TTL_MS, type SqlSamlRequestStore } from './saml-request-store.js';

/** Tolerated difference between the IdP's clock and ours for NotBefore / NotOnOrAfter. */
export const SAML_CLOCK_SKEW_MS = 60_000;

const UNSPECIFIED_NAME_ID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

/** Why a Response was refused; the reason goes to the log, never to the client. */
export type SamlRefusalLog = (reason: string) => void;

/**
 * Strata as a SAML 2.0 service provider (Web Browser SSO profile, SAML 2.0 profiles 4.1) on top
 * of node-saml: AuthnRequests over HTTP-Redirect (bindings 3.4), Responses over HTTP-POST
 * (bindings 3.5), signature, audience, time and InResponseTo checks by node-saml, one-time use
 * of each request id through {@link SqlSamlRequestStore}.
 */
export class SamlServiceProvider {
  private readonly saml: SAML;
  private metadataXml?: string;

  constructor(
    private readonly config: SamlConfig,
    private readonly store: SqlSamlRequestStore,
    private readonly logRefusal: SamlRefusalLog = () => undefined,
  ) {
    this.saml = new SAML(this.options(store));
  }

  /** The IdP's SSO URL carrying a (possibly signed) deflated AuthnRequest (core 3.4.1, bindings 3.4.4). */
  loginUrl(): Promise<string> {
    return this.saml.getAuthorizeUrlAsync('', undefined, {});
  }

  /** Our SP metadata (SAML 2.0 metadata 2.4.4) for the IdP administrator. */
  metadata(): string {
    this.metadataXml ??= this.saml.generateServiceProviderMetadata(null, this.config.spSigning?.cert ?? null);
    return this.metadataXml;
  }

  /**
   * Checks a base64 SAMLResponse from the ACS (profiles 4.1.4.3) and answers who it vouches for.
   * Anything wrong with the Response is a 401; a failing database is not (it propagates).
   */
  async verify(samlResponse: string): Promise<ExternalIdentity> {
    // node-saml deletes the request id once the Response checks out; we must know that *this*
    // call deleted it, or two nodes given the same Response at once would both accept it
    let consumed = false;
    let storeError: unknown;
    const guard = <T>(p: Promise<T>) =>
      p.catch((e: unknown) => {
        storeError ??= e;
        throw e;
      });
    const tracking: CacheProvider = {
      saveAsync: (key, value) => guard(this.store.saveAsync(key, value)),
      getAsync: (key) => guard(this.store.getAsync(key)),
      removeAsync: async (key) => {
        const removed = await guard(this.store.removeAsync(key));
        if (removed) consumed = true;
        return removed;
      },
    };
    let profile: Profile | null;
    try {
      ({ profile } = await new SAML(this.options(tracking)).validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch (e) {
      if (storeError) throw storeError;
      throw this.refuse((e as Error).message);
    }
    if (!profile) throw this.refuse('the response carries no assertion (logout or passive answer)');
    const inResponseTo = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : null;
    // node-saml leaves the id in place when the assertion's SubjectConfirmationData omits it
    if (!consumed) consumed = (await this.store.removeAsync(inResponseTo)) !== null;
    if (!consumed) throw this.refuse('the response was already used (replay)');
    if (this.config.idpIssuer && profile.issuer !== this.config.idpIssuer) throw this.refuse(`unexpected issuer ${JSON.stringify(profile.issuer)}`);

    const username = this.config.usernameAttribute === SAML_NAME_ID ? profile.nameID : firstString(attribute(profile, this.config.usernameAttribute));
    if (!username) throw this.refuse(`the assertion has no ${this.config.usernameAttribute}`);
    const { groups, managedGroups } = mapGroups(strings(attribute(profile, this.config.groupsAttribute)), this.config.groupMapping);
    return { source: 'saml', username, groups, managedGroups };
  }

  private refuse(reason: string): DomainError {
    this.logRefusal(reason);
    return new DomainError('UNAUTHORIZED', 'the SAML response was not accepted');
  }

  private options(cacheProvider: CacheProvider): NodeSamlOptions {
    const c = this.config;
    return {
      entryPoint: c.entryPoint,
      issuer: c.issuer,
      callbackUrl: c.callbackUrl,
      idpCert: c.idpCerts,
      // the assertion must name us (core 2.5.1.4); our entity id is the audience
      audience: c.issuer,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: c.wantResponseSigned,
      // SP-initiated only: an unsolicited (IdP-initiated) Response has no request to answer and
      // could be replayed at will, so every Response must answer a request we stored
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: SAML_REQUEST_TTL_MS,
      cacheProvider,
      acceptedClockSkewMs: SAML_CLOCK_SKEW_MS,
      identifierFormat: UNSPECIFIED_NAME_ID,
      // let the IdP choose how people authenticate (MFA, Kerberos): the default asks for exactly
      // PasswordProtectedTransport, which several IdPs answer with an error
      disableRequestedAuthnContext: true,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      ...(c.spSigning ? { privateKey: c.spSigning.privateKey, publicCert: c.spSigning.cert } : {}),
      ...(c.idpIssuer ? { idpIssuer: c.idpIssuer } : {}),
    };
  }
}

/** An attribute from the (signature-checked) assertion: a string, a list, or absent. */
function attribute(profile: Profile, name: string): unknown {
  const attrs = profile.attributes as Record<string, unknown> | undefined;
  return attrs && Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name] : undefined;
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

function firstString(value: unknown): string | undefined {
  return strings(value)[0];
}
