import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { binary } from '../support/http-helpers.js';
import { consumerProject, freePort, npmClient, type NpmClient } from '../support/npm-client.js';
import { packageTarball, publishDocument } from '../support/npm-fixtures.js';
import { multipartBody, uploadFields, wheelOf } from '../support/pypi-fixtures.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `/@<time or position>/<format path>`: any repository as it was at a moment of the log. */
describe('point-in-time views', () => {
  let r: TestRegistry;
  let base: string;
  let npm: NpmClient;
  let beforeMinor: string;
  let positionBeforeMinor: number;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const head = async () => Number((await request(r.http).get('/api/v1/events?limit=1').set(admin())).headers['x-strata-head-position']);
  const publish = (name: string, version: string, tarball: Buffer, tag?: string) =>
    request(r.http).put(`/npm/js/${name}`).set(admin()).set('content-type', 'application/json').send(JSON.stringify(publishDocument(name, version, tarball, { tag })));

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    r = await startTestRegistry({ STRATA_BASE_URL: base, STRATA_POINT_IN_TIME_VIEWS: '3', STRATA_UNDO_WINDOW_SECONDS: '0', STRATA_GC_GRACE_SECONDS: '0' });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'js', format: 'npm' }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'files', format: 'generic' }).expect(201);
    await publish('greeter', '1.0.0', await packageTarball('greeter', '1.0.0', {}, { 'package/index.js': 'module.exports = "one";\n' })).expect(201);
    await sleep(20);
    beforeMinor = new Date().toISOString();
    positionBeforeMinor = await head();
    await sleep(20);
    await publish('greeter', '1.1.0', await packageTarball('greeter', '1.1.0', {}, { 'package/index.js': 'module.exports = "two";\n' })).expect(201);
    await request(r.http).put('/npm/js/-/package/greeter/dist-tags/next').set(admin()).set('content-type', 'application/json').send('"1.1.0"').expect(201);
    npm = await npmClient(`${base}/@${beforeMinor}/npm/js/`);
    await npm.login(r.token);
  });
  afterAll(async () => {
    await npm?.close();
    await r?.stop();
  });

  it('the packument at a time lists only what was published then, with tarball URLs inside the view', async () => {
    const now = await request(r.http).get('/npm/js/greeter').set(admin()).expect(200);
    expect(Object.keys(now.body.versions)).toEqual(['1.0.0', '1.1.0']);
    const then = await request(r.http).get(`/@${beforeMinor}/npm/js/greeter`).set(admin()).expect(200);
    expect(Object.keys(then.body.versions)).toEqual(['1.0.0']);
    expect(then.body['dist-tags']).toEqual({ latest: '1.0.0' });
    expect(then.body.versions['1.0.0'].dist.tarball).toBe(`${base}/@${beforeMinor}/npm/js/greeter/-/greeter-1.0.0.tgz`);
    expect(Number(then.headers['x-strata-view-position'])).toBe(positionBeforeMinor);
    const byPosition = await request(r.http).get(`/@${positionBeforeMinor}/npm/js/greeter`).set(admin()).expect(200);
    expect(byPosition.body['dist-tags']).toEqual({ latest: '1.0.0' });
  });

  it('npm install pointed at the view installs the version that was latest then', async () => {
    const project = await consumerProject(npm.root, 'app');
    await npm.ok(['install', 'greeter'], { cwd: project });
    const installed = JSON.parse(await readFile(join(project, 'node_modules', 'greeter', 'package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe('1.0.0');
    expect(await readFile(join(project, 'node_modules', 'greeter', 'index.js'), 'utf8')).toContain('"one"');
  });

  it('a view is read-only: a publish through it is refused in npm\'s shape and records nothing', async () => {
    const before = await head();
    const res = await request(r.http).put(`/@${beforeMinor}/npm/js/other`).set(admin()).set('content-type', 'application/json')
      .send(JSON.stringify(publishDocument('other', '1.0.0', await packageTarball('other', '1.0.0'))));
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ error: expect.stringMatching(/read-only/) });
    expect(await head()).toBe(before);
  });

  it('a time before the repository existed answers 404; a bad point 400; a position beyond the head 404', async () => {
    await request(r.http).get('/@2000-01-01T00:00:00Z/npm/js/greeter').set(admin()).expect(404);
    const bad = await request(r.http).get('/@yesterday/npm/js/greeter').set(admin()).expect(400);
    expect(bad.body.error).toMatch(/RFC 3339/);
    await request(r.http).get('/@99999999/npm/js/greeter').set(admin()).expect(404);
  });

  it('a PyPI simple page (HTML and PEP 691 JSON) at a point lists only the files uploaded by then, with links that stay in the view', async () => {
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'py', format: 'pypi' }).expect(201);
    const upload = async (version: string) => {
      const dist = wheelOf('demo-lib', version);
      const { body, contentType } = multipartBody(await uploadFields('demo-lib', version, dist.filename, dist.bytes), dist);
      await request(r.http).post('/pypi/py/').set(admin()).set('content-type', contentType).send(body).expect(200);
    };
    await upload('1.0');
    const then = await head();
    await upload('2.0');
    const html = await request(r.http).get(`/@${then}/pypi/py/simple/demo-lib/`).set(admin()).expect(200);
    expect(html.text).toContain('demo_lib-1.0-py3-none-any.whl');
    expect(html.text).not.toContain('demo_lib-2.0');
    const json = await request(r.http).get(`/@${then}/pypi/py/simple/demo-lib/`).set(admin()).set('accept', 'application/vnd.pypi.simple.v1+json').expect(200);
    expect(JSON.parse(json.text).versions).toEqual(['1.0']);
    const link = /href="([^"#]+demo_lib-1\.0[^"#]*\.whl)[#"]/.exec(html.text)![1];
    const file = new URL(link, `http://x/@${then}/pypi/py/simple/demo-lib/`).pathname;
    expect(file.startsWith(`/@${then}/pypi/py/`)).toBe(true);
    await request(r.http).get(file).set(admin()).expect(200);
    const now = await request(r.http).get('/pypi/py/simple/demo-lib/').set(admin()).expect(200);
    expect(now.text).toContain('demo_lib-2.0');
  });

  it('a view needs read access like the repository itself', async () => {
    const anonymous = await request(r.http).get(`/@${beforeMinor}/npm/js/greeter`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['x-strata-view-position']).toBeUndefined();
  });

  it('a generic file deleted since is served from the view; once GC purged its bytes the view answers 410', async () => {
    await request(r.http).put('/generic/files/a.txt').set(admin()).send(Buffer.from('first bytes')).expect(201);
    const kept = await head();
    await request(r.http).delete('/generic/files/a.txt').set(admin()).expect(204);
    await request(r.http).get('/generic/files/a.txt').set(admin()).expect(404);
    const old = await request(r.http).get(`/@${kept}/generic/files/a.txt`).set(admin()).buffer(true).parse(binary).expect(200);
    expect((old.body as Buffer).toString()).toBe('first bytes');
    const gc = await request(r.http).post('/api/v1/gc').set(admin()).expect(200);
    expect(gc.body.removed.length).toBeGreaterThanOrEqual(1);
    await request(r.http).get(`/@${kept}/generic/files/a.txt`).set(admin()).expect(410);
  });

  it('views are cached per last event of the repository, and the least recently used beyond the limit are dropped', async () => {
    const views = async () => (await r.services.infra.sql.query<{ schema_name: string; position: number }>('SELECT schema_name, position FROM point_in_time_views ORDER BY position')).rows;
    const at = await head();
    // a later point with no new event of `js` shares the view of the repository's last event
    await request(r.http).get(`/@${at}/npm/js/greeter`).set(admin()).expect(200);
    const count = (await views()).length;
    await request(r.http).get(`/@${new Date().toISOString()}/npm/js/greeter`).set(admin()).expect(200);
    expect((await views()).length).toBe(count);
    for (let i = 0; i < 3; i++) await request(r.http).put(`/generic/files/n${i}.txt`).set(admin()).send(Buffer.from(`n${i}`)).expect(201);
    const end = await head();
    for (const p of [end - 2, end - 1, end]) await request(r.http).get(`/@${p}/generic/files/`).set(admin());
    expect((await views()).length).toBeLessThanOrEqual(3);
    const registered = (await views()).map((v) => v.schema_name);
    const present = (await r.services.infra.sql.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)', [registered])).rows;
    expect(present).toHaveLength(registered.length);
  });
});
