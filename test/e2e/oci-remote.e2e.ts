import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { binary } from '../support/http-helpers.js';
import { freePort } from '../support/npm-client.js';
import { buildImage, oci, ociClientsAvailable } from '../support/oci-client.js';
import { distributionAvailable, startCountingProxy, startDistribution, startTokenServer, storedBlobPath, UPSTREAM_PASSWORD, UPSTREAM_USER, type Distribution } from '../support/oci-upstream.js';
import { describeWith } from '../support/services.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const upstreamCreds = `${UPSTREAM_USER}:${UPSTREAM_PASSWORD}`;

describeWith('docker-registry, skopeo and umoci', ociClientsAvailable && distributionAvailable, 'OCI remote and virtual repositories: skopeo through a pull-through cache of docker-registry (Basic and token auth), offline, mismatch, dependency confusion', () => {
  let r: TestRegistry;
  let upstream: Distribution;
  let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
  let host: string;
  let work: string;
  let alice: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const aliceBasic = () => ({ authorization: `Basic ${Buffer.from(`alice:${alice}`).toString('base64')}` });
  const creds = () => `alice:${alice}`;
  const events = async (type: string) =>
    ((await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items as { type: string; data: Record<string, any> }[]).filter((e) => e.type === type);
  const layout = (dir: string, tag: string) => `oci:${join(work, dir)}:${tag}`;
  const raw = (ref: string, flags: string[] = ['--tls-verify=false', '--creds', creds()]) => oci('skopeo', ['inspect', '--raw', ...flags, ref]);
  const pushUpstream = (tag: string, image: string) => oci('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', upstreamCreds, layout('img', tag), `docker://${upstream.host}/${image}`]);
  const pull = (ref: string, dir: string) => oci('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds(), `docker://${host}/${ref}`, layout(dir, 'x')]);
  const layerOf = (manifest: string) => (JSON.parse(manifest) as { layers: { digest: string }[] }).layers[0].digest;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-oci-remote-'));
    await buildImage(work, '1.0', { 'hello.txt': 'hello from upstream\n' });
    await buildImage(work, '2.0', { 'hello.txt': 'the tag moved\n' });
    await buildImage(work, 'private', { 'secret.txt': 'our own image\n' });
    await buildImage(work, 'attacker', { 'evil.txt': 'public impostor\n' });
    await buildImage(work, 'tamper', { 'hello.txt': 'about to be tampered with\n' });
    await buildImage(work, 'big', { 'big.bin': 'x'.repeat(3_000_000) + Math.random() });
    upstream = await startDistribution({ type: 'htpasswd' });
    proxy = await startCountingProxy(upstream.url);
    await pushUpstream('1.0', 'library/hello:1.0');
    await pushUpstream('1.0', 'library/moving:1');
    await pushUpstream('attacker', 'library/shared:1');
    await pushUpstream('tamper', 'library/tampered:1');
    await pushUpstream('big', 'library/big:1');
    r = await startTestRegistry();
    const port = await freePort();
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    host = `127.0.0.1:${port}`;
    const create = (body: Record<string, unknown>) => request(r.http).post('/api/v1/repositories').set(admin()).send(body).expect(201);
    await create({ name: 'hub', format: 'oci', type: 'remote', upstream: { url: proxy.url, allowPrivateNetwork: true, metadataMaxAgeSeconds: 2, auth: { type: 'basic', username: UPSTREAM_USER, password: UPSTREAM_PASSWORD } } });
    await create({ name: 'mine', format: 'oci' });
    await create({ name: 'all', format: 'oci', type: 'virtual', members: ['mine', 'hub'], publishTo: 'mine' });
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: 'correct horse battery staple' }).expect(201);
    for (const [repo, actions] of [['hub', ['read']], ['mine', ['write']], ['all', ['read']]] as const) {
      await request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions }).expect(201);
    }
    alice = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 't', user: 'alice' }).expect(201)).body.token;
  }, 180_000);
  afterAll(async () => {
    await r?.stop();
    await proxy?.stop().catch(() => undefined);
    await upstream?.stop().catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('skopeo copy through the remote repository: byte-identical to the upstream, fetched with the sealed credentials, recorded as UpstreamFetched', async () => {
    const original = await raw(`docker://${upstream.host}/library/hello:1.0`, ['--tls-verify=false', '--creds', upstreamCreds]);
    expect(await raw(`docker://${host}/hub/library/hello:1.0`)).toBe(original);
    await pull('hub/library/hello:1.0', 'via-remote');
    expect(await raw(layout('via-remote', 'x'), [])).toBe(original);
    const layer = layerOf(original).split(':')[1];
    expect(await readFile(join(work, 'via-remote', 'blobs', 'sha256', layer))).toEqual(await readFile(join(work, 'img', 'blobs', 'sha256', layer)));
    const fetched = (await events('UpstreamFetched')).filter((e) => e.data.repository === 'hub' && e.data.name === 'library/hello');
    const paths = fetched.map((e) => e.data.files[0].path);
    expect(paths).toEqual(expect.arrayContaining([`library/hello/manifests/${sha256(original)}`, `library/hello/blobs/${layerOf(original)}`]));
    expect(fetched.find((e) => e.data.files[0].path.includes('/manifests/'))!.data.files[0]).toMatchObject({ digest: sha256(original), mediaType: JSON.parse(original).mediaType ?? expect.any(String) });
    // served from the store afterwards: another pull asks the upstream nothing about the layer
    const before = proxy.hits(`/v2/library/hello/blobs/${layerOf(original)}`);
    await pull('hub/library/hello:1.0', 'via-remote-again');
    expect(proxy.hits(`/v2/library/hello/blobs/${layerOf(original)}`)).toBe(before);
  }, 120_000);

  it('pushes to a remote repository are refused in the spec\'s error shape', async () => {
    await expect(oci('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds(), layout('img', 'private'), `docker://${host}/hub/library/pushed:1`])).rejects.toThrow(/denied|unsupported|not allowed/i);
    const refused = await request(r.http).put('/v2/hub/library/hello/manifests/9').set(admin()).set('content-type', 'application/vnd.oci.image.manifest.v1+json').send('{}');
    expect(refused.status).toBe(405);
    expect(refused.body.errors[0].code).toBe('UNSUPPORTED');
    const denied = await request(r.http).post('/v2/hub/library/hello/blobs/uploads/').set(aliceBasic());
    expect(denied.status).toBe(403);
    expect(denied.body.errors[0].code).toBe('DENIED');
  }, 60_000);

  it('concurrent pulls of the same missing blob cause one upstream fetch', async () => {
    const manifest = await raw(`docker://${host}/hub/library/big:1`);
    const layer = layerOf(manifest);
    const release = proxy.hold(`/v2/library/big/blobs/${layer}`);
    const pulls = Array.from({ length: 6 }, () => request(r.http).get(`/v2/hub/library/big/blobs/${layer}`).set(aliceBasic()).buffer(true).parse(binary));
    const settled = Promise.all(pulls.map((p) => p.then((res) => res)));
    await sleep(300);
    release();
    for (const res of await settled) {
      expect(res.status).toBe(200);
      expect(sha256(res.body as Buffer)).toBe(layer);
    }
    expect(proxy.hits(`/v2/library/big/blobs/${layer}`)).toBe(1);
  }, 60_000);

  it('a virtual repository (hosted + remote): skopeo pulls through it byte-identical, pushes land in the hosted member, and a hosted name shadows the remote one', async () => {
    const original = await raw(`docker://${host}/hub/library/hello:1.0`);
    await pull('all/library/hello:1.0', 'via-virtual');
    expect(await raw(layout('via-virtual', 'x'), [])).toBe(original);
    await oci('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds(), layout('img', 'private'), `docker://${host}/all/library/shared:1`]);
    const ours = await raw(layout('img', 'private'), []);
    expect(await raw(`docker://${host}/mine/library/shared:1`)).toBe(ours);
    const asked = proxy.hits('/v2/library/shared/manifests/1');
    await pull('all/library/shared:1', 'shadowed');
    expect(await raw(layout('shadowed', 'x'), [])).toBe(ours);
    expect(proxy.hits('/v2/library/shared/manifests/1')).toBe(asked);
    // by digest too: the remote's image of that name is not reachable through the virtual repository
    const impostor = sha256(await raw(`docker://${upstream.host}/library/shared:1`, ['--tls-verify=false', '--creds', upstreamCreds]));
    const res = await request(r.http).get(`/v2/all/library/shared/manifests/${impostor}`).set(aliceBasic());
    expect(res.status).toBe(404);
    expect(res.body.errors[0].code).toBe('MANIFEST_UNKNOWN');
    expect(proxy.hits(`/v2/library/shared/manifests/${impostor}`)).toBe(0);
  }, 120_000);

  it('tags list comes from the upstream, under the remote repository\'s name', async () => {
    const tags = JSON.parse(await oci('skopeo', ['list-tags', '--tls-verify=false', '--creds', creds(), `docker://${host}/hub/library/hello`]));
    expect(tags).toEqual({ Repository: `${host}/hub/library/hello`, Tags: ['1.0'] });
  }, 60_000);

  it('a tag moved upstream is picked up after the max age; until then the cached manifest is served', async () => {
    const first = await raw(`docker://${host}/hub/library/moving:1`);
    await pushUpstream('2.0', 'library/moving:1');
    const moved = await raw(`docker://${upstream.host}/library/moving:1`, ['--tls-verify=false', '--creds', upstreamCreds]);
    expect(moved).not.toBe(first);
    expect(await raw(`docker://${host}/hub/library/moving:1`)).toBe(first);
    await sleep(2500);
    expect(await raw(`docker://${host}/hub/library/moving:1`)).toBe(moved);
    await pull('hub/library/moving:1', 'moved');
    expect(await raw(layout('moved', 'x'), [])).toBe(moved);
  }, 120_000);

  it('a manifest whose upstream bytes no longer match its digest is refused and raised (UpstreamMismatchDetected)', async () => {
    const manifest = await raw(`docker://${upstream.host}/library/tampered:1`, ['--tls-verify=false', '--creds', upstreamCreds]);
    const digest = sha256(manifest);
    await appendFile(storedBlobPath(upstream.storage, digest), '\n');
    await expect(oci('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds(), `docker://${host}/hub/library/tampered@${digest}`, layout('tampered', 'x')])).rejects.toThrow(/502|bad gateway|upstream|unknown/i);
    const alerts = (await events('UpstreamMismatchDetected')).filter((e) => e.data.path === `library/tampered/manifests/${digest}`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].data).toMatchObject({ repository: 'hub', recordedDigest: digest, offeredDigest: sha256(`${manifest}\n`) });
    const metrics = await request(r.http).get('/metrics').set(admin());
    expect(metrics.text).toMatch(/strata_upstream_mismatch_total\{repository="hub"\} [1-9]/);
  }, 60_000);

  it('an upstream with token auth (distribution `auth: token`, like Docker Hub): the token dance with the sealed credentials, then skopeo pulls byte-identical', async () => {
    const tokens = await startTokenServer('token-registry', 'strata-test-issuer');
    const secured = await startDistribution({ type: 'token', realm: tokens.realm, service: 'token-registry', issuer: 'strata-test-issuer', certFile: tokens.certFile });
    try {
      await oci('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', upstreamCreds, layout('img', '1.0'), `docker://${secured.host}/library/hello:1.0`]);
      await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'tokenhub', format: 'oci', type: 'remote', anonymousRead: true, upstream: { url: secured.url, allowPrivateNetwork: true, auth: { type: 'basic', username: UPSTREAM_USER, password: UPSTREAM_PASSWORD } } }).expect(201);
      const before = tokens.seen.length;
      await oci('skopeo', ['copy', '--src-tls-verify=false', '--src-no-creds', `docker://${host}/tokenhub/library/hello:1.0`, layout('via-token', 'x')]);
      expect(await raw(layout('via-token', 'x'), [])).toBe(await raw(layout('img', '1.0'), []));
      const ours = tokens.seen.slice(before).filter((s) => s.headers['user-agent'] === 'strata (remote repository)');
      expect(ours.length).toBeGreaterThan(0);
      expect(ours[0].url).toMatch(/scope=repository%3Alibrary%2Fhello%3Apull/);
      expect(ours[0].headers.authorization).toBe(`Basic ${Buffer.from(upstreamCreds).toString('base64')}`);
    } finally {
      await secured.stop();
      await tokens.stop();
    }
  }, 120_000);

  it('offline: with the upstream stopped, skopeo still pulls by tag (the cached manifest) and by digest, directly and through the virtual repository', async () => {
    const original = await raw(`docker://${host}/hub/library/hello:1.0`);
    await proxy.stop();
    await upstream.stop();
    await pull('hub/library/hello:1.0', 'offline-tag');
    expect(await raw(layout('offline-tag', 'x'), [])).toBe(original);
    await pull(`hub/library/hello@${sha256(original)}`, 'offline-digest');
    expect(await raw(layout('offline-digest', 'x'), [])).toBe(original);
    await pull('all/library/hello:1.0', 'offline-virtual');
    expect(await raw(layout('offline-virtual', 'x'), [])).toBe(original);
    const never = await request(r.http).get('/v2/hub/library/never/manifests/1').set(aliceBasic());
    expect(never.status).toBe(502);
  }, 120_000);
});
