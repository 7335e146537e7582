import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { IdentityProvider, ServiceProvider, setSchemaValidator } from 'samlify';

const run = promisify(execFile);

/** A key pair with a self-signed certificate, as PEM text and as files (for the *_FILE variables). */
export interface TestKeys {
  key: string;
  cert: string;
  keyFile: string;
  certFile: string;
}

/** RSA-2048 key and a one-day self-signed certificate from openssl, written into `dir`. */
export async function makeTestKeys(dir: string, name: string): Promise<TestKeys> {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1', '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', certFile]);
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), keyFile, certFile };
}

/** What the test IdP puts into one Response; the defaults make a valid one. */
export interface TestAssertion {
  nameID: string;
  attributes?: Record<string, string[]>;
  /** defaults: now - 1 min .. now + 5 min */
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** default: the SP's entity id from its metadata */
  audience?: string;
  /** which element the IdP signs; default 'assertion' (what the SP's metadata asks for) */
  sign?: 'assertion' | 'response';
}

// One Response with one Assertion (SAML 2.0 core 3.3.3 / 2.3.3), bearer subject confirmation
// (profiles 4.1.4.2). Tags are filled in by fill(), values XML-escaped.
const RESPONSE_TEMPLATE =
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{Now}" Destination="{Acs}" InResponseTo="{InResponseTo}">' +
  '<saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
  '<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="{AssertionID}" Version="2.0" IssueInstant="{Now}">' +
  '<saml:Issuer>{Issuer}</saml:Issuer>' +
  '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{NameID}</saml:NameID>' +
  '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{NotOnOrAfter}" Recipient="{Acs}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject>' +
  '<saml:Conditions NotBefore="{NotBefore}" NotOnOrAfter="{NotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>' +
  '<saml:AuthnStatement AuthnInstant="{Now}" SessionIndex="{AssertionID}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>' +
  '{AttributeStatement}</saml:Assertion></samlp:Response>';

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (m, tag: string) => values[tag] ?? m);

let validatorSet = false;

/**
 * A SAML identity provider for tests, on samlify: parses the registry's AuthnRequests and
 * answers signed Responses. samlify's XSD validation is switched off here, on the IdP side only;
 * the registry's side is node-saml's own validation, which is what the tests exercise.
 */
export class TestIdp {
  private readonly idp: ReturnType<typeof IdentityProvider>;
  private readonly sp: ReturnType<typeof ServiceProvider>;
  private readonly spResponseSigned: ReturnType<typeof ServiceProvider>;

  constructor(
    readonly entityID: string,
    ssoUrl: string,
    keys: TestKeys,
    spMetadata: string,
    /** verify the Signature of the registry's redirect (needs the SP's certificate in its metadata) */
    wantAuthnRequestsSigned = false,
  ) {
    if (!validatorSet) {
      setSchemaValidator({ validate: async () => 'skipped' });
      validatorSet = true;
    }
    this.idp = IdentityProvider({
      entityID,
      privateKey: keys.key,
      signingCert: keys.cert,
      wantAuthnRequestsSigned,
      requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: ssoUrl }],
      // unused; only so samlify does not warn about a missing endpoint
      singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: ssoUrl }],
    });
    this.sp = ServiceProvider({ metadata: spMetadata });
    // the same SP, as if its metadata asked for a signed Response instead of signed assertions
    this.spResponseSigned = ServiceProvider({ metadata: spMetadata.replace(/WantAssertionsSigned="true"/, 'WantAssertionsSigned="false"'), wantMessageSigned: true });
  }

  /** Reads the AuthnRequest out of the registry's 302 Location (HTTP-Redirect binding, bindings 3.4.4). */
  async parseLoginRequest(location: string): Promise<{ id: string; issuer: string; acs: string }> {
    const url = new URL(location);
    const query = Object.fromEntries(url.searchParams);
    // the signed octet string is the raw query in SAMLRequest, RelayState, SigAlg order (bindings 3.4.4.1)
    const raw = new Map(url.search.slice(1).split('&').map((p) => [p.split('=')[0], p] as const));
    const octetString = ['SAMLRequest', 'RelayState', 'SigAlg'].map((k) => raw.get(k)).filter(Boolean).join('&');
    const parsed = await this.idp.parseLoginRequest(this.sp, 'redirect', { query, octetString });
    const request = parsed.extract.request as Record<string, string>;
    return { id: request.id, issuer: String(parsed.extract.issuer), acs: request.assertionConsumerServiceUrl };
  }

  /** A base64 SAMLResponse for the HTTP-POST binding (bindings 3.5.4), signed by this IdP's key. */
  async loginResponse(inResponseTo: string, a: TestAssertion): Promise<string> {
    const now = Date.now();
    const sp = a.sign === 'response' ? this.spResponseSigned : this.sp;
    const attributes = Object.entries(a.attributes ?? {})
      .map(([name, values]) =>
        `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">` +
        values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`).join('') +
        '</saml:Attribute>',
      )
      .join('');
    const id = `_${randomBytes(16).toString('hex')}`;
    const values: Record<string, string> = {
      ID: id,
      AssertionID: `_${randomBytes(16).toString('hex')}`,
      Now: new Date(now).toISOString(),
      Acs: escapeXml(sp.entityMeta.getAssertionConsumerService('post') as string),
      InResponseTo: escapeXml(inResponseTo),
      Issuer: escapeXml(this.entityID),
      NameID: escapeXml(a.nameID),
      NotBefore: (a.notBefore ?? new Date(now - 60_000)).toISOString(),
      NotOnOrAfter: (a.notOnOrAfter ?? new Date(now + 5 * 60_000)).toISOString(),
      Audience: escapeXml(a.audience ?? sp.entityMeta.getEntityID()),
      AttributeStatement: attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '',
    };
    const { context } = await this.idp.createLoginResponse(sp, { extract: { request: { id: inResponseTo } } }, 'post', {}, {
      customTagReplacement: () => ({ id, context: fill(RESPONSE_TEMPLATE, values) }),
    });
    return context;
  }
}

/** The XML inside a base64 SAMLResponse, and back: for tests that tamper with a signed Response. */
export const decodeResponse = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
export const encodeResponse = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
