// Processes for bench/npm-bench.mjs: cleanup on every exit path, and the two registries under
// test (Strata from dist/, Verdaccio 6.8.0 installed into bench/.work/verdaccio at bench time).
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORK = join(ROOT, 'bench/.work');
const REGISTRY_MAIN = join(ROOT, 'dist/apps/registry/main.js');
const VERDACCIO_DIR = join(WORK, 'verdaccio');
export const VERDACCIO_VERSION = '6.8.0';

// ---------------------------------------------------------------------------------------------
// cleanup: every child and temporary folder is registered here and removed on any exit

const children = new Set();
const tempDirs = [];
let cleaning;

export function cleanup() {
  cleaning ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child, 5000)));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping children and removing temporary files\n`);
    cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  // last resort (an uncaught error that skipped cleanup): no child may outlive the bench
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function stopChild(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      children.delete(child);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

export async function tempDir(prefix) {
  const dir = await mkdtemp(join(os.tmpdir(), `strata-npm-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** The environment without npm_* (set by `npm run`) and without any registry/service configuration. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|STRATA_|PORT$|HOST$|DATABASE_URL|REDIS_URL|S3_|EVENTSTORE_URL|NODE_OPTIONS$)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion (tracked, so an interrupt ends it too); rejects on a non-zero exit. */
export function run(command, args, options = {}) {
  return new Promise((resolveRun, reject) => {
    const started = process.hrtime.bigint();
    const child = execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 600_000, ...options }, (error, stdout, stderr) => {
      children.delete(child);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (error) reject(new Error(`${command} ${args.join(' ')} failed (${error.code ?? error.signal}):\n${stdout}\n${stderr}`));
      else resolveRun({ stdout: String(stdout), stderr: String(stderr), seconds });
    });
    children.add(child);
    child.stdin?.end();
  });
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url, child, logs, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) while starting:\n${logs()}`);
    const status = await fetch(url).then((r) => r.status, () => 0);
    if (status === 200) return;
    await sleep(200);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${logs()}`);
}

function startServer(command, args, env) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  return { child, logs: () => output };
}

/** user+system CPU seconds of a process (all its threads), from /proc */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

async function json(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Strata: embedded profile from dist/, fresh data folder, an npm repository, a user and its token

export async function startStrata() {
  if (!existsSync(REGISTRY_MAIN)) throw new Error(`${REGISTRY_MAIN} is missing: run \`npm run build\` first`);
  const dataDir = await tempDir('strata');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const adminToken = `strata_bench_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const env = cleanEnv({ PORT: String(port), HOST: '127.0.0.1', STRATA_DATA_DIR: dataDir, STRATA_ADMIN_TOKEN: adminToken, STRATA_LOG_LEVEL: 'warn', STRATA_BASE_URL: base });
  const { child, logs } = startServer(process.execPath, [REGISTRY_MAIN], env);
  await waitFor(`${base}/readyz`, child, logs);
  const admin = { authorization: `Bearer ${adminToken}` };
  await json(`${base}/api/v1/repositories`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench', format: 'npm' }) });
  await json(`${base}/api/v1/users`, { method: 'POST', headers: admin, body: JSON.stringify({ username: 'bench', password: 'bench-password-0123' }) });
  await json(`${base}/api/v1/repositories/bench/permissions`, { method: 'POST', headers: admin, body: JSON.stringify({ subject: { type: 'user', id: 'bench' }, actions: ['write', 'delete'] }) });
  const { token } = await json(`${base}/api/v1/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench', user: 'bench' }) });
  return { name: 'Strata', registry: `${base}/npm/bench/`, token, pid: child.pid, logs, stop: () => stopChild(child, 15_000) };
}

// ---------------------------------------------------------------------------------------------
// Verdaccio 6.8.0: installed on first use (node-fetch overridden to 2.7.0, as it installs here)

export async function ensureVerdaccio() {
  const installed = join(VERDACCIO_DIR, 'node_modules/verdaccio/package.json');
  if (existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === VERDACCIO_VERSION) return;
  mkdirSync(VERDACCIO_DIR, { recursive: true });
  writeFileSync(join(VERDACCIO_DIR, 'package.json'), `${JSON.stringify({ name: 'strata-bench-verdaccio', private: true, dependencies: { verdaccio: VERDACCIO_VERSION }, overrides: { 'node-fetch': '2.7.0' } }, null, 2)}\n`);
  process.stderr.write(`installing verdaccio@${VERDACCIO_VERSION} into ${VERDACCIO_DIR} ...\n`);
  await run('npm', ['install', '--prefix', VERDACCIO_DIR, `verdaccio@${VERDACCIO_VERSION}`, '--save-exact', '--no-audit', '--no-fund', '--loglevel=error'], { env: cleanEnv(), cwd: VERDACCIO_DIR });
}

export async function startVerdaccio() {
  await ensureVerdaccio();
  const dir = await tempDir('verdaccio');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const rule = { access: '$authenticated', publish: '$authenticated', unpublish: '$authenticated' };
  // JSON is YAML: the config is written as JSON
  const config = {
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 1000 } },
    uplinks: {},
    packages: { '@*/*': rule, '**': rule },
    web: { enable: false },
    // JWT API tokens: with Verdaccio's legacy tokens (its default) every request re-checks the
    // user's htpasswd password (bcrypt), which caps it at a few dozen authenticated reads a second
    security: { api: { legacy: false, jwt: { sign: { expiresIn: '7d' } } }, web: { sign: { expiresIn: '7d' } } },
    max_body_size: '50mb',
    log: { type: 'stdout', format: 'pretty', level: 'warn' },
  };
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify(config, null, 2));
  const bin = join(VERDACCIO_DIR, 'node_modules/verdaccio/bin/verdaccio');
  const { child, logs } = startServer(process.execPath, [bin, '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], cleanEnv());
  await waitFor(`${base}/-/ping`, child, logs);
  const { token } = await json(`${base}/-/user/org.couchdb.user:bench`, { method: 'PUT', body: JSON.stringify({ name: 'bench', password: 'bench-password-0123' }) });
  return { name: 'Verdaccio', registry: `${base}/`, token, pid: child.pid, logs, stop: () => stopChild(child, 15_000) };
}
