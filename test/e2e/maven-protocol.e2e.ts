import { join } from 'node:path';
import request from 'supertest';
import { main } from '../../apps/cli/main.js';
import { captureIo } from '../../apps/cli/stub-server.js';
import { freePort } from '../support/npm-client.js';
import { binary, filesUnder } from '../support/http-helpers.js';
import { digest, gradleModuleOf, pomOf, versionDir } from '../support/maven-fixtures.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const G = 'com.example.http';

describe('Maven repository protocol over HTTP: deploy, resolve, SNAPSHOTs, metadata, checksums, bad input', () => {
  let r: TestRegistry;
  let alice: string;
  let reader: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const events = async () => (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items as { type: string; position: number; data: Record<string, unknown> }[];
  const mavenEvents = async () => (await events()).filter((e) => e.data.format === 'maven' && e.type.startsWith('Artifact'));
  const blobCount = async () => (await filesUnder(join(r.dataDir, 'blobs', 'sha256'))).length;
  const put = (path: string, body: Buffer | string, token = alice) => request(r.http).put(`/maven/${path}`).auth('deployer', token).set('content-type', 'application/octet-stream').send(Buffer.from(body));
  const get = (path: string, token = reader) => request(r.http).get(`/maven/${path}`).auth('x', token).buffer(true).parse(binary);
  const text = async (path: string, token = reader) => (await get(path, token).expect(200)).body.toString('utf8');

  beforeAll(async () => {
    r = await startTestRegistry();
    for (const [name, extra] of [['mvn', {}], ['rel', { versionPolicy: 'releases' }], ['snap', { versionPolicy: 'snapshots' }], ['redeploy', { allowRedeploy: true }]] as const) {
      await request(r.http).post('/api/v1/repositories').set(admin()).send({ name, format: 'maven', ...extra }).expect(201);
    }
    for (const username of ['alice', 'reader']) await request(r.http).post('/api/v1/users').set(admin()).send({ username, password: 'correct horse battery staple' }).expect(201);
    for (const repo of ['mvn', 'rel', 'snap', 'redeploy']) {
      await request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['read', 'write', 'delete'] }).expect(201);
      await request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id: 'reader' }, actions: ['read'] }).expect(201);
    }
    const mint = async (user: string) => (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: `${user}-t`, user }).expect(201)).body.token as string;
    [alice, reader] = [await mint('alice'), await mint('reader')];
  });
  afterAll(async () => {
    await r?.stop();
  });

  it("Gradle's maven-publish pattern: HEAD before PUT, jar + pom + .module, each with sha1/md5/sha256/sha512; the first file publishes, later ones add", async () => {
    const dir = `mvn/${versionDir(G, 'lib', '1.0.0')}`;
    const jar = Buffer.from('PK fake jar bytes 1.0.0');
    const pom = pomOf(G, 'lib', '1.0.0', '  <name>Lib</name>\n  <description>A lib</description>\n  <licenses><license><name>Apache-2.0</name><url>https://www.apache.org/licenses/LICENSE-2.0</url></license></licenses>\n  <dependencies><dependency><groupId>org.x</groupId><artifactId>y</artifactId><version>1</version><scope>runtime</scope></dependency></dependencies>');
    const module = gradleModuleOf(G, 'lib', '1.0.0');
    for (const [name, body] of [['lib-1.0.0.jar', jar], ['lib-1.0.0.pom', pom], ['lib-1.0.0.module', module]] as const) {
      await request(r.http).head(`/maven/${dir}/${name}`).auth('x', alice).expect(404);
      expect((await put(`${dir}/${name}`, body)).status).toBe(201);
      for (const algo of ['sha1', 'md5', 'sha256', 'sha512']) expect((await put(`${dir}/${name}.${algo}`, digest(algo, body))).status).toBe(201);
    }
    const mine = await mavenEvents();
    expect(mine.map((e) => `${e.type} ${e.data.name} ${e.data.version}`)).toEqual([`ArtifactPublished ${G}:lib 1.0.0`, `ArtifactFilesAdded ${G}:lib 1.0.0`, `ArtifactFilesAdded ${G}:lib 1.0.0`]);
    expect(mine[1].data.metadata).toMatchObject({ pom: { groupId: G, artifactId: 'lib', version: '1.0.0', packaging: 'jar', name: 'Lib', description: 'A lib', licenses: [{ name: 'Apache-2.0' }], dependencies: [{ groupId: 'org.x', artifactId: 'y', version: '1', scope: 'runtime' }] } });
    const res = await get(`${dir}/lib-1.0.0.jar`).expect(200);
    expect(res.body.equals(jar)).toBe(true);
    expect(res.headers.etag).toBe(`"${digest('sha256', jar)}"`);
    for (const algo of ['sha1', 'md5', 'sha256', 'sha512']) expect(await text(`${dir}/lib-1.0.0.module.${algo}`)).toBe(digest(algo, module));
    const head = await request(r.http).head(`/maven/${dir}/lib-1.0.0.jar`).auth('x', reader).expect(200);
    expect(head.headers['content-length']).toBe(String(jar.length));
  });

  it('serves artifact-level maven-metadata.xml from the deployed versions (client-uploaded metadata is accepted and not served), with checksums and an ETag', async () => {
    const dir = `mvn/${versionDir(G, 'lib', '1.1.0')}`;
    expect((await put(`${dir}/lib-1.1.0.pom`, pomOf(G, 'lib', '1.1.0'))).status).toBe(201);
    const lying = '<?xml version="1.0"?><metadata><groupId>x</groupId><versioning><latest>9.9</latest></versioning></metadata>';
    expect((await put(`mvn/com/example/http/lib/maven-metadata.xml`, lying)).status).toBe(201);
    expect((await put(`mvn/com/example/http/lib/maven-metadata.xml.sha1`, digest('sha1', lying))).status).toBe(201);
    const res = await get('mvn/com/example/http/lib/maven-metadata.xml').expect(200);
    const xml = res.body.toString('utf8');
    expect(xml).toMatch(/<groupId>com\.example\.http<\/groupId>\s*<artifactId>lib<\/artifactId>/);
    expect(xml).toMatch(/<latest>1\.1\.0<\/latest>\s*<release>1\.1\.0<\/release>\s*<versions>\s*<version>1\.0\.0<\/version>\s*<version>1\.1\.0<\/version>\s*<\/versions>\s*<lastUpdated>\d{14}<\/lastUpdated>/);
    expect(xml).not.toMatch(/9\.9/);
    expect(res.headers.etag).toBe(`"${digest('sha256', res.body)}"`);
    await get('mvn/com/example/http/lib/maven-metadata.xml').set('if-none-match', res.headers.etag).expect(304);
    expect(await text('mvn/com/example/http/lib/maven-metadata.xml.sha1')).toBe(digest('sha1', res.body));
    expect(await text('mvn/com/example/http/lib/maven-metadata.xml.sha512')).toBe(digest('sha512', res.body));
  });

  it('orders versions as Maven does (1.10 after 1.9, 2.0-rc1 before 2.0), release skips SNAPSHOTs', async () => {
    for (const v of ['1.10', '1.9', '2.0', '2.0-rc1']) expect((await put(`mvn/${versionDir(G, 'order', v)}/order-${v}.pom`, pomOf(G, 'order', v))).status).toBe(201);
    expect((await put(`mvn/${versionDir(G, 'order', '2.1-SNAPSHOT')}/order-2.1-20261129.101500-1.pom`, pomOf(G, 'order', '2.1-SNAPSHOT'))).status).toBe(201);
    const xml = await text('mvn/com/example/http/order/maven-metadata.xml');
    expect([...xml.matchAll(/<version>([^<]+)<\/version>/g)].map((m) => m[1])).toEqual(['1.9', '1.10', '2.0-rc1', '2.0', '2.1-SNAPSHOT']);
    expect(xml).toMatch(/<latest>2\.1-SNAPSHOT<\/latest>\s*<release>2\.0<\/release>/);
  });

  it('SNAPSHOT builds: version metadata with snapshot.timestamp/buildNumber and snapshotVersions; the plain -SNAPSHOT name is the newest build', async () => {
    const dir = `mvn/${versionDir(G, 'snappy', '1.0.1-SNAPSHOT')}`;
    for (const [b, ts] of [[1, '20261129.101500'], [2, '20261129.111500']] as const) {
      const v = `1.0.1-${ts}-${b}`;
      expect((await put(`${dir}/snappy-${v}.jar`, `jar build ${b}`)).status).toBe(201);
      expect((await put(`${dir}/snappy-${v}.pom`, pomOf(G, 'snappy', '1.0.1-SNAPSHOT'))).status).toBe(201);
      if (b === 1) expect((await put(`${dir}/snappy-${v}-sources.jar`, `sources ${b}`)).status).toBe(201);
      expect((await put(`${dir}/maven-metadata.xml`, '<metadata/>')).status).toBe(201);
    }
    const xml = await text(`${dir}/maven-metadata.xml`);
    expect(xml).toMatch(/<version>1\.0\.1-SNAPSHOT<\/version>/);
    expect(xml).toMatch(/<snapshot>\s*<timestamp>20261129\.111500<\/timestamp>\s*<buildNumber>2<\/buildNumber>\s*<\/snapshot>/);
    const snapshotVersions = [...xml.matchAll(/<snapshotVersion>([\s\S]*?)<\/snapshotVersion>/g)].map((m) => m[1].replace(/\s+/g, ''));
    expect(snapshotVersions).toEqual([
      '<extension>jar</extension><value>1.0.1-20261129.111500-2</value><updated>20261129111500</updated>',
      '<extension>pom</extension><value>1.0.1-20261129.111500-2</value><updated>20261129111500</updated>',
      '<classifier>sources</classifier><extension>jar</extension><value>1.0.1-20261129.101500-1</value><updated>20261129101500</updated>',
    ]);
    expect(await text(`${dir}/snappy-1.0.1-SNAPSHOT.jar`)).toBe('jar build 2');
    expect(await text(`${dir}/snappy-1.0.1-SNAPSHOT-sources.jar`)).toBe('sources 1');
    expect(await text(`${dir}/snappy-1.0.1-SNAPSHOT.jar.sha1`)).toBe(digest('sha1', 'jar build 2'));
    expect(await text(`${dir}/snappy-1.0.1-20261129.101500-1.jar`)).toBe('jar build 1');
    // a plain -SNAPSHOT name is never deployed (non-unique SNAPSHOTs are not supported)
    expect((await put(`${dir}/snappy-1.0.1-SNAPSHOT.jar`, 'x')).status).toBe(400);
  });

  it('a release path is immutable: redeploy is 409 and changes nothing, unless the repository allows redeploy', async () => {
    const path = `${versionDir(G, 'lib', '1.0.0')}/lib-1.0.0.jar`;
    const before = (await events()).length;
    const res = await put(`mvn/${path}`, 'other bytes');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'FILE_EXISTS' });
    expect((await events()).length).toBe(before);
    expect(await text(`mvn/${path}`)).toBe('PK fake jar bytes 1.0.0');
    expect((await put(`redeploy/${path}`, 'first')).status).toBe(201);
    expect((await put(`redeploy/${versionDir(G, 'lib', '1.0.0')}/lib-1.0.0.pom`, pomOf(G, 'lib', '1.0.0'))).status).toBe(201);
    expect((await put(`redeploy/${path}`, 'second')).status).toBe(201);
    expect(await text(`redeploy/${path}`)).toBe('second');
    expect(await text(`redeploy/${versionDir(G, 'lib', '1.0.0')}/lib-1.0.0.pom`)).toContain('<artifactId>lib</artifactId>');
  });

  it('release policy: a releases repository refuses SNAPSHOTs, a snapshots repository refuses releases', async () => {
    expect((await put(`rel/${versionDir(G, 'p', '1.0-SNAPSHOT')}/p-1.0-20261129.101500-1.jar`, 'x')).status).toBe(400);
    expect((await put(`rel/${versionDir(G, 'p', '1.0')}/p-1.0.jar`, 'x')).status).toBe(201);
    expect((await put(`snap/${versionDir(G, 'p', '1.0')}/p-1.0.jar`, 'x')).status).toBe(400);
    expect((await put(`snap/${versionDir(G, 'p', '1.0-SNAPSHOT')}/p-1.0-20261129.101500-1.jar`, 'x')).status).toBe(201);
    await request(r.http).patch('/api/v1/repositories/rel').set(admin()).send({ versionPolicy: 'sometimes' }).expect(400);
  });

  it('an uploaded checksum that disagrees with the content is refused (400); a checksum of a file not deployed is accepted and dropped', async () => {
    const dir = `mvn/${versionDir(G, 'lib', '1.0.0')}`;
    expect((await put(`${dir}/lib-1.0.0.jar.sha1`, digest('sha1', 'not the jar'))).status).toBe(400);
    expect((await put(`${dir}/lib-1.0.0.jar.sha256`, 'zz')).status).toBe(400);
    expect((await put(`${dir}/lib-1.0.0.jar.md5`, `${digest('md5', 'PK fake jar bytes 1.0.0')}  lib-1.0.0.jar\n`)).status).toBe(201);
    expect((await put(`${dir}/lib-1.0.0-javadoc.jar.sha1`, digest('sha1', 'later'))).status).toBe(201);
    // a declared digest header that disagrees refuses the file itself
    const res = await request(r.http).put(`/maven/${dir}/lib-1.0.0-tests.jar`).auth('x', alice).set('x-checksum-sha1', digest('sha1', 'else')).send(Buffer.from('tests'));
    expect(res.status).toBe(400);
    await get(`${dir}/lib-1.0.0-tests.jar`).expect(404);
  });

  it('parallel deploys of a new version (Maven 3.9 uploads five at a time) all land: one ArtifactPublished, the rest added', async () => {
    const dir = `mvn/${versionDir(G, 'parallel', '1.0')}`;
    const names = ['parallel-1.0.jar', 'parallel-1.0.pom', 'parallel-1.0-sources.jar', 'parallel-1.0-javadoc.jar', 'parallel-1.0.module'];
    const statuses = await Promise.all(names.map((n) => put(`${dir}/${n}`, n.endsWith('.pom') ? pomOf(G, 'parallel', '1.0') : n).then((res) => res.status)));
    expect(statuses).toEqual([201, 201, 201, 201, 201]);
    const mine = (await mavenEvents()).filter((e) => e.data.name === `${G}:parallel`);
    expect(mine.map((e) => e.type).sort()).toEqual(['ArtifactFilesAdded', 'ArtifactFilesAdded', 'ArtifactFilesAdded', 'ArtifactFilesAdded', 'ArtifactPublished']);
    for (const n of names) await get(`${dir}/${n}`).expect(200);
  });

  it('signatures (.asc) are stored and served, with their own checksums', async () => {
    const dir = `mvn/${versionDir(G, 'lib', '1.0.0')}`;
    const asc = '-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n';
    expect((await put(`${dir}/lib-1.0.0.jar.asc`, asc)).status).toBe(201);
    expect(await text(`${dir}/lib-1.0.0.jar.asc`)).toBe(asc);
    expect(await text(`${dir}/lib-1.0.0.jar.asc.md5`)).toBe(digest('md5', asc));
  });

  it.each([
    ['a path outside the layout', `mvn/com/x.jar`, 'x'],
    ['a file name of another artifact', `mvn/${versionDir(G, 'lib', '3.0')}/other-3.0.jar`, 'x'],
    ['a file name of another version', `mvn/${versionDir(G, 'lib', '3.0')}/lib-3.1.jar`, 'x'],
    ['traversal', `mvn/com/example/%2e%2e/lib/3.0/lib-3.0.jar`, 'x'],
    ['an encoded slash', `mvn/com/example%2fhttp/lib/3.0/lib-3.0.jar`, 'x'],
    ['a POM whose version contradicts the path', `mvn/${versionDir(G, 'lib', '3.0')}/lib-3.0.pom`, pomOf(G, 'lib', '3.1').toString()],
    ['a POM whose groupId contradicts the path', `mvn/${versionDir(G, 'lib', '3.0')}/lib-3.0.pom`, pomOf('org.other', 'lib', '3.0').toString()],
    ['a malformed POM', `mvn/${versionDir(G, 'lib', '3.0')}/lib-3.0.pom`, '<project><groupId>x</project>'],
    ['a POM with entity expansion', `mvn/${versionDir(G, 'lib', '3.0')}/lib-3.0.pom`, '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><project><groupId>&lol2;</groupId></project>'],
    ['an oversized POM', `mvn/${versionDir(G, 'lib', '3.0')}/lib-3.0.pom`, `<project>${' '.repeat(4 * 1024 * 1024 + 1)}</project>`],
    ['malformed client metadata', `mvn/com/example/http/lib/maven-metadata.xml`, '<metadata>'],
  ])('bad input: %s is a 4xx and stores nothing', async (_what, path, body) => {
    const [before, blobs] = [(await events()).length, await blobCount()];
    const res = await put(path, body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await events()).length).toBe(before);
    expect(await blobCount()).toBe(blobs);
  });

  it('authentication: anonymous deploy gets a Basic challenge, a reader is forbidden, Bearer works too', async () => {
    const path = `/maven/mvn/${versionDir(G, 'auth', '1.0')}/auth-1.0.jar`;
    const anon = await request(r.http).put(path).send(Buffer.from('x'));
    expect(anon.status).toBe(401);
    expect(anon.headers['www-authenticate']).toMatch(/^Basic/);
    expect((await put(path.slice('/maven/'.length), 'x', reader)).status).toBe(403);
    expect((await request(r.http).put(path).set('authorization', `Bearer ${alice}`).send(Buffer.from('x'))).status).toBe(201);
    expect((await request(r.http).get(path)).status).toBe(401);
  });

  it('browsing: a folder lists as HTML, or JSON by Accept', async () => {
    const html = await get('mvn/com/example/http/lib/').expect(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body.toString()).toMatch(/href="1\.0\.0\/"/);
    expect(html.body.toString()).toMatch(/href="maven-metadata\.xml"/);
    const json = await request(r.http).get('/maven/mvn/com/example/http/lib/1.0.0/').auth('x', reader).set('accept', 'application/json').expect(200);
    expect(json.body.entries.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['lib-1.0.0.jar', 'lib-1.0.0.jar.sha512', 'lib-1.0.0.pom', 'lib-1.0.0.module']));
    expect((await request(r.http).get('/maven/mvn/com/example/http/lib').auth('x', reader).expect(301)).headers.location).toBe('/maven/mvn/com/example/http/lib/');
    await request(r.http).get('/maven/mvn/com/example/nothing').auth('x', reader).expect(400);
    const root = await request(r.http).get('/maven/mvn/').auth('x', reader).set('accept', 'application/json').expect(200);
    expect(root.body.entries).toEqual([{ name: 'com/', type: 'folder' }]);
  });

  it('deleting a version is an event (ArtifactDeleted) and the metadata is rendered again without it', async () => {
    await request(r.http).delete(`/maven/mvn/${versionDir(G, 'lib', '1.1.0')}/`).auth('x', reader).expect(403);
    await request(r.http).delete(`/maven/mvn/${versionDir(G, 'lib', '1.1.0')}/`).auth('x', alice).expect(204);
    expect((await mavenEvents()).at(-1)).toMatchObject({ type: 'ArtifactDeleted', data: { name: `${G}:lib`, version: '1.1.0' } });
    const xml = await text('mvn/com/example/http/lib/maven-metadata.xml');
    expect(xml).toMatch(/<latest>1\.0\.0<\/latest>\s*<release>1\.0\.0<\/release>/);
    expect(xml).not.toMatch(/1\.1\.0/);
    await get(`mvn/${versionDir(G, 'lib', '1.1.0')}/lib-1.1.0.pom`).expect(404);
    await request(r.http).delete(`/maven/mvn/${versionDir(G, 'lib', '1.1.0')}/`).auth('x', alice).expect(404);
  });

  it('`strata delete` (the format-neutral admin API) deletes a version, and the metadata follows', async () => {
    const port = await freePort();
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    const io = captureIo({ STRATA_URL: `http://127.0.0.1:${port}`, STRATA_TOKEN: alice });
    expect(await main(['delete', 'mvn', `${G}:order`, '1.9'], io)).toBe(0);
    expect(io.out()).toMatch(/deleted com\.example\.http:order 1\.9 in mvn/);
    const xml = await text('mvn/com/example/http/order/maven-metadata.xml');
    expect([...xml.matchAll(/<version>([^<]+)<\/version>/g)].map((m) => m[1])).toEqual(['1.10', '2.0-rc1', '2.0', '2.1-SNAPSHOT']);
    const denied = captureIo({ STRATA_URL: `http://127.0.0.1:${port}`, STRATA_TOKEN: reader });
    expect(await main(['delete', 'mvn', `${G}:order`, '1.10'], denied)).not.toBe(0);
  });

  it('a promotion serves the version from the target repository; a point-in-time view serves the metadata as it was', async () => {
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'staged', format: 'maven', anonymousRead: true }).expect(201);
    await request(r.http).post('/api/v1/promotions').set(admin()).send({ from: 'mvn', to: 'staged', name: `${G}:lib`, version: '1.0.0' }).expect(201);
    expect((await request(r.http).get(`/maven/staged/${versionDir(G, 'lib', '1.0.0')}/lib-1.0.0.jar`).expect(200)).text).toBe('PK fake jar bytes 1.0.0');
    expect((await request(r.http).get('/maven/staged/com/example/http/lib/maven-metadata.xml').expect(200)).text).toMatch(/<release>1\.0\.0<\/release>/);
    const first = (await events()).find((e) => e.type === 'ArtifactFilesAdded' && e.data.name === `${G}:lib`)!;
    const then = await request(r.http).get(`/@${first.position}/maven/mvn/com/example/http/lib/maven-metadata.xml`).auth('x', reader).expect(200);
    expect(then.text).toMatch(/<versions>\s*<version>1\.0\.0<\/version>\s*<\/versions>/);
  });

  it('plugin-group metadata: a maven-plugin POM adds the plugin and its prefix to <group>/maven-metadata.xml', async () => {
    const dir = `mvn/${versionDir('com.example.plugins', 'hello-maven-plugin', '1.0')}`;
    expect((await put(`${dir}/hello-maven-plugin-1.0.pom`, pomOf('com.example.plugins', 'hello-maven-plugin', '1.0', '  <packaging>maven-plugin</packaging>\n  <name>Hello Plugin</name>'))).status).toBe(201);
    const xml = await text('mvn/com/example/plugins/maven-metadata.xml');
    expect(xml.replace(/\s+/g, '')).toContain('<plugins><plugin><name>HelloPlugin</name><prefix>hello</prefix><artifactId>hello-maven-plugin</artifactId></plugin></plugins>');
  });
});
