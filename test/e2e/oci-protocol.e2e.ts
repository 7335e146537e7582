import { createHash } from 'node:crypto';
import request from 'supertest';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const sha512 = (b: Buffer | string) => `sha512:${createHash('sha512').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('OCI distribution spec over HTTP: pull, push, content discovery, content management, errors', () => {
  let r: TestRegistry;
  let alice: string;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const layer = Buffer.from('layer bytes '.repeat(1000));
  const manifestOf = (extra: Record<string, unknown> = {}, layers = [layer]) =>
    Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: l.length })),
      ...extra,
    }));
  const monolithic = (path: string, body: Buffer, digest = sha256(body), token = alice) =>
    request(r.http).post(`/v2/${path}/blobs/uploads/?digest=${digest}`).set(as(token)).set('content-type', 'application/octet-stream').send(body);
  const putManifest = (path: string, ref: string, body: Buffer, token = alice) =>
    request(r.http).put(`/v2/${path}/manifests/${ref}`).set(as(token)).set('content-type', OCI_MANIFEST).send(body.toString('utf8'));

  beforeAll(async () => {
    r = await startTestRegistry();
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'containers', format: 'oci' }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'public', format: 'oci', anonymousRead: true }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'alice', password: 'correct horse battery staple' }).expect(201);
    for (const repo of ['containers', 'public']) {
      await request(r.http).post(`/api/v1/repositories/${repo}/permissions`).set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['write', 'delete'] }).expect(201);
    }
    alice = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 't', user: 'alice' }).expect(201)).body.token;
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('GET /v2/ challenges anonymous callers with a Bearer realm and answers 200 with credentials', async () => {
    const anon = await request(r.http).get('/v2/');
    expect(anon.status).toBe(401);
    expect(anon.headers['www-authenticate']).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/v2\/token",service="127\.0\.0\.1:\d+"$/);
    expect(anon.body.errors[0].code).toBe('UNAUTHORIZED');
    await request(r.http).get('/v2/').set(as(alice)).expect(200);
    await request(r.http).get('/v2/').auth('alice', 'correct horse battery staple').expect(200);
    await request(r.http).get('/v2/').auth('alice', 'wrong').expect(401);
  });

  it('token endpoint: Basic user + token or password gives a scoped JWT that works as Bearer; anonymous gets pull only where allowed', async () => {
    const scope = 'repository:containers/app:pull,push';
    const t = await request(r.http).get(`/v2/token?service=x&scope=${scope}`).auth('alice', alice).expect(200);
    expect(t.body).toMatchObject({ token: expect.any(String), access_token: t.body.token, expires_in: 300 });
    expect(JSON.parse(Buffer.from(t.body.token.split('.')[1], 'base64url').toString()).access).toEqual([{ type: 'repository', name: 'containers/app', actions: ['pull', 'push'] }]);
    await monolithic('containers/app', Buffer.from('via token'), undefined, t.body.token).expect(201);
    const pw = await request(r.http).get(`/v2/token?scope=${scope}`).auth('alice', 'correct horse battery staple').expect(200);
    await request(r.http).get('/v2/').set(as(pw.body.token)).expect(200);
    const anon = await request(r.http).get('/v2/token?scope=repository:public/x:pull,push&scope=repository:containers/app:pull').expect(200);
    expect(JSON.parse(Buffer.from(anon.body.token.split('.')[1], 'base64url').toString()).access).toEqual([{ type: 'repository', name: 'public/x', actions: ['pull'] }]);
    // a pull-only token cannot push, even for a user who may
    const pull = await request(r.http).get('/v2/token?scope=repository:containers/app:pull').auth('alice', alice).expect(200);
    expect((await monolithic('containers/app', Buffer.from('x'), undefined, pull.body.token)).status).toBe(403);
    await request(r.http).get('/v2/token').auth('alice', 'nope').expect(401);
  });

  it('push (monolithic blobs + manifest by tag), then pull by tag and digest, HEAD everywhere', async () => {
    await monolithic('containers/team/app', config).expect(201);
    const res = await monolithic('containers/team/app', layer);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v2/containers/team/app/blobs/${sha256(layer)}`);
    const manifest = manifestOf();
    const put = await putManifest('containers/team/app', '1.0', manifest);
    expect([put.status, put.text]).toEqual([201, '']);
    expect(put.headers['docker-content-digest']).toBe(sha256(manifest));
    const byTag = await request(r.http).get('/v2/containers/team/app/manifests/1.0').set(as(alice)).buffer(true).parse((res, cb) => { const c: Buffer[] = []; res.on('data', (d: Buffer) => c.push(d)); res.on('end', () => cb(null, Buffer.concat(c))); }).expect(200);
    expect(byTag.headers['content-type']).toContain(OCI_MANIFEST);
    expect(Buffer.compare(byTag.body as Buffer, manifest)).toBe(0);
    const head = await request(r.http).head(`/v2/containers/team/app/manifests/${sha256(manifest)}`).set(as(alice)).expect(200);
    expect(head.headers['docker-content-digest']).toBe(sha256(manifest));
    expect(head.headers['content-length']).toBe(String(manifest.length));
    const blob = await request(r.http).get(`/v2/containers/team/app/blobs/${sha256(layer)}`).set(as(alice)).expect(200);
    expect(blob.headers['docker-content-digest']).toBe(sha256(layer));
    await request(r.http).head(`/v2/containers/team/app/blobs/${sha256(layer)}`).set(as(alice)).expect(200);
  });

  it('ranged blob GET, and 416 for a range beyond the end', async () => {
    const part = await request(r.http).get(`/v2/containers/team/app/blobs/${sha256(layer)}`).set(as(alice)).set('range', 'bytes=0-4').expect(206);
    expect(part.headers['content-range']).toBe(`bytes 0-4/${layer.length}`);
    expect((await request(r.http).get(`/v2/containers/team/app/blobs/${sha256(layer)}`).set(as(alice)).set('range', `bytes=${layer.length + 10}-`)).status).toBe(416);
  });

  it('chunked upload: PATCH with Content-Range, GET status to resume, out-of-order chunk 416 with the Range received, PUT ?digest= to finish', async () => {
    const body = Buffer.from('0123456789abcdefghij');
    const start = await request(r.http).post('/v2/containers/chunky/blobs/uploads/').set(as(alice)).expect(202);
    const at = start.headers.location as string;
    expect(start.headers.range).toBe('0-0');
    const first = await request(r.http).patch(at).set(as(alice)).set('content-range', '0-9').set('content-type', 'application/octet-stream').send(body.subarray(0, 10)).expect(202);
    expect(first.headers.range).toBe('0-9');
    const wrong = await request(r.http).patch(at).set(as(alice)).set('content-range', '15-19').set('content-type', 'application/octet-stream').send(body.subarray(15));
    expect(wrong.status).toBe(416);
    expect(wrong.headers.range).toBe('0-9');
    expect(wrong.headers.location).toBe(at);
    const status = await request(r.http).get(at).set(as(alice)).expect(204);
    expect(status.headers.range).toBe('0-9');
    await request(r.http).patch(at).set(as(alice)).set('content-range', '10-14').set('content-type', 'application/octet-stream').send(body.subarray(10, 15)).expect(202);
    const bad = await request(r.http).put(`${at}?digest=${sha256('other')}`).set(as(alice));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].code).toBe('DIGEST_INVALID');
    const done = await request(r.http).put(`${at}?digest=${sha256(body)}`).set(as(alice)).set('content-type', 'application/octet-stream').send(body.subarray(15)).expect(201);
    expect(done.headers['docker-content-digest']).toBe(sha256(body));
    const got = await request(r.http).get(`/v2/containers/chunky/blobs/${sha256(body)}`).set(as(alice)).expect(200);
    expect(got.text ?? (got.body as Buffer).toString()).toBe(body.toString());
    expect((await request(r.http).get(at).set(as(alice))).body.errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('cancel an upload; sha512 digests; bad digests are DIGEST_INVALID and change nothing', async () => {
    const start = await request(r.http).post('/v2/containers/chunky/blobs/uploads/').set(as(alice)).expect(202);
    await request(r.http).delete(start.headers.location).set(as(alice)).expect(204);
    expect((await request(r.http).get(start.headers.location).set(as(alice))).status).toBe(404);
    const data = Buffer.from('sha512 content');
    await monolithic('containers/five', data, sha512(data)).expect(201);
    await request(r.http).get(`/v2/containers/five/blobs/${sha512(data)}`).set(as(alice)).expect(200);
    const wrong = await monolithic('containers/five', Buffer.from('a'), sha256('b'));
    expect([wrong.status, wrong.body.errors[0].code]).toEqual([400, 'DIGEST_INVALID']);
    const junk = await monolithic('containers/five', Buffer.from('a'), 'sha256:zz');
    expect([junk.status, junk.body.errors[0].code]).toEqual([400, 'DIGEST_INVALID']);
    expect((await request(r.http).get(`/v2/containers/five/blobs/${sha256('a')}`).set(as(alice))).body.errors[0].code).toBe('BLOB_UNKNOWN');
  });

  it('cross-repository mount: a blob of another name the caller can read is linked without upload', async () => {
    const res = await request(r.http).post(`/v2/public/mounted/blobs/uploads/?mount=${sha256(layer)}&from=containers/team/app`).set(as(alice)).expect(201);
    expect(res.headers.location).toBe(`/v2/public/mounted/blobs/${sha256(layer)}`);
    const notThere = await request(r.http).post(`/v2/public/mounted/blobs/uploads/?mount=${sha256('none')}&from=containers/team/app`).set(as(alice));
    expect(notThere.status).toBe(202);
  });

  it('invalid manifests: MANIFEST_INVALID, MANIFEST_BLOB_UNKNOWN, TAG_INVALID, digest mismatch; nothing recorded', async () => {
    const code = async (res: request.Test) => { const x = await res; return [x.status, x.body.errors?.[0]?.code]; };
    expect(await code(putManifest('containers/team/app', 'bad', Buffer.from('not json')))).toEqual([400, 'MANIFEST_INVALID']);
    expect(await code(putManifest('containers/team/app', 'bad', Buffer.from('{"schemaVersion":1}')))).toEqual([400, 'MANIFEST_INVALID']);
    expect(await code(putManifest('containers/team/app', 'bad', manifestOf({}, [Buffer.from('never uploaded')])))).toEqual([400, 'MANIFEST_BLOB_UNKNOWN']);
    expect(await code(putManifest('containers/team/app', '-bad-tag', manifestOf()))).toEqual([400, 'TAG_INVALID']);
    expect(await code(putManifest('containers/team/app', sha256('something else'), manifestOf()))).toEqual([400, 'DIGEST_INVALID']);
    expect(await code(request(r.http).get('/v2/containers/team/app/manifests/bad').set(as(alice)))).toEqual([404, 'MANIFEST_UNKNOWN']);
    expect(await code(request(r.http).get('/v2/nope/app/manifests/1.0').set(as(alice)))).toEqual([404, 'NAME_UNKNOWN']);
  });

  it('tags/list with n/last pagination and Link; _catalog lists what the caller can read', async () => {
    for (const tag of ['1.1', '2.0', 'latest']) await putManifest('containers/team/app', tag, manifestOf()).expect(201);
    const all = await request(r.http).get('/v2/containers/team/app/tags/list').set(as(alice)).expect(200);
    expect(all.body).toEqual({ name: 'containers/team/app', tags: ['1.0', '1.1', '2.0', 'latest'] });
    const page = await request(r.http).get('/v2/containers/team/app/tags/list?n=2').set(as(alice)).expect(200);
    expect(page.body.tags).toEqual(['1.0', '1.1']);
    expect(page.headers.link).toBe('</v2/containers/team/app/tags/list?n=2&last=1.1>; rel="next"');
    expect((await request(r.http).get('/v2/containers/team/app/tags/list?n=2&last=1.1').set(as(alice))).body.tags).toEqual(['2.0', 'latest']);
    expect((await request(r.http).get('/v2/containers/unknown/tags/list').set(as(alice))).body.errors[0].code).toBe('NAME_UNKNOWN');
    const catalog = await request(r.http).get('/v2/_catalog').set(as(alice)).expect(200);
    expect(catalog.body.repositories).toEqual(expect.arrayContaining(['containers/team/app']));
    expect((await request(r.http).get('/v2/_catalog?n=1').set(as(alice))).headers.link).toMatch(/rel="next"/);
  });

  it('referrers: an artifact with a subject answers OCI-Subject and is listed, filtered by artifactType', async () => {
    const subject = manifestOf();
    const empty = Buffer.from('{}');
    const sig = Buffer.from('signature');
    await monolithic('containers/team/app', sig).expect(201);
    const artifact = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example.sig',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 },
      layers: [{ mediaType: 'text/plain', digest: sha256(sig), size: sig.length }],
      subject: { mediaType: OCI_MANIFEST, digest: sha256(subject), size: subject.length },
    }));
    const put = await putManifest('containers/team/app', sha256(artifact), artifact).expect(201);
    expect(put.headers['oci-subject']).toBe(sha256(subject));
    const list = await request(r.http).get(`/v2/containers/team/app/referrers/${sha256(subject)}`).set(as(alice)).expect(200);
    expect(list.headers['content-type']).toContain('application/vnd.oci.image.index.v1+json');
    expect(JSON.parse(list.text).manifests).toEqual([{ mediaType: OCI_MANIFEST, digest: sha256(artifact), size: artifact.length, artifactType: 'application/vnd.example.sig' }]);
    const filtered = await request(r.http).get(`/v2/containers/team/app/referrers/${sha256(subject)}?artifactType=other`).set(as(alice)).expect(200);
    expect(filtered.headers['oci-filters-applied']).toBe('artifactType');
    expect(JSON.parse(filtered.text).manifests).toEqual([]);
  });

  it('delete: a tag, a manifest by digest (tags on it go), a blob; then they are unknown', async () => {
    await request(r.http).delete('/v2/containers/team/app/manifests/latest').set(as(alice)).expect(202);
    expect((await request(r.http).get('/v2/containers/team/app/tags/list').set(as(alice))).body.tags).toEqual(['1.0', '1.1', '2.0']);
    const digest = sha256(manifestOf());
    await request(r.http).delete(`/v2/containers/team/app/manifests/${digest}`).set(as(alice)).expect(202);
    expect((await request(r.http).get('/v2/containers/team/app/manifests/1.0').set(as(alice))).status).toBe(404);
    expect((await request(r.http).delete(`/v2/containers/team/app/manifests/${digest}`).set(as(alice))).body.errors[0].code).toBe('MANIFEST_UNKNOWN');
    await request(r.http).delete(`/v2/containers/five/blobs/${sha512(Buffer.from('sha512 content'))}`).set(as(alice)).expect(202);
    expect((await request(r.http).get(`/v2/containers/five/blobs/${sha512(Buffer.from('sha512 content'))}`).set(as(alice))).status).toBe(404);
  });

  it('anonymous pull of an anonymous-read repository; anonymous push is refused with a scoped challenge', async () => {
    const res = await request(r.http).post('/v2/containers/team/app/blobs/uploads/');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('scope="repository:containers/team/app:pull,push"');
    await request(r.http).get(`/v2/public/mounted/blobs/${sha256(layer)}`).expect(200);
  });
});
