import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { binary } from '../support/http-helpers.js';
import { freePort } from '../support/npm-client.js';
import { FIXTURE_GROUP_PREFIX, mavenAvailable, mavenClient, writeConsumer, writeLibrary, writeSettings, type MavenClient, type MavenRun } from '../support/maven-client.js';
import { greetingJar, StaticMavenUpstream } from '../support/maven-upstream.js';
import { describeWith } from '../support/services.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const hex = (algo: string, b: Buffer | string) => createHash(algo).update(b).digest('hex');
const must = (what: string, r: MavenRun) => {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.out.slice(-4000)}`);
  return r.out;
};

/**
 * Remote (caching proxy) and virtual Maven repositories with the real `mvn`: the upstream is a
 * static Maven 2 layout over HTTP (what Maven Central is), started by the test.
 */
describeWith('mvn (Maven 3.8.7 with the pre-seeded ~/.m2 plugins)', mavenAvailable, 'remote and virtual Maven repositories (static upstream layout, real mvn)', () => {
  let r: TestRegistry;
  let mvn: MavenClient;
  let base: string;
  let settings: string;
  const upstream = new StaticMavenUpstream();
  // groups no other build has: whatever resolves for them came from Strata
  const pub = `${FIXTURE_GROUP_PREFIX}.up${randomBytes(4).toString('hex')}`;
  const internal = `${FIXTURE_GROUP_PREFIX}.corp${randomBytes(4).toString('hex')}`;
  const pubPath = pub.replace(/\./g, '/');
  const internalPath = internal.replace(/\./g, '/');
  let helloJar: Buffer;
  let helloJarPath: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const events = async (type: string) =>
    ((await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items as { type: string; data: Record<string, any> }[]).filter((e) => e.type === type && e.data.format === 'maven');
  const get = (path: string) => request(r.http).get(path).set(admin()).buffer(true).parse(binary);
  const project = (name: string) => join(mvn.work, name);
  const consume = async (client: MavenClient, name: string, repo: string, deps: { groupId: string; artifactId: string; version: string }[]) => {
    await writeConsumer(join(client.work, name), { serverId: 'strata', deps });
    return client.run(join(client.work, name), settings, [`-Drepo.url=${base}/maven/${repo}/`, 'compile']);
  };

  beforeAll(async () => {
    helloJar = await greetingJar('hello', 'hello from upstream');
    await upstream.start();
    helloJarPath = upstream.publish({ groupId: pub, artifactId: 'hello', version: '1.0.0', jar: helloJar }).jarPath;
    upstream.publish({ groupId: pub, artifactId: 'hello', version: '1.1.0', jar: await greetingJar('hello', 'hello 1.1 from upstream') });
    // the dependency-confusion bait: the internal coordinates, a higher version, upstream
    upstream.publish({ groupId: internal, artifactId: 'secret', version: '9.9.9', jar: await greetingJar('secret', 'IMPOSTOR') });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    r = await startTestRegistry({ STRATA_BASE_URL: base });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    const create = (body: Record<string, unknown>) => request(r.http).post('/api/v1/repositories').set(admin()).send({ format: 'maven', ...body }).expect(201);
    await create({ name: 'central', type: 'remote', upstream: { url: upstream.url, allowPrivateNetwork: true, metadataMaxAgeSeconds: 0 } });
    await create({ name: 'corp' });
    await create({ name: 'group', type: 'virtual', members: ['corp', 'central'], publishTo: 'corp' });
    await create({ name: 'unguarded', type: 'virtual', members: ['corp', 'central'], confusionGuard: { enabled: false } });
    mvn = await mavenClient();
    settings = await writeSettings(join(mvn.work, 'settings.xml'), 'strata', { bearerToken: r.token });
  }, 120_000);
  afterAll(async () => {
    await mvn?.close();
    await r?.stop();
    await upstream.stop();
  });

  it('mvn resolves a dependency through the remote repository: fetched once, verified against the upstream .sha1, recorded', async () => {
    const out = must('mvn compile (remote)', await consume(mvn, 'through-remote', 'central', [{ groupId: pub, artifactId: 'hello', version: '1.0.0' }]));
    expect(out).toMatch(/Downloaded from strata: .*\/maven\/central\/.*hello-1\.0\.0\.jar/);
    const fetched = (await events('UpstreamFetched')).filter((e) => e.data.repository === 'central' && e.data.name === `${pub}:hello`);
    expect(fetched.map((e) => e.data.files[0].path).sort()).toEqual([helloJarPath, helloJarPath.replace(/jar$/, 'pom')]);
    expect(fetched.find((e) => e.data.files[0].path === helloJarPath)!.data).toMatchObject({ version: '1.0.0', url: `${upstream.url}${helloJarPath}`, files: [{ sha1: hex('sha1', helloJar), digest: `sha256:${hex('sha256', helloJar)}` }] });
    // the .sha1 was asked before the file; the file once, whatever mvn and we ask afterwards
    expect(upstream.hits(`${helloJarPath}.sha1`)).toBeGreaterThanOrEqual(1);
    expect((await get(`/maven/central/${helloJarPath}`).expect(200)).body).toEqual(helloJar);
    expect(upstream.hits(helloJarPath)).toBe(1);
    // checksums from the recorded digests, including those the upstream does not publish
    for (const algo of ['sha1', 'md5', 'sha256', 'sha512']) expect((await get(`/maven/central/${helloJarPath}.${algo}`).expect(200)).body.toString()).toBe(hex(algo, helloJar));
  }, 180_000);

  it('serves stored files with Range, ETag/304 and HEAD (remote and hosted alike)', async () => {
    const part = await get(`/maven/central/${helloJarPath}`).set('range', 'bytes=2-9').expect(206);
    expect(part.headers['content-range']).toBe(`bytes 2-9/${helloJar.length}`);
    expect(part.body).toEqual(helloJar.subarray(2, 10));
    const etag = `"${hex('sha256', helloJar)}"`;
    await get(`/maven/central/${helloJarPath}`).set('if-none-match', etag).expect(304);
    const head = await request(r.http).head(`/maven/central/${helloJarPath}`).set(admin()).expect(200);
    expect(head.headers['content-length']).toBe(String(helloJar.length));
    expect(head.headers['accept-ranges']).toBe('bytes');
    // a hosted file: the same download path (deployed by hand here)
    const path = `${internalPath}/plain/1.0/plain-1.0.jar`;
    await request(r.http).put(`/maven/corp/${path}`).set(admin()).send(helloJar).expect(201);
    const hosted = await get(`/maven/corp/${path}`).set('range', 'bytes=-4').expect(206);
    expect(hosted.body).toEqual(helloJar.subarray(helloJar.length - 4));
    await get(`/maven/corp/${path}`).set('range', `bytes=${helloJar.length + 10}-`).expect(416);
  });

  it('upstream metadata passes through with a max age; deploys to a remote repository are refused (405)', async () => {
    const meta = await get(`/maven/central/${pubPath}/hello/maven-metadata.xml`).expect(200);
    expect(meta.body.toString()).toMatch(/<version>1\.0\.0<\/version>\s*<version>1\.1\.0<\/version>/);
    expect((await get(`/maven/central/${pubPath}/hello/maven-metadata.xml.sha1`).expect(200)).body.toString()).toBe(hex('sha1', meta.body));
    await get(`/maven/central/${pubPath}/nothing/maven-metadata.xml`).expect(404);
    const before = (await events('UpstreamFetched')).length;
    const res = await request(r.http).put(`/maven/central/${pubPath}/hello/2.0/hello-2.0.jar`).set(admin()).send(Buffer.from('x'));
    expect(res.status).toBe(405);
    expect((await events('UpstreamFetched')).length).toBe(before);
    expect([...upstream.seen].some((s) => s.startsWith('PUT'))).toBe(false);
  });

  it('a file the upstream publishes no .sha1 for is stored as served; one whose .sha1 disagrees is refused and nothing is kept', async () => {
    upstream.put(`${pubPath}/nosum/1.0/nosum-1.0.jar`, Buffer.from('no checksum here'), false);
    expect((await get(`/maven/central/${pubPath}/nosum/1.0/nosum-1.0.jar`).expect(200)).body.toString()).toBe('no checksum here');
    expect((await events('UpstreamFetched')).some((e) => e.data.files[0].path === `${pubPath}/nosum/1.0/nosum-1.0.jar`)).toBe(true);
    upstream.put(`${pubPath}/bad/1.0/bad-1.0.jar`, Buffer.from('the real bytes'));
    upstream.files.set(`${pubPath}/bad/1.0/bad-1.0.jar`, Buffer.from('tampered bytes'));
    // the bytes stream to the client as they arrive; the last chunk is held back until they are verified, so the download breaks
    const outcome = await get(`/maven/central/${pubPath}/bad/1.0/bad-1.0.jar`).then(
      (res) => (res.status === 200 && res.body.toString() === 'tampered bytes' ? 'served' : 'refused'),
      () => 'refused',
    );
    expect(outcome).toBe('refused');
    expect((await events('UpstreamFetched')).some((e) => e.data.files[0].path === `${pubPath}/bad/1.0/bad-1.0.jar`)).toBe(false);
  });

  it('mvn deploy to the virtual repository lands in its hosted member; a consumer through it gets the internal artifact, never the higher upstream version', async () => {
    await writeLibrary(project('secret'), { groupId: internal, artifactId: 'secret', version: '1.0.0', greeting: 'the internal one', serverId: 'strata' });
    must('mvn deploy (virtual)', await mvn.run(project('secret'), settings, [`-Drepo.url=${base}/maven/group/`, '-Dmaven.install.skip=true', 'deploy']));
    const published = (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items.filter((e: { type: string; data: { name: string } }) => e.type === 'ArtifactPublished' && e.data.name === `${internal}:secret`);
    expect(published.map((e: { data: { repository: string } }) => e.data.repository)).toEqual(['corp']);

    // a local repository of its own: nothing of these coordinates in it yet
    const consumer = await mavenClient();
    try {
      const out = must(
        'mvn compile (virtual)',
        await consume(consumer, 'through-group', 'group', [
          { groupId: pub, artifactId: 'hello', version: '1.0.0' },
          { groupId: internal, artifactId: 'secret', version: '[1.0,)' },
        ]),
      );
      expect(out).toMatch(/Downloaded from strata: .*\/maven\/group\/.*secret-1\.0\.0\.jar/);
      expect(out).toMatch(/Downloaded from strata: .*\/maven\/group\/.*hello-1\.0\.0\.jar/);
      expect(out).not.toMatch(/9\.9\.9/);
      expect(await readdir(join(consumer.localRepo, ...internal.split('.'), 'secret'))).not.toContain('9.9.9');
    } finally {
      await consumer.close();
    }
    // the upstream was never asked for the internal coordinates' files
    expect(upstream.seen.filter((s) => s.includes('/secret/9.9.9/'))).toEqual([]);

    // merged metadata: the guard keeps the remote's versions of an internal artifact out...
    const guarded = (await get(`/maven/group/${internalPath}/secret/maven-metadata.xml`).expect(200)).body.toString();
    expect(guarded).toMatch(/<versions>\s*<version>1\.0\.0<\/version>\s*<\/versions>/);
    expect(guarded).toMatch(/<release>1\.0\.0<\/release>/);
    // ...and without it the versions are merged (the attack the guard stops: 9.9.9 would win)
    const merged = (await get(`/maven/unguarded/${internalPath}/secret/maven-metadata.xml`).expect(200)).body.toString();
    expect(merged).toMatch(/<latest>9\.9\.9<\/latest>\s*<release>9\.9\.9<\/release>\s*<versions>\s*<version>1\.0\.0<\/version>\s*<version>9\.9\.9<\/version>/);
    expect((await get(`/maven/unguarded/${internalPath}/secret/maven-metadata.xml.sha1`).expect(200)).body.toString()).toBe(hex('sha1', merged));
    // a public artifact's metadata through the group is the upstream's
    expect((await get(`/maven/group/${pubPath}/hello/maven-metadata.xml`).expect(200)).body.toString()).toMatch(/<release>1\.1\.0<\/release>/);
  }, 300_000);

  it('a mutated upstream jar (same path, new bytes and .sha1) is detected; the recorded bytes keep being served', async () => {
    upstream.put(helloJarPath, Buffer.concat([helloJar, Buffer.from('trojan')]));
    expect((await get(`/maven/central/${helloJarPath}`).expect(200)).body).toEqual(helloJar);
    expect((await get(`/maven/group/${helloJarPath}`).expect(200)).body).toEqual(helloJar);
    expect((await get(`/maven/central/${helloJarPath}.sha1`).expect(200)).body.toString()).toBe(hex('sha1', helloJar));
    const mismatches = (await events('UpstreamMismatchDetected')).filter((e) => e.data.path === helloJarPath);
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0].data).toMatchObject({ repository: 'central', recordedDigest: `sha256:${hex('sha256', helloJar)}`, name: `${pub}:hello`, version: '1.0.0' });
    expect(upstream.hits(helloJarPath)).toBe(1);
  });

  it('SNAPSHOTs through the remote: a plain -SNAPSHOT name resolves to the build the upstream metadata names; SNAPSHOT metadata through the group comes from the first member that has it', async () => {
    const dir = `${pubPath}/snap/2.0-SNAPSHOT`;
    const build = '2.0-20250102.030405-3';
    upstream.put(`${dir}/snap-${build}.jar`, Buffer.from('snapshot build 3'));
    upstream.put(`${dir}/snap-2.0-20250101.000000-2.jar`, Buffer.from('snapshot build 2'));
    const snapshotMeta = `<?xml version="1.0" encoding="UTF-8"?>\n<metadata modelVersion="1.1.0"><groupId>${pub}</groupId><artifactId>snap</artifactId><version>2.0-SNAPSHOT</version><versioning><snapshot><timestamp>20250102.030405</timestamp><buildNumber>3</buildNumber></snapshot><lastUpdated>20250102030405</lastUpdated><snapshotVersions><snapshotVersion><extension>jar</extension><value>${build}</value><updated>20250102030405</updated></snapshotVersion></snapshotVersions></versioning></metadata>\n`;
    upstream.put(`${dir}/maven-metadata.xml`, snapshotMeta);
    expect((await get(`/maven/central/${dir}/snap-2.0-SNAPSHOT.jar`).expect(200)).body.toString()).toBe('snapshot build 3');
    expect((await events('UpstreamFetched')).some((e) => e.data.files[0].path === `${dir}/snap-${build}.jar`)).toBe(true);
    expect((await get(`/maven/group/${dir}/maven-metadata.xml`).expect(200)).body.toString()).toBe(snapshotMeta);
    expect((await get(`/maven/group/${dir}/snap-2.0-20250101.000000-2.jar`).expect(200)).body.toString()).toBe('snapshot build 2');
  });

  it('plugin groups are merged, and a caller sees only the members it may read (an unreadable hosted member still guards its names)', async () => {
    upstream.put(`${pubPath}/maven-metadata.xml`, '<?xml version="1.0"?>\n<metadata><plugins><plugin><name>Up</name><prefix>up</prefix><artifactId>up-maven-plugin</artifactId></plugin></plugins></metadata>\n');
    expect((await get(`/maven/group/${pubPath}/maven-metadata.xml`).expect(200)).body.toString()).toMatch(/<prefix>up<\/prefix>\s*<artifactId>up-maven-plugin<\/artifactId>/);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'bob', password: 'correct horse battery staple' }).expect(201);
    for (const repo of ['group', 'central']) await request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id: 'bob' }, actions: ['read'] }).expect(201);
    const bob = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'bob', user: 'bob' }).expect(201)).body.token as string;
    await request(r.http).get(`/maven/group/${helloJarPath}`).auth('bob', bob).expect(200);
    // corp is not bob's to read: its artifact is not served to him, and the upstream's impostor is not either
    await request(r.http).get(`/maven/group/${internalPath}/secret/1.0.0/secret-1.0.0.jar`).auth('bob', bob).expect(404);
    await request(r.http).get(`/maven/group/${internalPath}/secret/9.9.9/secret-9.9.9.jar`).auth('bob', bob).expect(404);
    await request(r.http).get(`/maven/group/${internalPath}/secret/maven-metadata.xml`).auth('bob', bob).expect(404);
  });

  it('with the upstream stopped, mvn with a fresh local repository still resolves from the cache, through the remote and the virtual repository', async () => {
    await upstream.stop();
    const hello = { groupId: pub, artifactId: 'hello', version: '1.0.0' };
    for (const [repo, deps] of [
      ['central', [hello]],
      ['group', [hello, { groupId: internal, artifactId: 'secret', version: '[1.0,)' }]],
    ] as const) {
      const fresh = await mavenClient();
      try {
        const out = must(`mvn compile (${repo}, upstream down)`, await consume(fresh, `offline-${repo}`, repo, [...deps]));
        expect(out).toMatch(new RegExp(`Downloaded from strata: .*/maven/${repo}/.*hello-1\\.0\\.0\\.jar`));
        expect(await readdir(join(fresh.localRepo, ...pub.split('.'), 'hello', '1.0.0'))).toContain('hello-1.0.0.jar');
        if (repo === 'group') expect(out).toMatch(/secret-1\.0\.0\.jar/);
      } finally {
        await fresh.close();
      }
    }
    // cached metadata is served stale rather than not at all
    expect((await get(`/maven/central/${pubPath}/hello/maven-metadata.xml`).expect(200)).body.toString()).toMatch(/1\.1\.0/);
  }, 300_000);
});
