// The work bench/pypi-bench.mjs measures: generated distributions (built by Debian's python3 with
// zipfile/tarfile, the same bytes for every run), the registry under test (Strata, embedded or on
// a PostgreSQL server) and the bare server, uploads through the legacy upload API, simple-page
// reads under load (autocannon) and curl transfers of a 100 MB wheel.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { cleanEnv, cpuSeconds, freePort, run, tempDir } from './npm-bench-servers.mjs';
import { percentile } from './npm-bench-work.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// distributions

const GENERATOR = String.raw`
import io, os, sys, tarfile, zipfile
out, name, versions, big = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
mod = name.replace('-', '_')
def meta(version, extra=''):
    return ('Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: generated for the PyPI bench\nRequires-Python: >=3.8\n'
            'Classifier: Programming Language :: Python :: 3\nRequires-Dist: requests>=2\n%s\n# %s\n\n%s\n') % (name, version, extra, name, 'Lorem ipsum dolor sit amet. ' * 40)
def wheel(path, version, payload=None):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('%s/__init__.py' % mod, 'VERSION = %r\n' % version)
        if payload is not None:
            z.write(payload, '%s/payload.bin' % mod, compress_type=zipfile.ZIP_STORED)
        di = '%s-%s.dist-info' % (mod, version)
        z.writestr(di + '/METADATA', meta(version))
        z.writestr(di + '/WHEEL', 'Wheel-Version: 1.0\nGenerator: strata-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n')
        z.writestr(di + '/RECORD', '')
def sdist(path, version):
    with tarfile.open(path, 'w:gz') as t:
        for member, text in (('PKG-INFO', meta(version)), ('setup.py', 'from setuptools import setup\nsetup()\n')):
            data = text.encode()
            info = tarfile.TarInfo('%s-%s/%s' % (name, version, member)); info.size = len(data); info.mtime = 499162500
            t.addfile(info, io.BytesIO(data))
for i in range(versions):
    v = '1.%d.0' % i
    wheel(os.path.join(out, '%s-%s-py3-none-any.whl' % (mod, v)), v)
    sdist(os.path.join(out, '%s-%s.tar.gz' % (name, v)), v)
if big:
    payload = os.path.join(out, 'payload.bin')
    with open(payload, 'wb') as f:
        for _ in range(big):
            f.write(os.urandom(1 << 20))
    for i in range(3):
        v = '100.%d' % i
        wheel(os.path.join(out, 'big', '%s-%s-py3-none-any.whl' % (mod, v)), v, payload)
    os.remove(payload)
`;

/** `versions` releases of `name` (wheel + sdist each) and three wheels of `${name}_big` carrying `bigMiB` MiB of random data. */
export async function generateDistributions(name, versions, bigMiB) {
  const dir = await tempDir('dists');
  await run('mkdir', ['-p', join(dir, 'big')]);
  // the big wheels' project is `${name}-big`, so its metadata must say so: generate them under that name
  await run('/usr/bin/python3', ['-c', GENERATOR, dir, name, String(versions), '0']);
  await run('/usr/bin/python3', ['-c', GENERATOR, dir, `${name}-big`, '0', String(bigMiB)]);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// servers

function startChild(command, args, env) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  return { child, logs: () => output };
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

async function waitFor(url, child, logs) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) while starting:\n${logs()}`);
    if ((await fetch(url).then((r) => r.status, () => 0)) === 200) return;
    await sleep(200);
  }
  throw new Error(`${url} not ready after 90 s:\n${logs()}`);
}

async function api(base, token, method, path, body) {
  const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Strata from `main` (a built dist/apps/registry/main.js) on a fresh data folder: embedded, or on
 * a fresh database of the PostgreSQL server at `databaseUrl`. Two PyPI repositories: `bench`
 * (token only) and `open` (anonymous read), a user with write on both and its token.
 */
export async function startStrata(main, { databaseUrl } = {}) {
  const dataDir = await tempDir('strata');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const adminToken = `strata_bench_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  let dropDatabase = async () => undefined;
  const env = cleanEnv({ PORT: String(port), HOST: '127.0.0.1', STRATA_DATA_DIR: dataDir, STRATA_ADMIN_TOKEN: adminToken, STRATA_LOG_LEVEL: 'warn', STRATA_BASE_URL: base });
  if (databaseUrl) {
    const db = `strata_pypi_bench_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
    const url = new URL(databaseUrl);
    url.pathname = `/${db}`;
    env.DATABASE_URL = url.href;
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    };
  }
  const { child, logs } = startChild(process.execPath, [main], env);
  await waitFor(`${base}/readyz`, child, logs);
  for (const [name, extra] of [['bench', {}], ['open', { anonymousRead: true }]]) await api(base, adminToken, 'POST', '/api/v1/repositories', { name, format: 'pypi', maxUploadBytes: 2 ** 30, ...extra });
  await api(base, adminToken, 'POST', '/api/v1/users', { username: 'bench', password: 'bench-password-0123' });
  for (const repo of ['bench', 'open']) await api(base, adminToken, 'POST', `/api/v1/repositories/${repo}/permissions`, { subject: { type: 'user', id: 'bench' }, actions: ['write', 'delete'] });
  const { token } = await api(base, adminToken, 'POST', '/api/v1/tokens', { name: 'bench', user: 'bench' });
  const stop = async () => {
    await stopChild(child);
    await dropDatabase().catch(() => undefined);
  };
  return { name: databaseUrl ? 'Strata (PostgreSQL)' : 'Strata (embedded)', base, token, pid: child.pid, logs, stop };
}

/** bench/bare-server.mjs: node:http streaming each PUT to disk while hashing sha256. */
export async function startBare(root) {
  const dir = await tempDir('bare');
  const { child, logs } = startChild(process.execPath, [join(root, 'bench/bare-server.mjs'), dir, '0'], cleanEnv());
  const deadline = Date.now() + 30_000;
  while (!/listening (\d+)/.test(logs())) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`bare server did not start:\n${logs()}`);
    await sleep(50);
  }
  const port = Number(/listening (\d+)/.exec(logs())[1]);
  return { name: 'bare node:http', base: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) };
}

// ---------------------------------------------------------------------------------------------
// work

const basic = (token) => `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`;

/** `twine upload`'s request for one file (fields first, then `content`) from memory; its milliseconds. */
export async function uploadSmall(target, repo, project, version, filename, bytes) {
  const { createHash } = await import('node:crypto');
  const form = new FormData();
  const fields = {
    ':action': 'file_upload', protocol_version: '1', name: project, version, filetype: filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
    pyversion: filename.endsWith('.whl') ? 'py3' : 'source', metadata_version: '2.1', sha256_digest: createHash('sha256').update(bytes).digest('hex'),
  };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('content', new Blob([bytes]), filename);
  const t0 = performance.now();
  const response = await fetch(`${target.base}/pypi/${repo}/`, { method: 'POST', headers: { authorization: basic(target.token) }, body: form });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`upload ${filename}: ${response.status} ${text}`);
  return performance.now() - t0;
}

/** curl's multipart upload of a file from disk (streamed: `-F content=@file`), as twine sends it; MB/s and server CPU. */
export async function curlUploadWheel(target, repo, project, version, file, sha256, bytes) {
  const fields = { ':action': 'file_upload', protocol_version: '1', name: project, version, filetype: 'bdist_wheel', pyversion: 'py3', metadata_version: '2.1', sha256_digest: sha256 };
  const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-u', `__token__:${target.token}`];
  for (const [k, v] of Object.entries(fields)) args.push('--form-string', `${k}=${v}`);
  args.push('-F', `content=@${file};type=application/octet-stream`, `${target.base}/pypi/${repo}/`);
  const cpu0 = cpuSeconds(target.pid);
  const { stdout } = await run('curl', args);
  const [status, seconds] = stdout.trim().split(' ');
  if (status !== '200') throw new Error(`curl upload of ${file} to ${target.name}: ${status}`);
  return { mbps: bytes / 2 ** 20 / Number(seconds), cpu: cpuSeconds(target.pid) - cpu0 };
}

/** The real `twine upload` (Debian's) of one file: wall-clock MB/s, Python's start-up included. */
export async function twineUpload(target, repo, file, bytes) {
  const env = cleanEnv({ TWINE_USERNAME: '__token__', TWINE_PASSWORD: target.token, TWINE_NON_INTERACTIVE: '1', PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring' });
  const t0 = performance.now();
  await run('twine', ['upload', '--repository-url', `${target.base}/pypi/${repo}/`, '--disable-progress-bar', file], { env });
  return { mbps: bytes / 2 ** 20 / ((performance.now() - t0) / 1000) };
}

/** `curl -T` to the bare server (a plain streamed PUT): the practical limit. */
export async function curlPutBare(bare, path, file, bytes) {
  const cpu0 = cpuSeconds(bare.pid);
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-T', file, `${bare.base}/${path}`]);
  const [status, seconds] = stdout.trim().split(' ');
  if (status !== '201') throw new Error(`PUT to the bare server: ${status}`);
  return { mbps: bytes / 2 ** 20 / Number(seconds), cpu: cpuSeconds(bare.pid) - cpu0 };
}

/** `curl -o /dev/null` of a URL (with Basic credentials when `token`); MB/s. */
export async function curlDownload(url, bytes, token) {
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{time_total} %{size_download}', ...(token ? ['-u', `__token__:${token}`] : []), url]);
  const [status, seconds, size] = stdout.trim().split(' ');
  if (status !== '200' || Number(size) !== bytes) throw new Error(`GET ${url}: ${status}, ${size} bytes`);
  return { mbps: bytes / 2 ** 20 / Number(seconds) };
}

/** autocannon against one URL: requests/s and exact p50/p95/p99 of every response time. */
export function load(target, url, headers, { seconds, connections }) {
  return new Promise((resolveLoad, reject) => {
    const latencies = [];
    const cpuBefore = cpuSeconds(target.pid);
    const instance = autocannon({ url, connections, pipelining: 1, duration: seconds, headers }, (error, result) => {
      if (error) return reject(error);
      const ok = result['2xx'];
      if (result.errors + result.timeouts + result.non2xx) return reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors of ${result.requests.total}`));
      resolveLoad({ ok, rps: ok / result.duration, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), cpu: cpuSeconds(target.pid) - cpuBefore, bytes: result.throughput.total / Math.max(1, ok) });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

export const PIP_JSON = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.1, text/html;q=0.01';
export const authHeader = basic;
