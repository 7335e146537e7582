import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';

export interface NpmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real npm CLI in a private corner (CLIENTS.md section 3.1): its own user config, cache and
 * registry, and none of the npm_* variables that `npm test` puts into the environment.
 */
export interface NpmClient {
  root: string;
  registry: string;
  /** writes the user .npmrc: the registry and, when given, the token under the registry's nerf-dart key */
  login(token: string | undefined): Promise<void>;
  /** runs `npm <args>` (with --registry) in `cwd` (default: the client's root) */
  run(args: string[], options?: { cwd?: string; input?: string }): Promise<NpmResult>;
  /**
   * runs an interactive command (npm login), answering each prompt as it appears: npm reads one
   * answer per prompt, so piping them all at once does not work, but no TTY is needed
   */
  interactive(args: string[], answers: [RegExp, string][]): Promise<NpmResult>;
  /** starts `npm <args>` (with --registry) without waiting: for commands that wait on something else (web login) */
  spawn(args: string[]): ChildProcessWithoutNullStreams;
  /** like run, but fails with the output when npm exits non-zero */
  ok(args: string[], options?: { cwd?: string; input?: string }): Promise<string>;
  close(): Promise<void>;
}

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

export async function npmClient(registry: string): Promise<NpmClient> {
  const root = await mkdtemp(join(tmpdir(), 'strata-npm-'));
  const npmrc = join(root, 'npmrc');
  const cache = join(root, 'cache');
  const env = () => ({ ...cleanEnv(), NPM_CONFIG_USERCONFIG: npmrc, NPM_CONFIG_CACHE: cache, NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_FUND: 'false', NO_COLOR: '1' });
  const client: NpmClient = {
    root,
    registry,
    async login(token) {
      const nerfDart = registry.replace(/^https?:/, '');
      await writeFile(npmrc, `registry=${registry}\n${token ? `${nerfDart}:_authToken=${token}\n` : ''}`);
    },
    run(args, options = {}) {
      return new Promise((resolve) => {
        const child = execFile('npm', [...args, '--registry', registry], { cwd: options.cwd ?? root, env: env(), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
        child.stdin?.end(options.input ?? '');
      });
    },
    interactive(args, answers) {
      return new Promise((resolve) => {
        const child = spawn('npm', [...args, '--registry', registry], { cwd: root, env: env() });
        let stdout = '';
        let stderr = '';
        const pending = [...answers];
        const timer = setTimeout(() => child.kill(), 60_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          while (pending.length > 0 && pending[0][0].test(stdout)) child.stdin.write(`${pending.shift()![1]}\n`);
          if (pending.length === 0) child.stdin.end();
        });
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? 1, stdout, stderr });
        });
      });
    },
    spawn(args) {
      return spawn('npm', [...args, '--registry', registry], { cwd: root, env: env() });
    },
    async ok(args, options) {
      const r = await client.run(args, options);
      if (r.code !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
  await client.login(undefined);
  return client;
}

/** A package folder ready for `npm publish`: package.json, index.js (exports a function returning `greeting`) and a README. */
export async function packageFixture(root: string, name: string, version: string, greeting: string, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = join(root, 'src', `${name.replace(/[@/]/g, '_')}-${version}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version, main: 'index.js', license: 'MIT', description: `${name} says ${greeting}`, keywords: ['strata', 'fixture'], ...extra }, null, 2));
  await writeFile(join(dir, 'index.js'), `module.exports = () => ${JSON.stringify(greeting)};\n`);
  await writeFile(join(dir, 'README.md'), `# ${name}\n\nSays ${greeting}.\n`);
  return dir;
}

/** A consumer project folder with a package.json. */
export async function consumerProject(root: string, name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
  return dir;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Other package managers (pnpm, yarn classic, yarn berry), run hermetically

/**
 * The package managers this repository installs as devDependencies, run by path with `node`:
 * yarn classic (`yarn`) and yarn berry (`@yarnpkg/cli-dist`) both claim the `yarn` bin name, so
 * node_modules/.bin/yarn is whichever npm linked last.
 */
export const PACKAGE_MANAGERS = {
  pnpm: fileURLToPath(new URL('../../node_modules/pnpm/bin/pnpm.cjs', import.meta.url)),
  yarnClassic: fileURLToPath(new URL('../../node_modules/yarn/bin/yarn.js', import.meta.url)),
  yarnBerry: fileURLToPath(new URL('../../node_modules/@yarnpkg/cli-dist/bin/yarn.js', import.meta.url)),
} as const;

/**
 * Stands in for every HTTP(S) proxy: a client that tries to reach anything beyond 127.0.0.1 (an
 * update check, telemetry, the public registry) ends up here, is refused, and is listed in `hits`.
 */
export interface NetworkTrap {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

export async function networkTrap(): Promise<NetworkTrap> {
  const hits: string[] = [];
  const server = createHttpServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(403).end();
  });
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    hits.push(`CONNECT ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A from-scratch environment for a package manager: nothing inherited but the folder of this
 * `node` on PATH (no npm_*, YARN_*, PNPM_* or CI variables: CI=true makes pnpm and yarn berry
 * refuse to change a lockfile), HOME and the XDG folders in `home`, and every proxy pointed at
 * `trapUrl` with only 127.0.0.1 exempt.
 */
export function hermeticEnv(home: string, trapUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const proxies = Object.fromEntries(['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'].map((k) => [k, trapUrl]));
  return {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
    TMPDIR: join(home, 'tmp'),
    NO_COLOR: '1',
    ...proxies,
    NO_PROXY: '127.0.0.1',
    no_proxy: '127.0.0.1',
    ...extra,
  };
}

/** Runs `node <script> <args>` (a package manager's entry point) in `cwd` with exactly `env`. */
export function runNodeScript(script: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<NpmResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [script, ...args], { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 90_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end();
  });
}

/** One request as the registry's request log (pino-http, level info) recorded it. */
export interface LoggedRequest {
  method: string;
  url: string;
  status: number | null;
  userAgent: string;
  accept: string;
  /** an Authorization header was sent (the log keeps only "[redacted]") */
  authorized: boolean;
}

/** The requests in a registry's log text whose User-Agent starts with `agentPrefix`. */
export function loggedRequests(logText: string, agentPrefix: string): LoggedRequest[] {
  const requests: LoggedRequest[] = [];
  for (const line of logText.split('\n')) {
    if (!line.includes('"req":')) continue;
    let entry: { req?: { method: string; url: string; headers: Record<string, string> }; res?: { statusCode: number | null } };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    const userAgent = entry.req?.headers?.['user-agent'] ?? '';
    if (!entry.req || !userAgent.startsWith(agentPrefix)) continue;
    requests.push({ method: entry.req.method, url: entry.req.url, status: entry.res?.statusCode ?? null, userAgent, accept: entry.req.headers.accept ?? '', authorized: 'authorization' in entry.req.headers });
  }
  return requests;
}
