import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fillFilter, loadLdapConfig } from './ldap-config.js';

const base = { STRATA_LDAP_URL: 'ldap://ldap.example.com', STRATA_LDAP_USER_BASE: 'ou=people,dc=example,dc=com' };

describe('loadLdapConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-ldap-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is off without STRATA_LDAP_URL', () => {
    expect(loadLdapConfig({})).toBeUndefined();
    expect(loadLdapConfig({ STRATA_LDAP_URL: '' })).toBeUndefined();
  });

  it('fills in the defaults', () => {
    expect(loadLdapConfig(base)).toEqual({
      url: 'ldap://ldap.example.com',
      bindDn: undefined,
      bindPassword: undefined,
      userBase: 'ou=people,dc=example,dc=com',
      userFilter: '(uid={username})',
      usernameAttribute: 'uid',
      groupBase: undefined,
      groupFilter: '(|(member={dn})(uniqueMember={dn}))',
      groupAttribute: 'cn',
      groupMapping: {},
      startTls: false,
      tls: { ca: undefined, rejectUnauthorized: true },
      timeoutMs: 5000,
    });
  });

  it('reads every variable', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const c = loadLdapConfig({
      ...base,
      STRATA_LDAP_URL: 'ldap://ldap.example.com:1389/',
      STRATA_LDAP_BIND_DN: 'cn=svc,dc=example,dc=com',
      STRATA_LDAP_BIND_PASSWORD: 'pw ',
      STRATA_LDAP_USER_FILTER: '(&(objectClass=person)(sAMAccountName={username}))',
      STRATA_LDAP_USERNAME_ATTRIBUTE: 'sAMAccountName',
      STRATA_LDAP_GROUP_BASE: 'ou=groups,dc=example,dc=com',
      STRATA_LDAP_GROUP_FILTER: '(memberUid={username})',
      STRATA_LDAP_GROUP_ATTRIBUTE: 'gidName',
      STRATA_LDAP_GROUP_MAPPING: 'developers=devs, ldap-admins=admins',
      STRATA_LDAP_STARTTLS: 'true',
      STRATA_LDAP_TLS_CA_FILE: ca,
      STRATA_LDAP_TLS_REJECT_UNAUTHORIZED: 'false',
      STRATA_LDAP_TIMEOUT_MS: '1500',
    })!;
    expect(c).toMatchObject({ url: 'ldap://ldap.example.com:1389', bindDn: 'cn=svc,dc=example,dc=com', bindPassword: 'pw ', usernameAttribute: 'sAMAccountName', groupAttribute: 'gidName', startTls: true, timeoutMs: 1500 });
    expect(c.groupMapping).toEqual({ developers: 'devs', 'ldap-admins': 'admins' });
    expect(c.tls).toEqual({ ca: expect.stringContaining('BEGIN CERTIFICATE'), rejectUnauthorized: false });
  });

  it('reads the bind password from STRATA_LDAP_BIND_PASSWORD_FILE', () => {
    const file = join(dir, 'bind-password');
    writeFileSync(file, 's3cret\n');
    expect(loadLdapConfig({ ...base, STRATA_LDAP_BIND_DN: 'cn=svc', STRATA_LDAP_BIND_PASSWORD_FILE: file })!.bindPassword).toBe('s3cret');
    expect(() => loadLdapConfig({ ...base, STRATA_LDAP_BIND_DN: 'cn=svc', STRATA_LDAP_BIND_PASSWORD_FILE: join(dir, 'missing') })).toThrow(/STRATA_LDAP_BIND_PASSWORD_FILE/);
    expect(() => loadLdapConfig({ ...base, STRATA_LDAP_BIND_DN: 'cn=svc', STRATA_LDAP_BIND_PASSWORD: 'x', STRATA_LDAP_BIND_PASSWORD_FILE: file })).toThrow(/not both/);
  });

  it.each([
    [{ STRATA_LDAP_URL: 'ldap://h' }, /STRATA_LDAP_USER_BASE is required/],
    [{ ...base, STRATA_LDAP_URL: 'http://h' }, /ldap:\/\/ or ldaps:\/\//],
    [{ ...base, STRATA_LDAP_URL: 'ldap://h/dc=example,dc=com' }, /host\[:port\] only/],
    [{ ...base, STRATA_LDAP_URL: 'not a url' }, /not a URL/],
    // a DN with an empty password would be an unauthenticated bind (RFC 4513 5.1.2)
    [{ ...base, STRATA_LDAP_BIND_DN: 'cn=svc' }, /BIND_DN needs STRATA_LDAP_BIND_PASSWORD/],
    [{ ...base, STRATA_LDAP_BIND_PASSWORD: 'x' }, /without STRATA_LDAP_BIND_DN/],
    [{ ...base, STRATA_LDAP_USER_FILTER: '(uid=alice)' }, /must contain \{username\}/],
    [{ ...base, STRATA_LDAP_USER_FILTER: '(uid={username}' }, /not a valid LDAP filter/],
    [{ ...base, STRATA_LDAP_GROUP_FILTER: '(member=x)' }, /must contain \{dn\} or \{username\}/],
    [{ ...base, STRATA_LDAP_GROUP_MAPPING: 'developers=devs' }, /needs STRATA_LDAP_GROUP_BASE/],
    [{ ...base, STRATA_LDAP_GROUP_BASE: 'ou=g', STRATA_LDAP_GROUP_MAPPING: 'nonsense' }, /ldapgroup=strata-group/],
    [{ ...base, STRATA_LDAP_URL: 'ldaps://h', STRATA_LDAP_STARTTLS: 'true' }, /ldaps:\/\/ is already TLS/],
    [{ ...base, STRATA_LDAP_STARTTLS: 'yes' }, /STARTTLS must be true or false/],
    [{ ...base, STRATA_LDAP_TLS_CA_FILE: '/nonexistent/ca.pem' }, /STRATA_LDAP_TLS_CA_FILE/],
    [{ ...base, STRATA_LDAP_TIMEOUT_MS: '0' }, /TIMEOUT_MS/],
    [{ ...base, STRATA_LDAP_TIMEOUT_MS: '5s' }, /TIMEOUT_MS/],
    [{ ...base, STRATA_LDAP_USERNAME_ATTRIBUTE: 'uid)(x' }, /not an attribute name/],
  ])('refuses %j', (env, message) => {
    expect(() => loadLdapConfig(env)).toThrow(message);
  });
});

describe('fillFilter', () => {
  it('escapes the RFC 4515 specials in values', () => {
    expect(fillFilter('(uid={username})', { username: '*)(uid=*' })).toBe('(uid=\\2a\\29\\28uid=\\2a)');
    expect(fillFilter('(member={dn})', { dn: 'cn=a\\,b (x),dc=y' })).toBe('(member=cn=a\\5c,b \\28x\\29,dc=y)');
    expect(fillFilter('(uid={username})', { username: 'a\0b' })).toBe('(uid=a\\00b)');
  });

  it('leaves unknown placeholders alone', () => {
    expect(fillFilter('(x={other})', { username: 'a' })).toBe('(x={other})');
  });
});
