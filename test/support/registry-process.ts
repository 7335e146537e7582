import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The registry as a real operating-system process (`node dist/apps/registry/main.js`), for tests
 * of what only a process has: signals, crashes (SIGKILL), restarts on the same data folder, and
 * what it writes to stdout/stderr.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(REPO_ROOT, 'dist/apps/registry/main.js');

/**
 * Compiles apps/ and libs/ to dist/ (incremental: seconds when nothing changed). tsc emits even
 * when it reports errors, so only errors in what the registry process loads (apps/registry/,
 * libs/) fail the build here; others (say, the CLI) are printed and do not block these tests.
 */
export function buildRegistry(): void {
  try {
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    const errorFiles = [...output.matchAll(/^(\S+?)\(\d+,\d+\): error/gm)].map((m) => m[1]);
    if (errorFiles.length === 0 || errorFiles.some((f) => f.startsWith('apps/registry/') || f.startsWith('libs/'))) {
      throw new Error(`the build failed:\n${output || (error as Error).message}`);
    }
    console.warn(`type errors outside the registry (ignored by these tests):\n${output}`);
  }
  if (!existsSync(MAIN)) throw new Error(`the build did not produce ${MAIN}`);
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RegistryProcess {
  /** http://127.0.0.1:<port>, no trailing slash */
  url: string;
  port: number;
  /** the bootstrap admin token (STRATA_ADMIN_TOKEN) */
  token: string;
  dataDir: string;
  pid: number;
  /** settles when the process has exited, however that happened */
  exited: Promise<ExitResult>;
  /** sends `signal` and waits for the exit; SIGKILLs and rejects after `timeoutMs` */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitResult>;
  /** SIGKILL, as a crash or an OOM kill would; resolves once the process is gone */
  kill9(): Promise<void>;
  /** everything the process wrote to stdout and stderr so far, in arrival order */
  logs(): string;
}

export interface StartOptions {
  /** reuse a data folder (restart); a fresh temp folder otherwise (see `tempDir`) */
  dataDir?: string;
  /** extra environment (STRATA_GC_GRACE_SECONDS, ...); wins over the defaults */
  env?: Record<string, string>;
  /** defaults to a fresh random token */
  token?: string;
  readyTimeoutMs?: number;
}

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** Configuration that must not leak from the test runner's environment into the child. */
const INHERITED_CONFIG = /^(STRATA_|PORT$|HOST$|DATABASE_URL|REDIS_URL|S3_|EVENT_STORE|EVENTSTORE_URL|NODE_OPTIONS$)/;

/** A temp folder that `cleanupRegistries` removes. */
export async function tempDir(prefix = 'strata-proc-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** A port that was free a moment ago (the OS picks it; we release it for the child). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export async function startRegistry(options: StartOptions = {}): Promise<RegistryProcess> {
  const dataDir = options.dataDir ?? (await tempDir());
  const token = options.token ?? `strata_e2e_${randomBytes(16).toString('hex')}`;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!INHERITED_CONFIG.test(k)) env[k] = v;
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    STRATA_DATA_DIR: dataDir,
    STRATA_ADMIN_TOKEN: token,
    STRATA_LOG_LEVEL: 'info',
    ...options.env,
  });

  const child = spawn(process.execPath, [MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const chunks: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (s: string) => chunks.push(s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => chunks.push(s));
  const logs = () => chunks.join('');
  const exited = new Promise<ExitResult>((resolve) => {
    // 'close', not 'exit': by then stdout/stderr are drained, so logs() is complete
    child.once('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  if (child.pid === undefined) throw new Error('the registry process did not start');
  const pid = child.pid;
  const url = `http://127.0.0.1:${port}`;

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<ExitResult> => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`registry ${pid} did not exit within ${timeoutMs} ms of ${signal}; logs:\n${logs()}`);
    }
    return result;
  };
  const kill9 = async () => {
    await stop('SIGKILL');
  };

  try {
    await waitUntilReady(url, exited, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    throw new Error(`${(error as Error).message}; logs:\n${logs()}`);
  }
  return { url, port, token, dataDir, pid, exited, stop, kill9, logs };
}

async function waitUntilReady(url: string, exited: Promise<ExitResult>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone: ExitResult | undefined;
  void exited.then((r) => (gone = r));
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the registry exited before it was ready (code ${gone.code}, signal ${gone.signal})`);
    try {
      const res = await httpRequest(`${url}/readyz`, { timeoutMs: 5_000 });
      if (res.status === 200) return;
      last = `${res.status} ${res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`the registry was not ready within ${timeoutMs} ms (last: ${last})`);
}

/** SIGKILLs every registry still running and removes the temp folders: for afterEach/afterAll. */
export async function cleanupRegistries(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  live.clear();
  await Promise.all([...tempDirs].map((d) => rm(d, { recursive: true, force: true })));
  tempDirs.clear();
}

// Last resort when the test process itself goes away: never leave a registry behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  timeoutMs?: number;
}

/** One request on a fresh connection (no keep-alive pool: a test sees exactly what a new client sees). */
export function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: () => body.toString('utf8'), json: () => JSON.parse(body.toString('utf8')) });
      });
    });
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`timeout: ${options.method ?? 'GET'} ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Every file under `dir` (relative paths); [] when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1));
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
