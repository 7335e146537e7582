// The process plumbing every bench shares: children and temporary folders registered here are
// removed on every exit path (normal end, error, Ctrl-C, SIGTERM/SIGHUP, an uncaught error);
// free ports, a clean environment, commands run to completion, servers started and awaited,
// Strata started from dist/ and the bare node:http server of bench/bare-server.mjs.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WORK = join(ROOT, 'bench/.work');
export const REGISTRY_MAIN = join(ROOT, 'dist/apps/registry/main.js');
export const BARE_SERVER = join(ROOT, 'bench/bare-server.mjs');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// cleanup: every child and temporary folder is registered here and removed on any exit

const children = new Set();
const tempDirs = [];
const cleanupHooks = [];
let cleaning;
let interrupted = false;

/** Stops every child still running (SIGTERM, then SIGKILL after 5 s) and removes every temporary folder; idempotent. */
export function cleanup() {
  cleaning ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child, 5000)));
    for (const hook of cleanupHooks.splice(0).reverse()) await hook().catch(() => undefined);
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  })();
  return cleaning;
}

/** Something more to undo on every exit path (a database schema, a database), after the children stopped. */
export function onCleanup(hook) {
  cleanupHooks.push(hook);
}

/** True once SIGINT/SIGTERM/SIGHUP arrived (whatever was running then fails: that is not news). */
export const wasInterrupted = () => interrupted;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping children and removing temporary files\n`);
    cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  // last resort (an uncaught error that skipped cleanup): no child may outlive the bench
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Registers a child so that cleanup ends it; it leaves the set when it exits. */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function stopChild(child, graceMs = 15_000) {
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

/** A fresh folder under the system temp dir, removed on every exit path. */
export async function tempDir(prefix) {
  const dir = await mkdtemp(join(os.tmpdir(), `strata-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/**
 * Runs `main` (an async function), then cleans up whatever way it ended; an error is printed
 * (after `prefix`, with `describe(error)` appended, e.g. a server's log tail) unless the run was
 * interrupted, and the exit code is 1 (130 after a signal).
 */
export async function runBench(main, { prefix = '', describe = () => '' } = {}) {
  let failed = false;
  try {
    await main();
  } catch (error) {
    failed = true;
    if (!interrupted) process.stderr.write(`${prefix}${error?.stack ?? error}\n${describe(error)}`);
  } finally {
    await cleanup();
  }
  process.exit(interrupted ? 130 : failed ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// commands and ports

/** The environment without npm_* (set by `npm run`) and without any registry/service configuration. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|STRATA_|PORT$|HOST$|DATABASE_URL|REDIS_URL|S3_|EVENT_?STORE|NODE_OPTIONS$)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion (tracked, so an interrupt ends it too); rejects on a non-zero exit. Wall seconds included. */
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

/** user+system CPU seconds of a process (all its threads) so far, from /proc; NaN once it is gone. */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

/** fetch with a JSON body type; the parsed answer, or an error naming the request and its status. */
export async function json(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// ---------------------------------------------------------------------------------------------
// servers

/** A tracked long-running child whose output (the last 20,000 characters) is kept for error messages. */
export function startServer(command, args, env, { cwd } = {}) {
  const child = track(spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  return { child, pid: child.pid, logs: () => output, stop: (graceMs = 15_000) => stopChild(child, graceMs) };
}

/** Polls `url` until its status passes `ok` (200 by default); fails early when the server exits. */
export async function waitFor(url, server, { ok = (status) => status === 200, timeoutMs = 90_000, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`the server exited (${server.child.exitCode}) while starting:\n${server.logs()}`);
    if (ok(await fetch(url).then((r) => r.status, () => 0))) return;
    await sleep(intervalMs);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${server.logs()}`);
}

/**
 * Strata from a build (`main`, default dist/apps/registry/main.js) on a fresh data folder, log
 * level warn, on a free port of 127.0.0.1, ready (/readyz 200). `env`: more variables (e.g.
 * DATABASE_URL); `nodeArgs`: flags for node (e.g. --cpu-prof); `baseUrl: false` leaves
 * STRATA_BASE_URL unset; `adminToken`: a fixed token instead of a random one.
 * Returns the server (child, pid, logs, stop) with `base`, `adminToken`, `dataDir` and `admin(method, path, body)`.
 */
export async function startStrata({ main = REGISTRY_MAIN, env = {}, nodeArgs = [], baseUrl = true, adminToken, cwd, readyTimeoutMs } = {}) {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const dataDir = await tempDir('strata');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const token = adminToken ?? `strata_bench_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const variables = { PORT: String(port), HOST: '127.0.0.1', STRATA_DATA_DIR: dataDir, STRATA_ADMIN_TOKEN: token, STRATA_LOG_LEVEL: 'warn', ...(baseUrl ? { STRATA_BASE_URL: base } : {}), ...env };
  const server = startServer(process.execPath, [...nodeArgs, main], cleanEnv(variables), { cwd });
  await waitFor(`${base}/readyz`, server, { timeoutMs: readyTimeoutMs });
  const admin = (method, path, body) => json(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` }, body: body && JSON.stringify(body) });
  return { ...server, base, adminToken: token, dataDir, admin };
}

/**
 * Through Strata's admin API: the repositories (`{ name, format, ... }` each), user `bench`
 * granted `actions` on each of them, and an API token of that user (returned).
 */
export async function benchUser(strata, repositories, actions, { username = 'bench', password = 'bench-password-0123' } = {}) {
  for (const repository of repositories) await strata.admin('POST', '/api/v1/repositories', repository);
  await strata.admin('POST', '/api/v1/users', { username, password });
  for (const { name } of repositories) await strata.admin('POST', `/api/v1/repositories/${name}/permissions`, { subject: { type: 'user', id: username }, actions });
  const { token } = await strata.admin('POST', '/api/v1/tokens', { name: 'bench', user: username });
  return token;
}

/** bench/bare-server.mjs (node:http streaming each PUT to disk while hashing sha256) on a free port; `withPglite`: with an idle PGlite in the process. */
export async function startBare({ withPglite = false } = {}) {
  const dir = await tempDir('bare');
  const server = startServer(process.execPath, [BARE_SERVER, dir, '0'], cleanEnv({ BARE_WITH_PGLITE: withPglite ? '1' : '0' }), { cwd: ROOT });
  const deadline = Date.now() + 30_000;
  while (!/listening (\d+)/.test(server.logs())) {
    if (server.child.exitCode !== null || Date.now() > deadline) throw new Error(`bare server did not start:\n${server.logs()}`);
    await sleep(50);
  }
  const port = Number(/listening (\d+)/.exec(server.logs())[1]);
  return { ...server, name: 'bare node:http', base: `http://127.0.0.1:${port}` };
}
