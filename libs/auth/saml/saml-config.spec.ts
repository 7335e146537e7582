import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSamlConfig } from './saml-config.js';

describe('loadSamlConfig', () => {
  let dir: string;
  let cert: string;
  let key: string;
  const certFile = () => join(dir, 'idp.crt');
  const body = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  const base = () => ({ STRATA_BASE_URL: 'https://strata.example.com/', STRATA_SAML_ENTRY_POINT: 'https://idp.example.com/sso', STRATA_SAML_IDP_CERT_FILE: certFile() });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-saml-config-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=idp', '-keyout', join(dir, 'idp.key'), '-out', certFile()], { stdio: 'ignore' });
    cert = readFileSync(certFile(), 'utf8');
    key = readFileSync(join(dir, 'idp.key'), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is off without STRATA_SAML_ENTRY_POINT', () => {
    expect(loadSamlConfig({})).toBeUndefined();
    expect(loadSamlConfig({ STRATA_SAML_ENTRY_POINT: '' })).toBeUndefined();
  });

  it('derives the entity id and ACS from STRATA_BASE_URL and fills in the defaults', () => {
    const c = loadSamlConfig(base())!;
    expect(c).toMatchObject({
      entryPoint: 'https://idp.example.com/sso',
      issuer: 'https://strata.example.com/api/v1/auth/saml/metadata',
      callbackUrl: 'https://strata.example.com/api/v1/auth/saml/acs',
      usernameAttribute: 'NameID',
      groupsAttribute: 'groups',
      groupMapping: {},
      wantResponseSigned: false,
    });
    expect(c.idpCerts).toHaveLength(1);
    expect(body(c.idpCerts[0])).toBe(body(cert));
    expect(c.spSigning).toBeUndefined();
  });

  it('reads every variable; the IdP certificate may be a bare base64 body, the SP key and cert files', () => {
    const c = loadSamlConfig({
      STRATA_SAML_ENTRY_POINT: 'https://idp.example.com/sso',
      STRATA_SAML_ISSUER: 'urn:strata:test',
      STRATA_SAML_CALLBACK_URL: 'https://strata.example.com/acs',
      STRATA_SAML_IDP_CERT: body(cert),
      STRATA_SAML_IDP_ISSUER: 'https://idp.example.com',
      STRATA_SAML_USERNAME_ATTRIBUTE: 'uid',
      STRATA_SAML_GROUPS_ATTRIBUTE: 'memberOf',
      STRATA_SAML_GROUP_MAPPING: 'devs=developers, ops=admins',
      STRATA_SAML_SP_KEY_FILE: join(dir, 'idp.key'),
      STRATA_SAML_SP_CERT_FILE: certFile(),
      STRATA_SAML_WANT_RESPONSE_SIGNED: 'true',
    })!;
    expect(c).toMatchObject({
      issuer: 'urn:strata:test',
      callbackUrl: 'https://strata.example.com/acs',
      idpIssuer: 'https://idp.example.com',
      usernameAttribute: 'uid',
      groupsAttribute: 'memberOf',
      groupMapping: { devs: 'developers', ops: 'admins' },
      wantResponseSigned: true,
    });
    expect(body(c.idpCerts[0])).toBe(body(cert));
    expect(c.spSigning?.privateKey).toBe(key.trim());
  });

  it('keeps every certificate of a PEM bundle (IdP key rollover)', () => {
    expect(loadSamlConfig({ ...base(), STRATA_SAML_IDP_CERT: `${cert}\n${cert}` })!.idpCerts).toHaveLength(2);
  });

  it.each([
    ['no entity id source', { STRATA_BASE_URL: undefined }, /STRATA_SAML_ISSUER or STRATA_BASE_URL/],
    ['no IdP certificate', { STRATA_SAML_IDP_CERT_FILE: undefined }, /STRATA_SAML_IDP_CERT or STRATA_SAML_IDP_CERT_FILE is required/],
    ['a missing certificate file', { STRATA_SAML_IDP_CERT_FILE: '/nonexistent/idp.crt' }, /STRATA_SAML_IDP_CERT_FILE/],
    ['text that is no certificate', { STRATA_SAML_IDP_CERT_FILE: undefined, STRATA_SAML_IDP_CERT: 'not a certificate!' }, /neither PEM nor base64/],
    ['base64 that is no certificate', { STRATA_SAML_IDP_CERT_FILE: undefined, STRATA_SAML_IDP_CERT: 'QUJD' }, /not a readable X.509 certificate/],
    ['an entry point that is no URL', { STRATA_SAML_ENTRY_POINT: 'idp.example.com/sso' }, /STRATA_SAML_ENTRY_POINT must be an http\(s\) URL/],
    ['an SP certificate without its key', { STRATA_SAML_SP_CERT: 'MIIB' }, /go together/],
    ['a bad boolean', { STRATA_SAML_WANT_RESPONSE_SIGNED: 'yes' }, /true or false/],
  ])('refuses %s', (_name, change, message) => {
    expect(() => loadSamlConfig({ ...base(), ...change })).toThrow(message);
  });
});
