import { createHash } from 'node:crypto';
import request from 'supertest';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Decision {
  subject: string;
  action: 'keep' | 'remove';
  reason: string;
}

describe('OCI online GC (per repository policy, dry run with reasons) and point-in-time tags', () => {
  let r: TestRegistry;
  let alice: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const shared = Buffer.from('a layer both images use '.repeat(200));
  const onlyOld = Buffer.from('a layer only the untagged image uses '.repeat(200));
  const onlyKept = Buffer.from('a layer only the tagged image uses '.repeat(200));
  const manifestOf = (layers: Buffer[]) =>
    Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: l.length })),
    }));
  const pushBlob = (path: string, body: Buffer) => request(r.http).post(`/v2/${path}/blobs/uploads/?digest=${sha256(body)}`).set(as(alice)).set('content-type', 'application/octet-stream').send(body).expect(201);
  const putManifest = (path: string, ref: string, body: Buffer) => request(r.http).put(`/v2/${path}/manifests/${ref}`).set(as(alice)).set('content-type', OCI_MANIFEST).send(body.toString('utf8')).expect(201);
  const gc = (repo: string, dryRun: boolean) => request(r.http).post(`/api/v1/repositories/${repo}/oci/gc?dryRun=${dryRun}`).set(admin());
  const find = (list: Decision[], subject: string) => list.find((d) => d.subject === subject);

  beforeAll(async () => {
    // blob GC grace 0: the blobs were uploaded a moment ago (the grace period would keep them an hour)
    r = await startTestRegistry({ STRATA_GC_GRACE_SECONDS: '0' });
    // restoreWindowDays 0: the blobs of a collected manifest may go at once (the default keeps them through the undo window)
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'images', format: 'oci', oci: { untaggedGraceSeconds: 0 }, restoreWindowDays: 0 }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'nopolicy', format: 'oci' }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: 'correct horse battery staple' }).expect(201);
    for (const repo of ['images', 'nopolicy']) {
      await request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['write', 'delete'] }).expect(201);
    }
    alice = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 't', user: 'alice' }).expect(201)).body.token;
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('refuses a policy that is not a non-negative number of seconds, and a GC of a repository of another format', async () => {
    await request(r.http).patch('/api/v1/repositories/nopolicy').set(admin()).send({ oci: { untaggedGraceSeconds: -1 } }).expect(400);
    await request(r.http).patch('/api/v1/repositories/nopolicy').set(admin()).send({ oci: { untaggedGraceSeconds: 'soon' } }).expect(400);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'files', format: 'generic' }).expect(201);
    expect((await gc('files', true)).status).toBeGreaterThanOrEqual(400);
    await request(r.http).post('/api/v1/repositories/images/oci/gc?dryRun=true').set(as(alice)).expect(403);
  });

  it('push two images sharing a layer, untag one: the dry run says why each manifest and blob goes or stays, the real run deletes the untagged manifest and its own blobs only', async () => {
    for (const blob of [config, shared, onlyOld, onlyKept]) await pushBlob('images/app', blob);
    const kept = manifestOf([shared, onlyKept]);
    const old = manifestOf([shared, onlyOld]);
    await putManifest('images/app', '1.0', old);
    await putManifest('images/app', '2.0', kept);
    // untag 1.0 (tag delete: the manifest stays, addressable by digest)
    await request(r.http).delete('/v2/images/app/manifests/1.0').set(as(alice)).expect(202);
    await request(r.http).get(`/v2/images/app/manifests/${sha256(old)}`).set(as(alice)).expect(200);

    const dry = await gc('images', true).expect(200);
    expect(dry.body).toMatchObject({ repository: 'images', dryRun: true, untaggedGraceSeconds: 0, removedManifests: 0 });
    expect(find(dry.body.manifests, `app@${sha256(old)}`)).toMatchObject({ action: 'remove', reason: expect.stringMatching(/^untagged, pushed \d+ s ago \(grace period 0 s\)/) });
    expect(find(dry.body.manifests, `app@${sha256(kept)}`)).toMatchObject({ action: 'keep', reason: 'tagged 2.0' });
    expect(find(dry.body.blobs, sha256(onlyOld))).toMatchObject({ action: 'remove', reason: expect.stringContaining('referenced only by removed manifests') });
    expect(find(dry.body.blobs, sha256(old))).toMatchObject({ action: 'remove' });
    expect(find(dry.body.blobs, sha256(shared))).toMatchObject({ action: 'keep', reason: `referenced by the kept manifest app@${sha256(kept)}` });
    expect(find(dry.body.blobs, sha256(config))).toMatchObject({ action: 'keep' });
    // a dry run changes nothing
    await request(r.http).get(`/v2/images/app/manifests/${sha256(old)}`).set(as(alice)).expect(200);

    const real = await gc('images', false).expect(200);
    expect(real.body).toMatchObject({ dryRun: false, removedManifests: 1 });
    expect(real.body.blobGc.removed.map((b: { digest: string }) => b.digest)).toEqual(expect.arrayContaining([sha256(onlyOld), sha256(old)]));
    expect(real.body.blobGc.removed.map((b: { digest: string }) => b.digest)).not.toContain(sha256(shared));
    const gone = await request(r.http).get(`/v2/images/app/manifests/${sha256(old)}`).set(as(alice)).expect(404);
    expect(gone.body.errors[0].code).toBe('MANIFEST_UNKNOWN');
    expect((await request(r.http).get(`/v2/images/app/blobs/${sha256(onlyOld)}`).set(as(alice)).expect(404)).body.errors[0].code).toBe('BLOB_UNKNOWN');
    // the tagged image is whole: its manifest and every blob, the shared layer included
    await request(r.http).get('/v2/images/app/manifests/2.0').set(as(alice)).expect(200);
    for (const blob of [config, shared, onlyKept]) expect((await request(r.http).get(`/v2/images/app/blobs/${sha256(blob)}`).set(as(alice)).expect(200)).body).toEqual(blob);
    // the deletion is an event, by the admin who ran the GC
    const events = (await request(r.http).get('/api/v1/events?limit=1000').set(admin()).expect(200)).body.items as { type: string; data: { version?: string } }[];
    expect(events.filter((e) => e.type === 'ArtifactDeleted').map((e) => e.data.version)).toEqual([sha256(old)]);
  });

  it('keeps what a tagged index lists, what refers to a kept manifest, and everything in a repository without a policy', async () => {
    for (const blob of [config, shared, onlyKept]) await pushBlob('images/multi', blob);
    const child = manifestOf([shared, onlyKept]);
    await putManifest('images/multi', sha256(child), child);
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: OCI_MANIFEST, digest: sha256(child), size: child.length, platform: { architecture: 'amd64', os: 'linux' } }] }));
    await request(r.http).put('/v2/images/multi/manifests/latest').set(as(alice)).set('content-type', 'application/vnd.oci.image.index.v1+json').send(index.toString('utf8')).expect(201);
    const empty = Buffer.from('{}');
    const signature = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example.sig', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 }, layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 }], subject: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256(index), size: index.length } }));
    await putManifest('images/multi', sha256(signature), signature);
    const dry = await gc('images', true).expect(200);
    expect(find(dry.body.manifests, `multi@${sha256(child)}`)).toMatchObject({ action: 'keep', reason: `listed by the kept index ${sha256(index)}` });
    expect(find(dry.body.manifests, `multi@${sha256(signature)}`)).toMatchObject({ action: 'keep', reason: `refers to the kept manifest ${sha256(index)} (OCI subject)` });

    for (const blob of [config, shared]) await pushBlob('nopolicy/app', blob);
    const untagged = manifestOf([shared]);
    await putManifest('nopolicy/app', sha256(untagged), untagged);
    const none = await gc('nopolicy', false).expect(200);
    expect(none.body).toMatchObject({ untaggedGraceSeconds: null, removedManifests: 0 });
    expect(find(none.body.manifests, `app@${sha256(untagged)}`)).toMatchObject({ action: 'keep', reason: 'untagged; the repository has no oci.untaggedGraceSeconds policy' });
  });

  it('curl /@<time>/v2/<repo>/<name>/manifests/<tag> answers the digest the tag had then', async () => {
    for (const blob of [config, shared, onlyOld, onlyKept]) await pushBlob('images/moving', blob);
    const first = manifestOf([shared, onlyOld]);
    const second = manifestOf([shared, onlyKept]);
    await putManifest('images/moving', 'stable', first);
    await sleep(50);
    const between = new Date().toISOString();
    await sleep(50);
    await putManifest('images/moving', 'stable', second);
    const then = await request(r.http).get(`/@${between}/v2/images/moving/manifests/stable`).set(as(alice)).set('accept', OCI_MANIFEST).expect(200);
    expect(then.headers['docker-content-digest']).toBe(sha256(first));
    expect(Buffer.from(then.text ?? then.body)).toEqual(first);
    const head = await request(r.http).head(`/@${between}/v2/images/moving/manifests/stable`).set(as(alice)).expect(200);
    expect(head.headers['docker-content-digest']).toBe(sha256(first));
    expect((await request(r.http).head('/v2/images/moving/manifests/stable').set(as(alice)).expect(200)).headers['docker-content-digest']).toBe(sha256(second));
    // by position: the view's position header names the event the answer reflects; views are read-only
    const position = then.headers['x-strata-view-position'];
    expect((await request(r.http).head(`/@${position}/v2/images/moving/manifests/stable`).set(as(alice)).expect(200)).headers['docker-content-digest']).toBe(sha256(first));
    const refused = await request(r.http).put(`/@${position}/v2/images/moving/manifests/stable`).set(as(alice)).set('content-type', OCI_MANIFEST).send(second.toString('utf8'));
    expect(refused.status).toBe(405);
    expect(refused.body.errors[0].code).toBe('UNSUPPORTED');
  });
});
