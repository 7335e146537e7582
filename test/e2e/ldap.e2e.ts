import { createServer, type AddressInfo, type Socket } from 'node:net';
import request from 'supertest';
import { loadLdapConfig } from '../../libs/auth/ldap/ldap-config.js';
import { LdapDirectory } from '../../libs/auth/ldap/ldap-directory.js';
import { DomainError } from '../../libs/domain/index.js';
import { describeWith } from '../support/services.js';
import { slapdAvailable, startSlapd, type Slapd } from '../support/slapd.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

/** The registry's STRATA_LDAP_* for a test slapd: LDAP `developers` → `devs`, `ops` → `operators`. */
function ldapEnv(s: Slapd, extra: Record<string, string> = {}): Record<string, string> {
  return {
    STRATA_LDAP_URL: s.url,
    STRATA_LDAP_BIND_DN: s.bindDn,
    STRATA_LDAP_BIND_PASSWORD: s.bindPassword,
    STRATA_LDAP_USER_BASE: s.userBase,
    STRATA_LDAP_GROUP_BASE: s.groupBase,
    STRATA_LDAP_GROUP_MAPPING: 'developers=devs,ops=operators',
    STRATA_LDAP_TIMEOUT_MS: '3000',
    ...extra,
  };
}

const directory = (env: Record<string, string>) => new LdapDirectory(loadLdapConfig(env)!);

async function expectUnavailable(p: Promise<unknown>, cause: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  expect((e as DomainError).code).toBe('UNAVAILABLE');
  expect((e as DomainError).message).toMatch(cause);
}

describeWith('OpenLDAP (slapd)', slapdAvailable, 'LDAP sign-in against OpenLDAP (slapd)', () => {
  describe('through the HTTP API', () => {
    let slapd: Slapd;
    let r: TestRegistry;
    const admin = () => ({ authorization: `Bearer ${r.token}` });
    const login = (username: string, password: string) => request(r.http).post('/api/v1/auth/login').send({ username, password });
    const whoami = (accessToken: string) => request(r.http).get('/api/v1/auth/whoami').set('authorization', `Bearer ${accessToken}`).expect(200);

    beforeAll(async () => {
      slapd = (await startSlapd())!;
      r = await startTestRegistry(ldapEnv(slapd));
    });
    afterAll(async () => {
      await r?.stop();
      await slapd?.stop();
    });

    it('signs an LDAP user in, creates them just in time with source ldap and maps their groups', async () => {
      const res = await login('alice', slapd.passwords.alice!).expect(200);
      expect(res.body.accessToken).toEqual(expect.any(String));
      const me = (await whoami(res.body.accessToken)).body;
      expect(me).toMatchObject({ userId: 'alice', authMethod: 'session', admin: false });
      expect(me.groups).toContain('devs');
      expect(me.groups).not.toContain('operators');
      const users = (await request(r.http).get('/api/v1/users').set(admin()).expect(200)).body.items;
      expect(users.find((u: { userId: string }) => u.userId === 'alice')).toMatchObject({ source: 'ldap' });
      // groups outside the mapping are not created
      const groups = (await request(r.http).get('/api/v1/groups').set(admin()).expect(200)).body.items.map((g: { name: string }) => g.name);
      expect(groups).not.toContain('unmapped');
    });

    it('keeps the password out of the event log and the server log', async () => {
      const events = await request(r.http).get('/api/v1/events?from=1&limit=1000').set(admin()).expect(200);
      expect(JSON.stringify(events.body)).not.toContain(slapd.passwords.alice);
      expect(r.logs()).not.toContain(slapd.passwords.alice);
      expect(r.logs()).not.toContain(slapd.bindPassword);
    });

    it('lower-cases a uid stored with capitals, whatever the typed case', async () => {
      const res = await login('DAVE', slapd.passwords.dave!).expect(200);
      expect((await whoami(res.body.accessToken)).body.userId).toBe('dave');
      await login('dave', slapd.passwords.dave!).expect(200);
    });

    it('answers a wrong password with the same 401 as an unknown user', async () => {
      const wrong = await login('alice', 'not-alices-password').expect(401);
      const unknown = await login('nobody', 'whatever-password').expect(401);
      expect(wrong.body.accessToken).toBeUndefined();
      expect({ ...wrong.body, instance: undefined }).toEqual({ ...unknown.body, instance: undefined });
      expect(wrong.body.detail).toBe('invalid user name or password');
    });

    it('never opens a session for an empty password (an LDAP unauthenticated bind)', async () => {
      const res = await login('alice', '');
      expect([400, 401]).toContain(res.status);
      expect(res.body.accessToken).toBeUndefined();
    });

    it.each(['*)(uid=*', 'al*', '*', 'alice)(|(uid=*'])('refuses the filter injection %j with 401', async (name) => {
      const res = await login(name, slapd.passwords.alice!).expect(401);
      expect(res.body.accessToken).toBeUndefined();
    });

    it('drops a Strata membership at the next sign-in after removal from the LDAP group', async () => {
      const before = await login('bob', slapd.passwords.bob!).expect(200);
      expect((await whoami(before.body.accessToken)).body.groups).toEqual(expect.arrayContaining(['devs', 'operators']));
      await slapd.modify(`dn: cn=developers,${slapd.groupBase}\nchangetype: modify\ndelete: member\nmember: uid=bob,${slapd.userBase}\n`);
      const after = await login('bob', slapd.passwords.bob!).expect(200);
      const groups = (await whoami(after.body.accessToken)).body.groups;
      expect(groups).toContain('operators');
      expect(groups).not.toContain('devs');
      const devs = (await request(r.http).get('/api/v1/groups/devs').set(admin()).expect(200)).body;
      expect(devs.members).toContain('alice');
      expect(devs.members).not.toContain('bob');
    });

    it('answers 503, not 401, while the directory is down; local users still sign in', async () => {
      await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'localuser', password: 'local-password-1' }).expect(201);
      await slapd.stop();
      const res = await login('alice', slapd.passwords.alice!).expect(503);
      expect(res.body).toMatchObject({ code: 'UNAVAILABLE' });
      expect(res.body.detail).toMatch(/LDAP directory unavailable/);
      expect(res.body.detail).not.toContain(slapd.passwords.alice);
      await login('localuser', 'local-password-1').expect(200);
    });
  });

  describe('LdapDirectory', () => {
    let slapd: Slapd;
    beforeAll(async () => {
      slapd = (await startSlapd())!;
    });
    afterAll(async () => {
      await slapd?.stop();
    });

    it('returns the identity with mapped and managed groups', async () => {
      await expect(directory(ldapEnv(slapd)).verify('alice', slapd.passwords.alice!)).resolves.toEqual({ source: 'ldap', username: 'alice', groups: ['devs'], managedGroups: ['devs', 'operators'] });
    });

    it('escapes the user name (RFC 4515): wildcards and filter syntax match nothing', async () => {
      const d = directory(ldapEnv(slapd));
      // unescaped, (uid=al*) would find alice alone and her password would sign in
      for (const name of ['al*', '*)(uid=*', '*', 'alice)(|(uid=*', 'alice\\', '\0alice']) await expect(d.verify(name, slapd.passwords.alice!)).resolves.toBeNull();
    });

    it('signs nobody in when the filter finds several entries', async () => {
      await expect(directory(ldapEnv(slapd)).verify('twin', slapd.passwords.twin!)).resolves.toBeNull();
    });

    it('refuses an empty password without asking the server (unauthenticated bind)', async () => {
      await expect(directory(ldapEnv(slapd)).verify('alice', '')).resolves.toBeNull();
      await expect(directory(ldapEnv(slapd)).verify('  ', slapd.passwords.alice!)).resolves.toBeNull();
    });

    it('throws UNAVAILABLE, not null, when the service account cannot bind', async () => {
      await expectUnavailable(directory(ldapEnv(slapd, { STRATA_LDAP_BIND_PASSWORD: 'wrong' })).verify('alice', slapd.passwords.alice!), /service account bind.*InvalidCredentials/);
    });

    it('searches anonymously without BIND_DN; a base the ACL hides is a 503, not a wrong password', async () => {
      const env = ldapEnv(slapd);
      delete env.STRATA_LDAP_BIND_DN;
      delete env.STRATA_LDAP_BIND_PASSWORD;
      // slapd answers noSuchObject for a base anonymous may not read (it does not disclose it exists)
      await expectUnavailable(directory(env).verify('alice', slapd.passwords.alice!), /user search failed: NoSuchObject/);
    });

    it('supports other filters and a {username} group filter', async () => {
      const d = directory(ldapEnv(slapd, { STRATA_LDAP_USER_FILTER: '(&(objectClass=inetOrgPerson)(mail={username}))', STRATA_LDAP_GROUP_FILTER: '(&(objectClass=groupOfNames)(member=uid={username},ou=people,dc=strata,dc=test))' }));
      await expect(d.verify('bob@strata.test', slapd.passwords.bob!)).resolves.toMatchObject({ username: 'bob', groups: ['devs', 'operators'] });
    });

    it('throws UNAVAILABLE after STRATA_LDAP_TIMEOUT_MS when the server accepts but never answers', async () => {
      const sockets: Socket[] = [];
      const silent = createServer((s) => sockets.push(s));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const started = Date.now();
        const env = ldapEnv(slapd, { STRATA_LDAP_URL: `ldap://127.0.0.1:${(silent.address() as AddressInfo).port}`, STRATA_LDAP_TIMEOUT_MS: '300' });
        await expectUnavailable(directory(env).verify('alice', slapd.passwords.alice!), /service account bind failed/);
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        sockets.forEach((s) => s.destroy());
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('throws UNAVAILABLE when nothing listens', async () => {
      await expectUnavailable(directory(ldapEnv(slapd, { STRATA_LDAP_URL: 'ldap://127.0.0.1:1' })).verify('alice', slapd.passwords.alice!), /ECONNREFUSED/);
    });
  });

  describe('TLS (StartTLS and ldaps with a test CA; the server refuses plain LDAP)', () => {
    let slapd: Slapd;
    beforeAll(async () => {
      slapd = (await startSlapd({ tls: true, requireTls: true }))!;
    });
    afterAll(async () => {
      await slapd?.stop();
    });

    it('signs in over StartTLS trusting the CA file', async () => {
      const d = directory(ldapEnv(slapd, { STRATA_LDAP_STARTTLS: 'true', STRATA_LDAP_TLS_CA_FILE: slapd.caFile! }));
      await expect(d.verify('alice', slapd.passwords.alice!)).resolves.toMatchObject({ username: 'alice', groups: ['devs'] });
      await expect(d.verify('alice', 'wrong-password')).resolves.toBeNull();
    });

    it('signs in over ldaps trusting the CA file', async () => {
      const d = directory(ldapEnv(slapd, { STRATA_LDAP_URL: slapd.ldapsUrl!, STRATA_LDAP_TLS_CA_FILE: slapd.caFile! }));
      await expect(d.verify('alice', slapd.passwords.alice!)).resolves.toMatchObject({ username: 'alice' });
    });

    it('is refused by the server without StartTLS (so the tests above really used TLS)', async () => {
      await expectUnavailable(directory(ldapEnv(slapd)).verify('alice', slapd.passwords.alice!), /ConfidentialityRequired/);
    });

    it('refuses a certificate from an untrusted CA unless TLS_REJECT_UNAUTHORIZED=false', async () => {
      const env = ldapEnv(slapd, { STRATA_LDAP_STARTTLS: 'true', STRATA_LDAP_TLS_CA_FILE: slapd.otherCaFile! });
      await expectUnavailable(directory(env).verify('alice', slapd.passwords.alice!), /StartTLS failed/);
      await expectUnavailable(directory({ ...env, STRATA_LDAP_URL: slapd.ldapsUrl!, STRATA_LDAP_STARTTLS: 'false' }).verify('alice', slapd.passwords.alice!), /service account bind failed/);
      await expect(directory({ ...env, STRATA_LDAP_TLS_REJECT_UNAUTHORIZED: 'false' }).verify('alice', slapd.passwords.alice!)).resolves.toMatchObject({ username: 'alice' });
    });

    it('checks the name: a certificate for 127.0.0.1 and localhost does not pass for 127.0.0.2', async () => {
      const env = ldapEnv(slapd, { STRATA_LDAP_URL: slapd.wrongNameUrl!, STRATA_LDAP_STARTTLS: 'true', STRATA_LDAP_TLS_CA_FILE: slapd.caFile! });
      await expectUnavailable(directory(env).verify('alice', slapd.passwords.alice!), /StartTLS failed: ERR_TLS_CERT_ALTNAME_INVALID/);
      await expect(directory({ ...env, STRATA_LDAP_URL: slapd.url.replace('127.0.0.1', 'localhost') }).verify('alice', slapd.passwords.alice!)).resolves.toMatchObject({ username: 'alice' });
    });
  });
});
