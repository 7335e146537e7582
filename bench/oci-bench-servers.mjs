// The registries and images of bench/oci-bench.mjs: Strata from dist/ with an OCI repository, the
// Debian docker-registry (distribution 2.8) with htpasswd auth, generated OCI layouts, skopeo
// runs and manifest GETs under load. Processes and folders are removed on every exit path
// (bench/lib/processes.mjs).
import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { loadUrl } from './lib/load.mjs';
import { benchUser, cleanEnv, cpuSeconds, freePort, json, run, startServer, startStrata as startRegistry, tempDir, waitFor } from './lib/processes.mjs';

export const USER = 'bench';
const PASSWORD = 'bench-password-0123';
export const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json';

const servers = new Set();

/** Stops both registries (the measured run is over; cleanup would stop them too). */
export async function stopServers() {
  await Promise.all([...servers].map((s) => s.stop()));
}

/** Strata, embedded profile from dist/, fresh data folder: OCI repository `bench`, user `bench` with an API token. */
export async function startStrata() {
  const strata = await startRegistry();
  servers.add(strata);
  const token = await benchUser(strata, [{ name: 'bench', format: 'oci' }], ['write', 'delete'], { username: USER, password: PASSWORD });
  const host = strata.base.replace('http://', '');
  return { name: 'Strata', host, base: strata.base, prefix: 'bench/', secret: token, pid: strata.pid, dataDir: strata.dataDir, stop: () => strata.stop() };
}

/** Debian's docker-registry (distribution 2.8), filesystem storage, htpasswd (bcrypt) auth, deletes enabled. */
export async function startDockerRegistry() {
  if (!existsSync('/usr/bin/docker-registry')) throw new Error('docker-registry is missing: apt-get install -y docker-registry');
  if (!existsSync('/usr/bin/htpasswd')) throw new Error('htpasswd is missing: apt-get install -y apache2-utils');
  const dir = await tempDir('oci-distribution');
  const port = await freePort();
  const { stdout } = await run('htpasswd', ['-Bbn', USER, PASSWORD]);
  writeFileSync(join(dir, 'htpasswd'), stdout.trim() + '\n');
  // JSON is YAML
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, 'storage') }, delete: { enabled: true }, cache: { blobdescriptor: 'inmemory' } },
    http: { addr: `127.0.0.1:${port}` },
    auth: { htpasswd: { realm: 'bench', path: join(dir, 'htpasswd') } },
  };
  writeFileSync(join(dir, 'config.yml'), JSON.stringify(config, null, 2));
  const server = startServer('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], cleanEnv());
  servers.add(server);
  await waitFor(`http://127.0.0.1:${port}/v2/`, server, { ok: (s) => s === 200 || s === 401 });
  return { name: 'docker-registry', host: `127.0.0.1:${port}`, base: `http://127.0.0.1:${port}`, prefix: '', secret: PASSWORD, pid: server.pid, dataDir: dir, stop: () => server.stop() };
}

// ---------------------------------------------------------------------------------------------
// images: OCI layouts of random (incompressible) layers, gzip'd at level 0 so that skopeo, which
// compresses uncompressed layers for docker:// destinations, sends them as they are

function tarHeader(name, size) {
  const h = Buffer.alloc(512);
  const field = (value, offset, length) => h.write(value, offset, length, 'ascii');
  field(name, 0, 100);
  field('0000644\0', 100, 8);
  field('0000000\0', 108, 8);
  field('0000000\0', 116, 8);
  field(`${size.toString(8).padStart(11, '0')}\0`, 124, 12);
  field('14000000000\0', 136, 12);
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

async function* layerTar(size) {
  yield tarHeader('data.bin', size);
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  for (let left = size; left > 0; left -= chunk.length) yield Buffer.from(randomFillSync(chunk).subarray(0, Math.min(left, chunk.length)));
  yield Buffer.alloc((512 - (size % 512)) % 512 + 1024);
}

async function writeBlob(dir, source) {
  const tmp = join(dir, 'blobs/sha256/.partial');
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(source, async function* (chunks) {
    for await (const c of chunks) {
      hash.update(c);
      size += c.length;
      yield c;
    }
  }, createWriteStream(tmp));
  const hex = hash.digest('hex');
  renameSync(tmp, join(dir, 'blobs/sha256', hex));
  return { digest: `sha256:${hex}`, size };
}

/** An OCI layout in `dir`, tag `bench`, one layer per entry of `layerSizes` (bytes of random data). */
export async function writeImage(dir, layerSizes) {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const layers = [];
  const diffIds = [];
  for (const size of layerSizes) {
    const diff = createHash('sha256');
    const tarred = Readable.from(layerTar(size)).on('data', (c) => diff.update(c));
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...(await writeBlob(dir, tarred.pipe(createGzip({ level: 0 })))) });
    diffIds.push(`sha256:${diff.digest('hex')}`);
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds }, history: diffIds.map(() => ({ created_by: 'oci-bench' })) }));
  const configBlob = { mediaType: 'application/vnd.oci.image.config.v1+json', ...(await writeBlob(dir, Readable.from([config]))) };
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configBlob, layers }));
  const manifestBlob = await writeBlob(dir, Readable.from([manifest]));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifestBlob, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }] }));
  return { manifestDigest: manifestBlob.digest, bytes: layers.reduce((n, l) => n + l.size, 0) };
}

// ---------------------------------------------------------------------------------------------
// skopeo and load

const skopeoEnv = (home) => cleanEnv({ HOME: home, XDG_RUNTIME_DIR: home, REGISTRY_AUTH_FILE: join(home, 'auth.json') });

/** `skopeo copy` of the layout to `<target>/<name>:bench` (basic credentials), timed; with the server's CPU seconds. */
export async function push(target, layout, name, home) {
  const cpu0 = cpuSeconds(target.pid);
  const { seconds } = await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', `${USER}:${target.secret}`, `oci:${layout}:bench`, `docker://${target.host}/${target.prefix}${name}:bench`], { env: skopeoEnv(home), timeoutMs: 1_800_000 });
  return { seconds, cpu: cpuSeconds(target.pid) - cpu0 };
}

/** `skopeo copy` back into a fresh OCI layout `out` (removed by the caller), timed. */
export async function pull(target, name, out, home) {
  const cpu0 = cpuSeconds(target.pid);
  const { seconds } = await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', '--src-creds', `${USER}:${target.secret}`, `docker://${target.host}/${target.prefix}${name}:bench`, `oci:${out}:bench`], { env: skopeoEnv(home), timeoutMs: 1_800_000 });
  return { seconds, cpu: cpuSeconds(target.pid) - cpu0 };
}

/** The Authorization header a Docker client sends for pulls of `name`: Strata's token endpoint JWT, or Basic where the server only has htpasswd. */
export async function pullAuthorization(target, name, mode) {
  const basic = `Basic ${Buffer.from(`${USER}:${target.secret}`).toString('base64')}`;
  if (mode === 'basic') return basic;
  const url = `${target.base}/v2/token?service=${encodeURIComponent(target.host)}&scope=${encodeURIComponent(`repository:${target.prefix}${name}:pull`)}`;
  const { token } = await json(url, { headers: { authorization: basic } });
  return `Bearer ${token}`;
}

/** Manifest GETs by tag under load (bench/lib/load.mjs) with the Accept header and user agent of containers/image. */
export function loadManifest(target, name, authorization, { seconds, connections }) {
  const headers = { authorization, accept: MANIFEST_ACCEPT, 'user-agent': 'containers/5.23.1 (github.com/containers/image)' };
  return loadUrl({ url: `${target.base}/v2/${target.prefix}${name}/manifests/bench`, headers, connections, seconds, pid: target.pid });
}
