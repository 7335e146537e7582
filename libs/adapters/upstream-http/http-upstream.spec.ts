import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { DomainError } from '../../domain/index.js';
import { HttpUpstream } from './http-upstream.js';

interface Seen { path: string; headers: IncomingHttpHeaders }

async function serve(handler: (path: string, res: import('node:http').ServerResponse) => void): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    handler(req.url ?? '', res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (e) => (e instanceof DomainError ? e.code : String(e)));

describe('HttpUpstream: outbound requests of remote repositories', () => {
  const upstream = new HttpUpstream({ userAgent: 'strata-test', timeoutMs: 1000 });
  let a: Awaited<ReturnType<typeof serve>>;
  let b: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    b = await serve((path, res) => {
      if (path === '/slow') return void setTimeout(() => res.end('late'), 3000);
      res.end(`b says ${path}`);
    });
    a = await serve((path, res) => {
      if (path === '/to-b') return void res.writeHead(302, { location: `${b.url}/landed` }).end();
      if (path === '/to-self') return void res.writeHead(301, { location: '/here' }).end();
      if (path === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (path === '/to-file') return void res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      res.writeHead(200, { etag: '"v1"' }).end(`a says ${path}`);
    });
  });
  afterAll(async () => {
    for (const s of [a, b]) await new Promise((r) => s.server.close(r));
  });

  it('refuses loopback and private addresses unless the repository allows them, by literal address and by name', async () => {
    expect(await code(upstream.request({ url: `${a.url}/x` }))).toBe('UPSTREAM_REFUSED');
    expect(await code(upstream.request({ url: `${a.url.replace('127.0.0.1', 'localhost')}/x` }))).toBe('UPSTREAM_REFUSED');
    expect(await code(upstream.request({ url: 'http://169.254.169.254/latest/meta-data/' }))).toBe('UPSTREAM_REFUSED');
    expect(await code(upstream.request({ url: 'http://[::1]:9/' }))).toBe('UPSTREAM_REFUSED');
    const ok = await upstream.request({ url: `${a.url}/x`, allowPrivateNetwork: true });
    expect(ok.status).toBe(200);
    expect(await text(ok.body)).toBe('a says /x');
    expect(a.seen.filter((s) => s.path === '/x')).toHaveLength(1);
  });

  it('only http(s), no credentials in the URL', async () => {
    expect(await code(upstream.request({ url: 'ftp://example.org/x' }))).toBe('UPSTREAM_REFUSED');
    expect(await code(upstream.request({ url: 'http://user:pw@example.org/x' }))).toBe('BAD_REQUEST');
  });

  it('sends conditional headers and credentials to the upstream origin', async () => {
    const res = await upstream.request({ url: `${a.url}/cond`, allowPrivateNetwork: true, etag: '"v1"', lastModified: 'Sun, 01 Nov 2026 00:00:00 GMT', auth: { type: 'bearer', token: 't0ken' } });
    res.body.resume();
    const seen = a.seen.find((s) => s.path === '/cond')!;
    expect(seen.headers).toMatchObject({ 'if-none-match': '"v1"', 'if-modified-since': 'Sun, 01 Nov 2026 00:00:00 GMT', authorization: 'Bearer t0ken', 'user-agent': 'strata-test' });
  });

  it('follows redirects, keeps credentials on the same origin and drops them when a redirect leaves it', async () => {
    const same = await upstream.request({ url: `${a.url}/to-self`, allowPrivateNetwork: true, auth: { type: 'basic', username: 'u', password: 'p' } });
    expect(await text(same.body)).toBe('a says /here');
    expect(a.seen.find((s) => s.path === '/here')!.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    const away = await upstream.request({ url: `${a.url}/to-b`, allowPrivateNetwork: true, auth: { type: 'basic', username: 'u', password: 'p' } });
    expect(away.url).toBe(`${b.url}/landed`);
    expect(await text(away.body)).toBe('b says /landed');
    expect(b.seen.find((s) => s.path === '/landed')!.headers.authorization).toBeUndefined();
    expect(await code(upstream.request({ url: `${a.url}/to-file`, allowPrivateNetwork: true }))).toBe('UPSTREAM_REFUSED');
    expect(await code(upstream.request({ url: `${a.url}/loop`, allowPrivateNetwork: true }))).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('a redirect into a private address is refused when the first hop was allowed only as public', async () => {
    // the first URL is refused already; what matters is that every hop goes through the same check
    expect(await code(upstream.request({ url: `${a.url}/to-b` }))).toBe('UPSTREAM_REFUSED');
  });

  it('timeouts and refused connections are UPSTREAM_UNAVAILABLE', async () => {
    expect(await code(upstream.request({ url: `${b.url}/slow`, allowPrivateNetwork: true, timeoutMs: 200 }))).toBe('UPSTREAM_UNAVAILABLE');
    expect(await code(upstream.request({ url: 'http://127.0.0.1:9/', allowPrivateNetwork: true }))).toBe('UPSTREAM_UNAVAILABLE');
  });
});
