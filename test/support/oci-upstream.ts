import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importPKCS8, SignJWT } from 'jose';
import { freePort } from './npm-client.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Debian's docker-registry (distribution 2.8) and htpasswd (apache2-utils), see .ci/run. */
export const distributionAvailable = existsSync('/usr/bin/docker-registry') && existsSync('/usr/bin/htpasswd') && existsSync('/usr/bin/openssl');

export const UPSTREAM_USER = 'mirror';
export const UPSTREAM_PASSWORD = 'upstream-secret-0123';

export interface Distribution {
  /** host:port (no scheme) */
  host: string;
  url: string;
  /** the filesystem storage (tests tamper with it) */
  storage: string;
  stop(): Promise<void>;
}

/**
 * Debian's docker-registry on 127.0.0.1 with filesystem storage and deletes enabled; auth by
 * htpasswd (user mirror), by tokens from `token` (distribution's `auth: token`), or none.
 */
export async function startDistribution(auth: { type: 'htpasswd' } | { type: 'token'; realm: string; service: string; issuer: string; certFile: string } | { type: 'none' }): Promise<Distribution> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-distribution-'));
  const port = await freePort();
  let authConfig: Record<string, unknown> = {};
  if (auth.type === 'htpasswd') {
    const { stdout } = await run('htpasswd', ['-Bbn', UPSTREAM_USER, UPSTREAM_PASSWORD]);
    await writeFile(join(dir, 'htpasswd'), stdout.trim() + '\n');
    authConfig = { auth: { htpasswd: { realm: 'upstream', path: join(dir, 'htpasswd') } } };
  } else if (auth.type === 'token') {
    authConfig = { auth: { token: { realm: auth.realm, service: auth.service, issuer: auth.issuer, rootcertbundle: auth.certFile } } };
  }
  const storage = join(dir, 'storage');
  // JSON is YAML
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: storage }, delete: { enabled: true }, cache: { blobdescriptor: 'inmemory' } },
    http: { addr: `127.0.0.1:${port}` },
    ...authConfig,
  };
  await writeFile(join(dir, 'config.yml'), JSON.stringify(config, null, 2));
  const child: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let logs = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (logs = (logs + c).slice(-10_000)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${logs}`);
    const status = await fetch(`${url}/v2/`).then((r) => r.status, () => 0);
    if (status === 200 || status === 401) break;
    if (i > 150) throw new Error(`docker-registry did not start: ${logs}`);
    await sleep(100);
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    storage,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The file distribution keeps a blob's (or manifest's) bytes in. */
export const storedBlobPath = (storage: string, digest: string) => {
  const hex = digest.split(':')[1];
  return join(storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
};

/**
 * A registry token server as Docker Hub's auth.docker.io: GET /token?service=&scope= with Basic
 * mirror:<password> answers an ES256 JWT (x5c header, self-signed certificate) granting the
 * asked scopes; anything else is a 401. `seen` records every request.
 */
export async function startTokenServer(service: string, issuer: string): Promise<{ realm: string; certFile: string; seen: { url: string; headers: IncomingHttpHeaders }[]; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-token-'));
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=strata-test-token', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
  const key = await importPKCS8(await readFile(join(dir, 'key.pem'), 'utf8'), 'ES256');
  const der = new X509Certificate(await readFile(join(dir, 'cert.pem'))).raw.toString('base64');
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const expected = `Basic ${Buffer.from(`${UPSTREAM_USER}:${UPSTREAM_PASSWORD}`).toString('base64')}`;
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/token' || req.headers.authorization !== expected) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
    const access = u.searchParams.getAll('scope').flatMap((s) => {
      const m = /^repository:(.+):([a-z,*]+)$/.exec(s);
      return m ? [{ type: 'repository', name: m[1], actions: m[2].split(',') }] : [];
    });
    void new SignJWT({ access })
      .setProtectedHeader({ alg: 'ES256', x5c: [der] })
      .setIssuer(issuer).setAudience(u.searchParams.get('service') ?? service).setSubject(UPSTREAM_USER)
      .setIssuedAt().setNotBefore('0s').setExpirationTime('5m').setJti(randomUUID())
      .sign(key)
      .then((token) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    realm: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    certFile: join(dir, 'cert.pem'),
    seen,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A counting HTTP proxy in front of an upstream (what reached the upstream, by path), that can
 * hold back a path's answer until released (to line up concurrent requests) and be stopped.
 */
export async function startCountingProxy(target: string): Promise<{ url: string; hits(path: string): number; hold(path: string): () => void; stop(): Promise<void> }> {
  const seen: string[] = [];
  const gates = new Map<string, Promise<void>>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    seen.push(path);
    const forward = () => {
      const out = httpRequest(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => res.destroy());
      req.pipe(out);
    };
    const gate = gates.get(path);
    if (gate) void gate.then(forward);
    else forward();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: (path) => seen.filter((p) => p === path).length,
    hold(path) {
      let release!: () => void;
      gates.set(path, new Promise<void>((r) => (release = r)));
      return () => {
        gates.delete(path);
        release();
      };
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
