import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort } from '../support/npm-client.js';
import { buildahAvailable, oci } from '../support/oci-client.js';
import { describeWith } from '../support/services.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

describeWith('buildah', buildahAvailable, 'OCI with the real buildah (vfs storage, private store, no daemon): build, push, pull back', () => {
  let r: TestRegistry;
  let host: string;
  let work: string;
  let alice: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const buildah = (...args: string[]) => oci('buildah', ['--root', join(work, 'store'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs', ...args], work);

  beforeAll(async () => {
    r = await startTestRegistry();
    const port = await freePort();
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    host = `127.0.0.1:${port}`;
    work = await mkdtemp(join(tmpdir(), 'strata-buildah-'));
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'containers', format: 'oci' }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: 'correct horse battery staple' }).expect(201);
    await request(r.http).post('/api/v1/repositories/containers/permissions').set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['write', 'delete'] }).expect(201);
    alice = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 't', user: 'alice' }).expect(201)).body.token;
  }, 60_000);
  afterAll(async () => {
    await r?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('buildah from scratch + copy + commit, buildah push (user + token), buildah pull into a fresh store: same image id and content', async () => {
    await writeFile(join(work, 'hi.txt'), 'built by buildah\n');
    const container = (await buildah('from', 'scratch')).trim();
    await buildah('copy', container, join(work, 'hi.txt'), '/hi.txt');
    await buildah('config', '--label', 'org.example=strata', container);
    const id = (await buildah('commit', '--quiet', '--format', 'oci', container, 'built:1.0')).trim();
    await buildah('push', '--tls-verify=false', '--creds', `alice:${alice}`, 'built:1.0', `docker://${host}/containers/team/built:1.0`);
    const tags = await request(r.http).get('/v2/containers/team/built/tags/list').set(admin()).expect(200);
    expect(tags.body.tags).toEqual(['1.0']);
    // pull into a second, empty store
    const fresh = (...args: string[]) => oci('buildah', ['--root', join(work, 'store2'), '--runroot', join(work, 'run2'), '--storage-driver', 'vfs', ...args], work);
    const pulled = (await fresh('pull', '--quiet', '--tls-verify=false', '--creds', `alice:${alice}`, `docker://${host}/containers/team/built:1.0`)).trim();
    expect(pulled).toBe(id);
    const inspected = JSON.parse(await fresh('inspect', '--type', 'image', pulled));
    expect(inspected.OCIv1.config.Labels).toMatchObject({ 'org.example': 'strata' });
    // the file itself, from a container of the pulled image (buildah mount needs root, which CI has)
    const c2 = (await fresh('from', pulled)).trim();
    const root = (await fresh('mount', c2)).trim();
    expect(await readFile(join(root, 'hi.txt'), 'utf8')).toBe('built by buildah\n');
    await fresh('umount', c2);
  }, 180_000);
});
