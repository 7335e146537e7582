import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { consumerProject, freePort, npmClient, packageFixture, type NpmClient } from '../support/npm-client.js';
import { provenanceBundle, publishDocument, withProvenance } from '../support/npm-fixtures.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const NAME = '@acme/attested';

/**
 * `npm publish --provenance` over HTTP: npm cannot make a real provenance publish here (it needs a
 * CI's OIDC identity to sign), so the test sends the document libnpmpublish builds, around a tarball
 * the real `npm pack` made, then reads it back with the real npm.
 */
describe('npm provenance: the sigstore bundle of a publish is kept and advertised', () => {
  let r: TestRegistry;
  let base: string;
  let npm: NpmClient;
  let tarball: Buffer;
  let token: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const published = async () => (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items.filter((e: { type: string }) => e.type === 'ArtifactPublished');
  const put = (doc: unknown) => request(r.http).put(`/npm/npm-local/${encodeURIComponent(NAME)}`).set('authorization', `Bearer ${token}`).set('content-type', 'application/json').send(JSON.stringify(doc));

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    r = await startTestRegistry({ STRATA_BASE_URL: base });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'npm-local', format: 'npm' }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: 'correct horse battery staple' }).expect(201);
    await request(r.http).post('/api/v1/repositories/npm-local/permissions').set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['write'] }).expect(201);
    token = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'alice-npm', user: 'alice' }).expect(201)).body.token;
    npm = await npmClient(`${base}/npm/npm-local/`);
    await npm.login(token);
    const packed = JSON.parse(await npm.ok(['pack', '--json', '--pack-destination', npm.root], { cwd: await packageFixture(npm.root, NAME, '1.0.0', 'attested') }));
    tarball = await readFile(join(npm.root, packed[0].filename));
  });
  afterAll(async () => {
    await npm?.close();
    await r?.stop();
  });

  it('refuses a malformed bundle with 400 and stores nothing', async () => {
    const broken = provenanceBundle(NAME, '1.0.0', tarball);
    broken.dsseEnvelope.payload = Buffer.from('{"subject": []}').toString('base64');
    const refused = await put(withProvenance(publishDocument(NAME, '1.0.0', tarball), NAME, '1.0.0', broken)).expect(400);
    expect(refused.body).toEqual({ error: expect.stringMatching(/provenance bundle/) });
    const notJson = publishDocument(NAME, '1.0.0', tarball);
    notJson._attachments[`${NAME}-1.0.0.sigstore`] = { content_type: 'application/vnd.dev.sigstore.bundle.v0.3+json', data: 'not json', length: 8 };
    await put(notJson).expect(400);
    expect(await published()).toEqual([]);
    await request(r.http).get(`/npm/npm-local/${encodeURIComponent(NAME)}`).set('authorization', `Bearer ${token}`).expect(404);
  });

  it('keeps the bundle as a file of the version and advertises dist.attestations in both documents', async () => {
    const bundle = provenanceBundle(NAME, '1.0.0', tarball);
    await put(withProvenance(publishDocument(NAME, '1.0.0', tarball), NAME, '1.0.0', bundle)).expect(201);
    const [event] = await published();
    expect(event.data.files.map((f: { path: string; mediaType: string }) => [f.path, f.mediaType])).toEqual([
      ['attested-1.0.0.tgz', 'application/octet-stream'],
      ['attested-1.0.0.sigstore', 'application/vnd.dev.sigstore.bundle.v0.3+json'],
    ]);
    const url = `${base}/npm/npm-local/-/npm/v1/attestations/@acme%2fattested@1.0.0`;
    const expected = { url, provenance: { predicateType: 'https://slsa.dev/provenance/v1' } };
    const full = (await request(r.http).get('/npm/npm-local/@acme%2fattested').set('authorization', `Bearer ${token}`).expect(200)).body;
    expect(full.versions['1.0.0'].dist.attestations).toEqual(expected);
    const abbreviated = await request(r.http).get('/npm/npm-local/@acme%2fattested').set('authorization', `Bearer ${token}`).set('accept', 'application/vnd.npm.install-v1+json').expect(200);
    expect(JSON.parse(abbreviated.text).versions['1.0.0'].dist.attestations).toEqual(expected);
    const served = await request(r.http).get(new URL(url).pathname).set('authorization', `Bearer ${token}`).expect(200);
    expect(served.body).toEqual({ attestations: [{ predicateType: 'https://slsa.dev/provenance/v1', bundle }] });
    // the raw scoped name routes too; a version without a bundle has none
    await request(r.http).get('/npm/npm-local/-/npm/v1/attestations/@acme/attested@1.0.0').set('authorization', `Bearer ${token}`).expect(200);
    await request(r.http).get('/npm/npm-local/-/npm/v1/attestations/@acme/attested@9.9.9').set('authorization', `Bearer ${token}`).expect(404);
    await request(r.http).get(new URL(url).pathname).expect(401);
  });

  it('npm view shows dist.attestations; npm install takes the version (integrity from the same document)', async () => {
    const attestations = JSON.parse(await npm.ok(['view', `${NAME}@1.0.0`, 'dist.attestations', '--json']));
    expect(attestations).toEqual({ url: `${base}/npm/npm-local/-/npm/v1/attestations/@acme%2fattested@1.0.0`, provenance: { predicateType: 'https://slsa.dev/provenance/v1' } });
    const app = await consumerProject(npm.root, 'app');
    await npm.ok(['install', NAME, '--no-audit'], { cwd: app });
    expect(execFileSync('node', ['-e', `console.log(require(${JSON.stringify(NAME)})())`], { cwd: app }).toString().trim()).toBe('attested');
  });
});
