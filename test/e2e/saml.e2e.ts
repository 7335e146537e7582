import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SamlServiceProvider } from '../../libs/auth/saml/saml-service-provider.js';
import { SqlSamlRequestStore } from '../../libs/auth/saml/saml-request-store.js';
import { decodeResponse, encodeResponse, makeTestKeys, TestIdp, type TestKeys } from '../support/saml-idp.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const IDP_ENTITY = 'https://idp.example.test/metadata';
const IDP_SSO = 'https://idp.example.test/sso';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('SAML 2.0 sign-in (node-saml SP, samlify test IdP)', () => {
  let r: TestRegistry;
  let dir: string;
  let base: string;
  let metadata: string;
  let idp: TestIdp;
  let rogue: TestIdp;
  let keys: { idp: TestKeys; rogue: TestKeys; sp: TestKeys };

  /** GET /login as a browser would, and the AuthnRequest id as the IdP reads it. */
  const startLogin = async () => {
    const res = await request(r.http).get('/api/v1/auth/saml/login').expect(302);
    expect(res.headers.location.startsWith(`${IDP_SSO}?SAMLRequest=`)).toBe(true);
    return idp.parseLoginRequest(res.headers.location);
  };
  const postAcs = (samlResponse: string) => request(r.http).post('/api/v1/auth/saml/acs').type('form').send({ SAMLResponse: samlResponse });
  /** The answer is a 401 problem+json, and the log says why (the client is not told). */
  const expectRefused = async (samlResponse: string, reason: RegExp) => {
    const logged = r.logs().length;
    const res = await postAcs(samlResponse);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(res.body.accessToken).toBeUndefined();
    expect(r.logs().slice(logged)).toMatch(reason);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-saml-'));
    keys = { idp: await makeTestKeys(dir, 'idp'), rogue: await makeTestKeys(dir, 'rogue'), sp: await makeTestKeys(dir, 'sp') };
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    r = await startTestRegistry({
      STRATA_BASE_URL: base,
      STRATA_SAML_ENTRY_POINT: IDP_SSO,
      STRATA_SAML_IDP_CERT_FILE: keys.idp.certFile,
      STRATA_SAML_IDP_ISSUER: IDP_ENTITY,
      STRATA_SAML_GROUP_MAPPING: 'idp-devs=developers,idp-admins=admins',
      STRATA_SAML_SP_KEY_FILE: keys.sp.keyFile,
      STRATA_SAML_SP_CERT_FILE: keys.sp.certFile,
    });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    metadata = (await request(r.http).get('/api/v1/auth/saml/metadata').expect(200)).text;
    // the IdP checks the registry's signature on every AuthnRequest it is given
    idp = new TestIdp(IDP_ENTITY, IDP_SSO, keys.idp, metadata, true);
    // same entity id and endpoints, another key: what an impostor could sign with
    rogue = new TestIdp(IDP_ENTITY, IDP_SSO, keys.rogue, metadata);
  });
  afterAll(async () => {
    await r?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes SP metadata naming the ACS URL, its entity id, signed assertions and its signing certificate', async () => {
    const res = await request(r.http).get('/api/v1/auth/saml/metadata').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/samlmetadata\+xml/);
    expect(res.text).toContain(`entityID="${base}/api/v1/auth/saml/metadata"`);
    expect(res.text).toContain(`Location="${base}/api/v1/auth/saml/acs"`);
    expect(res.text).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(res.text).toMatch(/WantAssertionsSigned="true"/);
    expect(res.text).toMatch(/AuthnRequestsSigned="true"/);
    const certBody = keys.sp.cert.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
    expect(res.text.replace(/\s/g, '')).toContain(certBody);
  });

  it('redirects to the IdP with a signed AuthnRequest that names the registry and its ACS', async () => {
    const res = await request(r.http).get('/api/v1/auth/saml/login').expect(302);
    expect(res.headers['cache-control']).toBe('no-store');
    const location = new URL(res.headers.location);
    expect(location.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(location.searchParams.get('Signature')).toBeTruthy();
    const parsed = await idp.parseLoginRequest(res.headers.location);
    expect(parsed).toMatchObject({ issuer: `${base}/api/v1/auth/saml/metadata`, acs: `${base}/api/v1/auth/saml/acs` });
    expect(parsed.id).toMatch(/^_[0-9a-f]+$/);
  });

  it('signs carol in from a signed Response, maps her groups, and refuses the same Response again', async () => {
    const { id } = await startLogin();
    const samlResponse = await idp.loginResponse(id, { nameID: 'carol', attributes: { groups: ['idp-devs', 'not-mapped'], mail: ['carol@example.test'] } });
    const res = await postAcs(samlResponse).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', userId: 'carol', accessToken: expect.any(String), refreshToken: expect.any(String) });

    const who = await request(r.http).get('/api/v1/auth/whoami').set('authorization', `Bearer ${res.body.accessToken}`).expect(200);
    expect(who.body).toMatchObject({ userId: 'carol', admin: false });
    expect(who.body.groups).toContain('developers');
    expect(who.body.groups).not.toContain('admins');
    expect(who.body.groups).not.toContain('not-mapped');

    const users = await request(r.http).get('/api/v1/users').set('authorization', `Bearer ${r.token}`).expect(200);
    expect(users.body.items.find((u: { userId: string }) => u.userId === 'carol')).toMatchObject({ source: 'saml', disabled: false });

    // replay: the request id was used up by the first Response
    await expectRefused(samlResponse, /InResponseTo is not valid/);
  });

  it('accepts a Response once even when two API nodes check it at the same moment', async () => {
    const { id } = await startLogin();
    const samlResponse = await idp.loginResponse(id, { nameID: 'dave' });
    // two nodes on the same SQL, held so that both have passed every check before either one
    // deletes the request id: exactly one delete finds the row
    let arrived = 0;
    let release!: () => void;
    const bothChecked = new Promise<void>((resolve) => (release = resolve));
    class RacingStore extends SqlSamlRequestStore {
      override async removeAsync(key: string | null) {
        if (++arrived === 2) release();
        await bothChecked;
        return super.removeAsync(key);
      }
    }
    const nodes = [1, 2].map(() => new SamlServiceProvider(r.services.config.saml!, new RacingStore(r.services.infra.sql)));
    const results = await Promise.allSettled(nodes.map((node) => node.verify(samlResponse)));
    expect(results.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((x) => x.status === 'fulfilled')).toMatchObject({ value: { source: 'saml', username: 'dave' } });
    expect(results.find((x) => x.status === 'rejected')).toMatchObject({ reason: { code: 'UNAUTHORIZED' } });
  });

  it('tolerates 60 s of clock skew on NotOnOrAfter', async () => {
    const { id } = await startLogin();
    await postAcs(await idp.loginResponse(id, { nameID: 'frank', notOnOrAfter: new Date(Date.now() - 20_000) })).expect(200);
  });

  it('refuses a Response whose attribute was changed after signing', async () => {
    const { id } = await startLogin();
    const signed = decodeResponse(await idp.loginResponse(id, { nameID: 'erin', attributes: { groups: ['idp-devs'] } }));
    expect(signed).toContain('>idp-devs<');
    await expectRefused(encodeResponse(signed.replace('>idp-devs<', '>idp-admins<')), /invalid signature/i);
  });

  it('refuses a Response whose subject was changed after signing', async () => {
    const { id } = await startLogin();
    const signed = decodeResponse(await idp.loginResponse(id, { nameID: 'erin' }));
    await expectRefused(encodeResponse(signed.replace('>erin</saml:NameID>', '>admin</saml:NameID>')), /invalid signature/i);
  });

  it('refuses a Response signed by another key', async () => {
    const { id } = await startLogin();
    await expectRefused(await rogue.loginResponse(id, { nameID: 'carol' }), /invalid signature/i);
  });

  it('refuses a Response whose signature was removed', async () => {
    const { id } = await startLogin();
    const signed = decodeResponse(await idp.loginResponse(id, { nameID: 'carol' }));
    const unsigned = signed.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '');
    expect(unsigned).not.toContain('Signature');
    await expectRefused(encodeResponse(unsigned), /invalid signature/i);
  });

  it('refuses a Response where only the envelope is signed, not the assertion', async () => {
    const { id } = await startLogin();
    const samlResponse = await idp.loginResponse(id, { nameID: 'carol', sign: 'response' });
    expect(decodeResponse(samlResponse)).toMatch(/<\/saml:Issuer><ds:Signature/);
    await expectRefused(samlResponse, /invalid signature/i);
  });

  it('refuses an expired assertion (past the 60 s clock skew)', async () => {
    const { id } = await startLogin();
    const now = Date.now();
    const samlResponse = await idp.loginResponse(id, { nameID: 'carol', notBefore: new Date(now - 10 * 60_000), notOnOrAfter: new Date(now - 2 * 60_000) });
    await expectRefused(samlResponse, /expired|no valid subject confirmation/i);
  });

  it('refuses an assertion meant for another service provider (audience)', async () => {
    const { id } = await startLogin();
    await expectRefused(await idp.loginResponse(id, { nameID: 'carol', audience: 'https://other-sp.example.test' }), /audience mismatch/);
  });

  it('refuses a Response that answers no request of ours (unsolicited or forged InResponseTo)', async () => {
    await expectRefused(await idp.loginResponse('_never-requested', { nameID: 'carol' }), /InResponseTo is not valid/);
  });

  it('answers 400 without a SAMLResponse field or form body, and 413 past 1 MB', async () => {
    await request(r.http).post('/api/v1/auth/saml/acs').type('form').send({ RelayState: 'x' }).expect(400);
    await request(r.http).post('/api/v1/auth/saml/acs').set('content-type', 'application/json').send({ SAMLResponse: 'x' }).expect(400);
    const huge = await request(r.http).post('/api/v1/auth/saml/acs').type('form').send(`SAMLResponse=${'A'.repeat(1024 * 1024 + 10)}`);
    expect(huge.status).toBe(413);
  });
});

describe('SAML sign-in when not configured', () => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startTestRegistry();
  });
  afterAll(async () => {
    await r?.stop();
  });

  it.each([
    ['get', '/api/v1/auth/saml/metadata'],
    ['get', '/api/v1/auth/saml/login'],
    ['post', '/api/v1/auth/saml/acs'],
  ] as const)('%s %s answers 404 problem+json', async (method, path) => {
    const res = await request(r.http)[method](path).expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});
