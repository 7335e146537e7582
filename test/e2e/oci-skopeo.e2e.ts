import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort } from '../support/npm-client.js';
import { buildImage, oci, ociClientsAvailable, writeHelmChartLayout } from '../support/oci-client.js';
import { describeWith } from '../support/services.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

describeWith('skopeo and umoci', ociClientsAvailable, 'OCI with the real skopeo and umoci: push, pull byte-identical, list tags, delete; with and without auth', () => {
  let r: TestRegistry;
  let host: string;
  let work: string;
  let alice: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const creds = () => `alice:${alice}`;

  beforeAll(async () => {
    r = await startTestRegistry();
    const port = await freePort();
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    host = `127.0.0.1:${port}`;
    work = await mkdtemp(join(tmpdir(), 'strata-oci-'));
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'containers', format: 'oci' }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'open', format: 'oci', anonymousRead: true }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: 'correct horse battery staple' }).expect(201);
    for (const repo of ['containers', 'open']) {
      await request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['write', 'delete'] }).expect(201);
    }
    alice = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 't', user: 'alice' }).expect(201)).body.token;
    await buildImage(work, '1.0', { 'hello.txt': 'hello from strata\n' });
    await buildImage(work, '1.1', { 'hello.txt': 'hello again\n', 'etc/motd': 'x\n' });
  }, 120_000);
  afterAll(async () => {
    await r?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const rawManifest = (dir: string, tag: string) => oci('skopeo', ['inspect', '--raw', `oci:${join(work, dir)}:${tag}`]);

  it('skopeo copy oci: -> docker:// (user + token), then copy back: the manifest is byte-identical', async () => {
    await oci('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds(), `oci:${join(work, 'img')}:1.0`, `docker://${host}/containers/team/hello:1.0`]);
    const remote = await oci('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', creds(), `docker://${host}/containers/team/hello:1.0`]);
    expect(remote).toBe(await rawManifest('img', '1.0'));
    await oci('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds(), `docker://${host}/containers/team/hello:1.0`, `oci:${join(work, 'pulled')}:1.0`]);
    expect(await rawManifest('pulled', '1.0')).toBe(await rawManifest('img', '1.0'));
    const layer = JSON.parse(remote).layers[0].digest.split(':')[1];
    expect(await readFile(join(work, 'pulled', 'blobs', 'sha256', layer))).toEqual(await readFile(join(work, 'img', 'blobs', 'sha256', layer)));
  }, 120_000);

  it('skopeo with user + password (token endpoint), list-tags, delete', async () => {
    await oci('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', 'alice:correct horse battery staple', `oci:${join(work, 'img')}:1.1`, `docker://${host}/containers/team/hello:1.1`]);
    const tags = JSON.parse(await oci('skopeo', ['list-tags', '--tls-verify=false', '--creds', creds(), `docker://${host}/containers/team/hello`]));
    expect(tags.Tags).toEqual(['1.0', '1.1']);
    await oci('skopeo', ['delete', '--tls-verify=false', '--creds', creds(), `docker://${host}/containers/team/hello:1.1`]);
    await expect(oci('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', creds(), `docker://${host}/containers/team/hello:1.1`])).rejects.toThrow(/manifest unknown|not found/i);
  }, 120_000);

  it('anonymous pull from an anonymous-read repository; anonymous push is refused', async () => {
    await oci('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds(), `oci:${join(work, 'img')}:1.0`, `docker://${host}/open/hello:1.0`]);
    await oci('skopeo', ['copy', '--src-tls-verify=false', '--src-no-creds', `docker://${host}/open/hello:1.0`, `oci:${join(work, 'anon')}:1.0`]);
    expect(await rawManifest('anon', '1.0')).toBe(await rawManifest('img', '1.0'));
    await expect(oci('skopeo', ['copy', '--dest-tls-verify=false', '--dest-no-creds', `oci:${join(work, 'img')}:1.1`, `docker://${host}/open/hello:1.1`])).rejects.toThrow(/unauthorized|authentication required|denied/i);
  }, 120_000);

  it('a Helm chart pushed as an OCI artifact (Helm media types) with skopeo keeps its digest, pulls back byte-identical and is listed with its chart metadata', async () => {
    const { manifest, archive } = await writeHelmChartLayout(work, { name: 'mychart', version: '0.1.0', appVersion: '1.16.0', description: 'A Helm chart for tests' });
    await oci('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds(), `oci:${join(work, 'chart')}:0.1.0`, `docker://${host}/containers/charts/mychart:0.1.0`]);
    const remote = await oci('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', creds(), `docker://${host}/containers/charts/mychart:0.1.0`]);
    expect(remote).toBe(manifest.toString('utf8'));
    await oci('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds(), `docker://${host}/containers/charts/mychart:0.1.0`, `oci:${join(work, 'chart-pulled')}:0.1.0`]);
    const layer = JSON.parse(remote).layers[0].digest.split(':')[1];
    expect(await readFile(join(work, 'chart-pulled', 'blobs', 'sha256', layer))).toEqual(archive);
    const listed = await request(r.http).get('/api/v1/repositories/containers/charts').set({ authorization: `Bearer ${alice}` }).expect(200);
    expect(listed.body.items).toEqual([
      {
        name: 'mychart', version: '0.1.0', appVersion: '1.16.0', description: 'A Helm chart for tests', image: 'containers/charts/mychart',
        digest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`, tags: ['0.1.0'], pushedAt: expect.any(String), reference: `oci://${host}/containers/charts/mychart`,
      },
    ]);
    // an image is not a chart; anonymous callers need anonymous read
    expect((await request(r.http).get('/api/v1/repositories/open/charts').expect(200)).body.items).toEqual([]);
    await request(r.http).get('/api/v1/repositories/containers/charts').expect(401);
  }, 120_000);
});
