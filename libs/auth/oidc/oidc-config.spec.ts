import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOidcConfig } from './oidc-config.js';

describe('loadOidcConfig', () => {
  const base = { STRATA_OIDC_ISSUER: 'https://idp.example.com/realms/main', STRATA_OIDC_CLIENT_ID: 'strata', STRATA_BASE_URL: 'https://strata.example.com/' };

  it('is off without an issuer', () => {
    expect(loadOidcConfig({})).toBeUndefined();
    expect(loadOidcConfig({ STRATA_OIDC_CLIENT_ID: 'strata', STRATA_OIDC_ISSUER: '  ' })).toBeUndefined();
  });

  it('fills in the defaults', () => {
    expect(loadOidcConfig(base)).toEqual({
      issuer: 'https://idp.example.com/realms/main',
      clientId: 'strata',
      clientSecret: undefined,
      redirectUri: 'https://strata.example.com/api/v1/auth/oidc/callback',
      scopes: 'openid profile email',
      usernameClaim: 'preferred_username',
      groupsClaim: 'groups',
      groupMapping: {},
      allowHttp: false,
    });
  });

  it('reads every variable, and the secret from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oidc-config-'));
    try {
      await writeFile(join(dir, 'secret'), 's3cret\n');
      const c = loadOidcConfig({
        ...base,
        STRATA_OIDC_CLIENT_SECRET_FILE: join(dir, 'secret'),
        STRATA_OIDC_REDIRECT_URI: 'https://other.example.com/cb',
        STRATA_OIDC_SCOPES: 'openid  groups',
        STRATA_OIDC_USERNAME_CLAIM: 'email',
        STRATA_OIDC_GROUPS_CLAIM: 'roles',
        STRATA_OIDC_GROUP_MAPPING: 'idp-admins=admins, devs=developers',
      });
      expect(c).toMatchObject({ clientSecret: 's3cret', redirectUri: 'https://other.example.com/cb', scopes: 'openid groups', usernameClaim: 'email', groupsClaim: 'roles', groupMapping: { 'idp-admins': 'admins', devs: 'developers' } });
      // the variable itself wins over the file
      expect(loadOidcConfig({ ...base, STRATA_OIDC_CLIENT_SECRET: 'direct', STRATA_OIDC_CLIENT_SECRET_FILE: join(dir, 'secret') })?.clientSecret).toBe('direct');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('allows an http:// issuer only when told so', () => {
    const http = { ...base, STRATA_OIDC_ISSUER: 'http://127.0.0.1:9999' };
    expect(() => loadOidcConfig(http)).toThrow(/STRATA_OIDC_ISSUER: must be an https:\/\/ URL/);
    expect(loadOidcConfig({ ...http, STRATA_OIDC_ALLOW_HTTP: 'true' })?.allowHttp).toBe(true);
  });

  it.each([
    [{ STRATA_OIDC_CLIENT_ID: undefined }, /STRATA_OIDC_CLIENT_ID: required/],
    [{ STRATA_BASE_URL: undefined }, /STRATA_OIDC_REDIRECT_URI: required when STRATA_BASE_URL is not set/],
    [{ STRATA_OIDC_SCOPES: 'profile email' }, /must contain "openid"/],
    [{ STRATA_OIDC_ALLOW_HTTP: 'yes' }, /STRATA_OIDC_ALLOW_HTTP/],
    [{ STRATA_OIDC_ISSUER: 'not a url' }, /STRATA_OIDC_ISSUER: not a URL/],
    [{ STRATA_OIDC_CLIENT_SECRET_FILE: '/nonexistent/secret' }, /STRATA_OIDC_CLIENT_SECRET_FILE: cannot read/],
  ])('refuses %j', (change, message) => {
    expect(() => loadOidcConfig({ ...base, ...change })).toThrow(message);
  });
});
