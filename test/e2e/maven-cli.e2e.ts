import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { freePort } from '../support/npm-client.js';
import { FIXTURE_GROUP_PREFIX, mavenAvailable, mavenClient, writeConsumer, writeLibrary, writeSettings, type MavenClient, type MavenRun } from '../support/maven-client.js';
import { describeWith } from '../support/services.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const must = (what: string, r: MavenRun) => {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.out.slice(-4000)}`);
  return r.out;
};

/** The real `mvn deploy` and a consumer build against a hosted Maven repository. */
describeWith('mvn (Maven 3.8.7 with the pre-seeded ~/.m2 plugins)', mavenAvailable, 'mvn deploy and resolve against a hosted Maven repository', () => {
  let r: TestRegistry;
  let mvn: MavenClient;
  let url: string;
  let token: string;
  let settings: { basic: string; bearer: string; anonymous: string };
  // a group no other build has: whatever resolves for it came from Strata
  const groupId = `${FIXTURE_GROUP_PREFIX}.e2e${randomBytes(4).toString('hex')}`;
  const groupPath = groupId.replace(/\./g, '/');
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const events = async () => ((await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items as { type: string; data: Record<string, unknown> }[]).filter((e) => e.data.format === 'maven' && e.type.startsWith('Artifact'));
  const project = (name: string) => join(mvn.work, name);

  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    url = `${base}/maven/libs/`;
    r = await startTestRegistry({ STRATA_BASE_URL: base });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'libs', format: 'maven' }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: 'correct horse battery staple' }).expect(201);
    await request(r.http).post('/api/v1/repositories/libs/permissions').set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['read', 'write'] }).expect(201);
    token = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'alice-mvn', user: 'alice' }).expect(201)).body.token;
    mvn = await mavenClient();
    settings = {
      basic: await writeSettings(join(mvn.work, 'basic.xml'), 'strata', { basicToken: token }),
      bearer: await writeSettings(join(mvn.work, 'bearer.xml'), 'strata', { bearerToken: token }),
      anonymous: await writeSettings(join(mvn.work, 'anonymous.xml'), 'strata', {}),
    };
    await writeLibrary(project('hello'), { groupId, artifactId: 'hello', version: '1.0.0', greeting: 'hello release', serverId: 'strata' });
    await writeLibrary(project('greeter'), { groupId, artifactId: 'greeter', version: '1.0.1-SNAPSHOT', greeting: 'greeter build 1', serverId: 'strata' });
  }, 120_000);
  afterAll(async () => {
    await mvn?.close();
    await r?.stop();
  });

  it('mvn deploy of a release (Basic auth: token as password) stores pom and jar, serves metadata', async () => {
    const out = must('mvn deploy (release)', await mvn.run(project('hello'), settings.basic, [`-Drepo.url=${url}`, '-Dmaven.install.skip=true', 'deploy']));
    expect(out).toMatch(/Uploaded to strata: .*hello-1\.0\.0\.jar/);
    expect((await events()).filter((e) => e.data.name === `${groupId}:hello`).map((e) => e.type)).toEqual(['ArtifactPublished', 'ArtifactFilesAdded']);
    const xml = (await request(r.http).get(`/maven/libs/${groupPath}/hello/maven-metadata.xml`).auth('x', token).expect(200)).text;
    expect(xml).toMatch(/<release>1\.0\.0<\/release>/);
  }, 180_000);

  it('two SNAPSHOT deploys (the second with a Bearer header) make timestamped builds 1 and 2', async () => {
    must('mvn deploy (snapshot 1)', await mvn.run(project('greeter'), settings.basic, [`-Drepo.url=${url}`, '-Dmaven.install.skip=true', 'deploy']));
    await writeFile(join(project('greeter'), 'src/main/java/fixture/greeter/Greeting.java'), 'package fixture.greeter;\npublic class Greeting { public static String text() { return "greeter build 2"; } }\n');
    must('mvn deploy (snapshot 2)', await mvn.run(project('greeter'), settings.bearer, [`-Drepo.url=${url}`, '-Dmaven.install.skip=true', 'deploy']));
    const xml = (await request(r.http).get(`/maven/libs/${groupPath}/greeter/1.0.1-SNAPSHOT/maven-metadata.xml`).auth('x', token).expect(200)).text;
    expect(xml).toMatch(/<buildNumber>2<\/buildNumber>/);
    const listing = (await request(r.http).get(`/maven/libs/${groupPath}/greeter/1.0.1-SNAPSHOT/`).auth('x', token).set('accept', 'application/json').expect(200)).body.entries.map((e: { name: string }) => e.name);
    expect(listing.filter((n: string) => /^greeter-1\.0\.1-\d{8}\.\d{6}-\d\.jar$/.test(n))).toHaveLength(2);
  }, 240_000);

  it('a consumer build resolves the release and the newest SNAPSHOT build from Strata into an empty local repository', async () => {
    await writeConsumer(project('consumer'), { serverId: 'strata', deps: [{ groupId, artifactId: 'hello', version: '1.0.0' }, { groupId, artifactId: 'greeter', version: '1.0.1-SNAPSHOT' }] });
    const out = must('mvn compile (consumer)', await mvn.run(project('consumer'), settings.basic, [`-Drepo.url=${url}`, 'compile']));
    expect(out).toMatch(/Downloaded from strata: .*hello-1\.0\.0\.jar/);
    expect(out).toMatch(/Downloaded from strata: .*greeter-1\.0\.1-\d{8}\.\d{6}-2\.jar/);
    const local = await readdir(join(mvn.localRepo, ...groupId.split('.'), 'greeter', '1.0.1-SNAPSHOT'));
    expect(local).toEqual(expect.arrayContaining([expect.stringMatching(/^greeter-1\.0\.1-\d{8}\.\d{6}-2\.jar$/)]));
    expect(local.some((f) => /-1\.jar$/.test(f))).toBe(false);
  }, 180_000);

  it('redeploying the release is refused (409) and changes nothing', async () => {
    const before = (await events()).length;
    const run = await mvn.run(project('hello'), settings.basic, [`-Drepo.url=${url}`, '-Dmaven.install.skip=true', 'deploy']);
    expect(run.code).not.toBe(0);
    expect(run.out).toMatch(/409/);
    expect((await events()).length).toBe(before);
  }, 180_000);

  it('an anonymous deploy is refused (401)', async () => {
    await writeLibrary(project('anon'), { groupId, artifactId: 'anon', version: '1.0.0', greeting: 'nobody', serverId: 'strata' });
    const run = await mvn.run(project('anon'), settings.anonymous, [`-Drepo.url=${url}`, '-Dmaven.install.skip=true', 'deploy']);
    expect(run.code).not.toBe(0);
    expect(run.out).toMatch(/401/);
    expect((await events()).some((e) => e.data.name === `${groupId}:anon`)).toBe(false);
  }, 180_000);
});
