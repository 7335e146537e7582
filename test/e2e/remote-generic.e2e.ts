import { createHash, randomBytes } from 'node:crypto';
import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { binary } from '../support/http-helpers.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A plain HTTP upstream: files by path, with ETags, 304s, a slow path and a request log. */
class Upstream {
  files = new Map<string, Buffer>();
  seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  slow = new Map<string, Promise<void>>();
  server!: Server;
  url = '';

  async start(port = 0) {
    this.server = createServer(async (req, res) => {
      const path = decodeURIComponent((req.url ?? '').split('?')[0]);
      this.seen.push({ path, headers: req.headers });
      const body = this.files.get(path);
      if (!body) return void res.writeHead(404).end('no');
      const etag = `"${sha256(body).slice(0, 16)}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { etag, 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
      const gate = this.slow.get(path);
      if (gate) {
        res.write(body.subarray(0, body.length / 2));
        await gate;
        res.end(body.subarray(body.length / 2));
      } else res.end(body);
    });
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  hits(path: string) {
    return this.seen.filter((s) => s.path === path).length;
  }

  stop() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}

describe('remote and virtual repositories (generic format, real HTTP upstream)', () => {
  let r: TestRegistry;
  const upstream = new Upstream();
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const create = (body: Record<string, unknown>) => request(r.http).post('/api/v1/repositories').set(admin()).send(body);
  const events = async (type: string) =>
    ((await request(r.http).get(`/api/v1/events?limit=1000`).set(admin())).body.items as { type: string; data: Record<string, any> }[]).filter((e) => e.type === type);
  const fetchFile = (path: string) => request(r.http).get(path).set(admin()).buffer(true).parse(binary);

  beforeAll(async () => {
    await upstream.start();
    r = await startTestRegistry();
    await create({
      name: 'up', format: 'generic', type: 'remote',
      upstream: { url: `${upstream.url}/files/`, allowPrivateNetwork: true, metadataMaxAgeSeconds: 0, notFoundCacheSeconds: 60, auth: { type: 'basic', username: 'mirror', password: 'upstream-secret-pw' } },
    }).expect(201);
    await create({ name: 'guarded', format: 'generic', type: 'remote', upstream: { url: `${upstream.url}/files/` } }).expect(201);
    await create({ name: 'internal', format: 'generic' }).expect(201);
    await create({ name: 'all', format: 'generic', type: 'virtual', members: ['internal', 'up'], publishTo: 'internal' }).expect(201);
  });
  afterAll(async () => {
    await r?.stop();
    await upstream.stop().catch(() => undefined);
  });

  it('the upstream credential is sealed: never in the API, never in the log, sent only to the upstream', async () => {
    const shown = await request(r.http).get('/api/v1/repositories/up').set(admin()).expect(200);
    expect(shown.body.config.upstream).toEqual({ url: `${upstream.url}/files/`, allowPrivateNetwork: true, metadataMaxAgeSeconds: 0, notFoundCacheSeconds: 60, auth: { type: 'basic', username: 'mirror' } });
    const everything = await request(r.http).get('/api/v1/events?limit=1000').set(admin());
    expect(JSON.stringify(everything.body)).not.toContain('upstream-secret-pw');
    const stored = (await r.services.infra.sql.query<{ sealed: string }>('SELECT sealed FROM upstream_credentials WHERE repository = $1', ['up'])).rows;
    expect(stored).toHaveLength(1);
    expect(stored[0].sealed).not.toContain('upstream-secret-pw');
    upstream.files.set('/files/auth-check.txt', Buffer.from('ok'));
    await fetchFile('/generic/up/auth-check.txt').expect(200);
    expect(upstream.seen.find((s) => s.path === '/files/auth-check.txt')!.headers.authorization).toBe(`Basic ${Buffer.from('mirror:upstream-secret-pw').toString('base64')}`);
  });

  it('an upstream on a private address is refused unless the admin allowed it (SSRF guard)', async () => {
    upstream.files.set('/files/private.txt', Buffer.from('internal network'));
    const res = await request(r.http).get('/generic/guarded/private.txt').set(admin());
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/not a public address/);
    expect(upstream.hits('/files/private.txt')).toBe(0);
  });

  it('a file is fetched once, recorded as UpstreamFetched, and served from the store afterwards', async () => {
    const body = randomBytes(200_000);
    upstream.files.set('/files/dist/app-1.0.bin', body);
    const first = await fetchFile('/generic/up/dist/app-1.0.bin').expect(200);
    expect(Buffer.compare(first.body as Buffer, body)).toBe(0);
    const again = await fetchFile('/generic/up/dist/app-1.0.bin').expect(200);
    expect(Buffer.compare(again.body as Buffer, body)).toBe(0);
    expect(again.headers.etag).toBe(`"${sha256(body)}"`);
    expect(upstream.hits('/files/dist/app-1.0.bin')).toBe(1);
    const fetched = (await events('UpstreamFetched')).filter((e) => e.data.files[0].path === 'dist/app-1.0.bin');
    expect(fetched).toHaveLength(1);
    expect(fetched[0].data).toMatchObject({ repository: 'up', url: `${upstream.url}/files/dist/app-1.0.bin`, etag: expect.stringMatching(/^"/) });
    expect(fetched[0].data.files[0]).toMatchObject({ digest: `sha256:${sha256(body)}`, size: body.length });
  });

  it('concurrent requests for a missing file cause one upstream fetch, and they get bytes before the upstream finished', async () => {
    const body = randomBytes(400_000);
    let release!: () => void;
    upstream.slow.set('/files/big.bin', new Promise<void>((resolve) => (release = resolve)));
    upstream.files.set('/files/big.bin', body);
    const address = r.http.listening ? r.http.address() : await new Promise((resolve) => r.http.listen(0, '127.0.0.1', () => resolve(r.http.address())));
    const port = (address as AddressInfo).port;
    /** the size of the first chunk of a GET's body (it arrives while the upstream still holds back the rest) */
    const firstChunk = () =>
      new Promise<number>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/generic/up/big.bin', headers: admin() }, (res) => {
          res.once('data', (c: Buffer) => {
            resolve(c.length);
            res.resume();
          });
        }).on('error', reject);
      });
    expect(await firstChunk()).toBeGreaterThan(0);
    // a client that asks while the fetch runs streams it too, from its first byte
    const joined = await firstChunk();
    expect(joined).toBeGreaterThan(0);
    const others = Array.from({ length: 8 }, () => fetchFile('/generic/up/big.bin'));
    await sleep(50);
    release();
    for (const res of await Promise.all(others)) {
      expect(res.status).toBe(200);
      expect(Buffer.compare(res.body as Buffer, body)).toBe(0);
    }
    expect(upstream.hits('/files/big.bin')).toBe(1);
  });

  it('an upstream 404 is a 404 in the format\'s own error shape, and nothing is recorded', async () => {
    const before = (await events('UpstreamFetched')).length;
    const res = await request(r.http).get('/generic/up/missing.txt').set(admin()).expect(404);
    expect(res.body).toMatchObject({ status: 404, detail: expect.stringMatching(/upstream has no missing.txt/) });
    expect(upstream.hits('/files/missing.txt')).toBe(1);
    expect((await events('UpstreamFetched')).length).toBe(before);
  });

  it('a virtual repository resolves in order; a name a hosted member holds never comes from the remote (dependency confusion)', async () => {
    await request(r.http).put('/generic/all/shared/config.json').set(admin()).send(Buffer.from('{"private":true}')).expect(201);
    expect((await fetchFile('/generic/internal/shared/config.json').expect(200)).body.toString()).toBe('{"private":true}');
    upstream.files.set('/files/shared/config.json', Buffer.from('{"attacker":true}'));
    upstream.files.set('/files/public-only.txt', Buffer.from('public'));
    expect((await fetchFile('/generic/all/shared/config.json').expect(200)).body.toString()).toBe('{"private":true}');
    expect(upstream.hits('/files/shared/config.json')).toBe(0);
    expect((await fetchFile('/generic/all/public-only.txt').expect(200)).body.toString()).toBe('public');
    await request(r.http).get('/generic/all/nowhere.txt').set(admin()).expect(404);
  });

  it('metadata: cached, revalidated with a conditional request (304), served stale when the upstream is down, not-found remembered', async () => {
    const repo = await r.services.repositories.get('up');
    upstream.files.set('/files/index.json', Buffer.from('{"v":1}'));
    const first = await r.services.remote.metadata(repo, 'index', 'index.json');
    expect(first).toMatchObject({ body: Buffer.from('{"v":1}'), stale: false });
    const revalidated = await r.services.remote.metadata(repo, 'index', 'index.json');
    expect(revalidated?.body.toString()).toBe('{"v":1}');
    const conditional = upstream.seen.filter((s) => s.path === '/files/index.json');
    expect(conditional).toHaveLength(2);
    expect(conditional[1].headers['if-none-match']).toMatch(/^"/);
    expect(await r.services.remote.metadata(repo, 'gone', 'gone.json')).toBeNull();
    expect(await r.services.remote.metadata(repo, 'gone', 'gone.json')).toBeNull();
    expect(upstream.hits('/files/gone.json')).toBe(1);
  });

  it('"same version, different bytes": the recorded bytes stay, the mismatch is an event and a metric', async () => {
    const repo = await r.services.repositories.get('up');
    const recorded = (await r.services.remote.recorded('up', ['dist/app-1.0.bin'])).get('dist/app-1.0.bin')!;
    const other = sha256(Buffer.from('tampered'));
    const meta = { actor: 'test', authMethod: 'token', correlationId: 'c', causationId: 'c' } as never;
    const result = await r.services.remote.file(repo, { path: 'dist/app-1.0.bin', url: 'dist/app-1.0.bin', name: 'dist/app-1.0.bin', version: '', mediaType: 'application/octet-stream', expected: { sha256: other } }, meta);
    expect(result).toEqual({ file: recorded });
    const alerts = await events('UpstreamMismatchDetected');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].data).toMatchObject({ repository: 'up', path: 'dist/app-1.0.bin', recordedDigest: recorded.digest, offeredDigest: `sha256:${other}` });
    const metrics = await request(r.http).get('/metrics').set(admin());
    expect(metrics.text).toMatch(/strata_upstream_mismatch_total\{repository="up"\} 1/);
    expect(r.logs()).toMatch(/upstream-mismatch/);
  });

  it('offline: with the upstream stopped, cached files keep being served and metadata is served stale', async () => {
    const repo = await r.services.repositories.get('up');
    await upstream.stop();
    const cached = await fetchFile('/generic/up/dist/app-1.0.bin').expect(200);
    expect((cached.body as Buffer).length).toBe(200_000);
    expect(await r.services.remote.metadata(repo, 'index', 'index.json')).toMatchObject({ stale: true, body: Buffer.from('{"v":1}') });
    const missing = await request(r.http).get('/generic/up/never-fetched.bin').set(admin());
    expect(missing.status).toBe(502);
  });
});
