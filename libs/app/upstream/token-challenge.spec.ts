import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { HttpUpstream } from '../../adapters/upstream-http/index.js';
import { DomainError } from '../../domain/index.js';
import { parseBearerChallenge, TokenChallengeUpstream } from './token-challenge.js';

interface Seen { path: string; headers: IncomingHttpHeaders }

/** A registry with token auth: /v2/* wants `Bearer good-<scope>`; /token issues it for Basic mirror:pw. */
async function tokenRegistry(): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  let url = '';
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', url);
    seen.push({ path: u.pathname + u.search, headers: req.headers });
    if (u.pathname === '/token') {
      if (req.headers.authorization !== `Basic ${Buffer.from('mirror:pw').toString('base64')}`) return void res.writeHead(401).end('{}');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `good-${u.searchParams.get('scope')}`, expires_in: 300 }));
    }
    const scope = `repository:${u.pathname.split('/')[2]}:pull`;
    if (req.headers.authorization !== `Bearer good-${scope}`) {
      return void res.writeHead(401, { 'www-authenticate': `Bearer realm="${url}/token",service="reg",scope="${scope}"` }).end('{"errors":[]}');
    }
    res.end(`content of ${u.pathname}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, seen };
}

describe('TokenChallengeUpstream: the registry token dance against an upstream', () => {
  let reg: Awaited<ReturnType<typeof tokenRegistry>>;
  const auth = { type: 'basic' as const, username: 'mirror', password: 'pw' };
  beforeAll(async () => (reg = await tokenRegistry()));
  afterAll(() => new Promise((r) => reg.server.close(r)));

  it('parses challenges with quoted and bare parameters; Basic is no Bearer challenge', () => {
    expect(parseBearerChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')).toEqual({ realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' });
    expect(parseBearerChallenge('bearer realm=https://x/t, service=s')).toEqual({ realm: 'https://x/t', service: 's' });
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseBearerChallenge(undefined)).toBeUndefined();
  });

  it('a 401 challenge: token from the realm with the Basic credential, the request sent again; the token is reused', async () => {
    const upstream = new TokenChallengeUpstream(new HttpUpstream({ userAgent: 't' }));
    const res = await upstream.request({ url: `${reg.url}/v2/alpine/manifests/1`, auth, allowPrivateNetwork: true });
    expect(res.status).toBe(200);
    expect(await text(res.body)).toBe('content of /v2/alpine/manifests/1');
    expect(reg.seen.map((s) => s.path)).toEqual(['/v2/alpine/manifests/1', '/token?service=reg&scope=repository%3Aalpine%3Apull', '/v2/alpine/manifests/1']);
    reg.seen.length = 0;
    const again = await upstream.request({ url: `${reg.url}/v2/alpine/blobs/x`, auth, allowPrivateNetwork: true });
    expect(await text(again.body)).toBe('content of /v2/alpine/blobs/x');
    expect(reg.seen.map((s) => s.path)).toEqual(['/v2/alpine/blobs/x']);
    expect(reg.seen[0].headers.authorization).toBe('Bearer good-repository:alpine:pull');
    reg.seen.length = 0;
    // another scope: the remembered token costs one 401, then a token for that scope
    await text((await upstream.request({ url: `${reg.url}/v2/busybox/manifests/1`, auth, allowPrivateNetwork: true })).body);
    expect(reg.seen.map((s) => s.path)).toEqual(['/v2/busybox/manifests/1', '/token?service=reg&scope=repository%3Abusybox%3Apull', '/v2/busybox/manifests/1']);
  });

  it('wrong credentials at the realm are UPSTREAM_UNAVAILABLE naming the refusal', async () => {
    const upstream = new TokenChallengeUpstream(new HttpUpstream({ userAgent: 't' }));
    const err = await upstream.request({ url: `${reg.url}/v2/alpine/manifests/1`, auth: { ...auth, password: 'wrong' }, allowPrivateNetwork: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/refused the upstream credentials/) });
  });

  it('the realm goes through the SSRF guard: a realm on a private address is refused without the opt-in', async () => {
    const upstream = new TokenChallengeUpstream({
      request: async (r) => (r.url.includes('/v2/') ? { status: 401, url: r.url, headers: { 'www-authenticate': `Bearer realm="${reg.url}/token"` }, body: (await import('node:stream')).Readable.from([]) } : new HttpUpstream({ userAgent: 't' }).request(r)),
    });
    const before = reg.seen.length;
    await expect(upstream.request({ url: 'https://registry.example/v2/alpine/manifests/1', auth })).rejects.toMatchObject({ code: 'UPSTREAM_REFUSED' });
    expect(reg.seen.length).toBe(before);
  });
});
