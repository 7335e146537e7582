// The work bench/pypi-bench.mjs measures: generated distributions (built by Debian's python3 with
// zipfile/tarfile, the same bytes for every run), the registry under test (Strata, embedded or on
// a PostgreSQL server) and the bare server, uploads through the legacy upload API, simple-page
// reads under load (autocannon) and curl transfers of a 100 MB wheel.
import { join } from 'node:path';
import pg from 'pg';
import { loadUrl } from './lib/load.mjs';
import { benchUser, cleanEnv, cpuSeconds, run, startStrata as startRegistry, tempDir } from './lib/processes.mjs';

export { startBare } from './lib/processes.mjs';

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

/**
 * Strata from `main` (a built dist/apps/registry/main.js) on a fresh data folder: embedded, or on
 * a fresh database of the PostgreSQL server at `databaseUrl`. Two PyPI repositories: `bench`
 * (token only) and `open` (anonymous read), a user with write on both and its token.
 */
export async function startStrata(main, { databaseUrl } = {}) {
  const env = {};
  let dropDatabase = async () => undefined;
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
  const strata = await startRegistry({ main, env });
  const repositories = [{ name: 'bench', format: 'pypi', maxUploadBytes: 2 ** 30 }, { name: 'open', format: 'pypi', maxUploadBytes: 2 ** 30, anonymousRead: true }];
  const token = await benchUser(strata, repositories, ['write', 'delete']);
  const stop = async () => {
    await strata.stop();
    await dropDatabase().catch(() => undefined);
  };
  return { name: databaseUrl ? 'Strata (PostgreSQL)' : 'Strata (embedded)', base: strata.base, token, pid: strata.pid, logs: strata.logs, stop };
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

/** Load on one URL (bench/lib/load.mjs): requests/s and exact p50/p95/p99; any failed request fails the run. */
export async function load(target, url, headers, { seconds, connections }) {
  const r = await loadUrl({ url, headers, connections, seconds, pid: target.pid });
  if (r.errors) throw new Error(`${url}: ${r.nonOk.non2xx} non-2xx, ${r.nonOk.errors} errors of ${r.requests}`);
  return { ok: r.ok, rps: r.rps, p50: r.p50, p95: r.p95, p99: r.p99, cpu: r.cpu, bytes: r.bytesPerOk };
}

export const PIP_JSON = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.1, text/html;q=0.01';
export const authHeader = basic;
