import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './npm-client.js';

export const VERDACCIO_VERSION = '6.8.0';
/** Where `.ci/run` installs Verdaccio (with its node-fetch 2.7.0 override), in a folder of its own. */
export const VERDACCIO_DIR = fileURLToPath(new URL('../../.tmp/verdaccio', import.meta.url));
const BIN = join(VERDACCIO_DIR, 'node_modules/verdaccio/bin/verdaccio');
export const verdaccioAvailable = existsSync(BIN);

/** A running Verdaccio with one user: reads and publishes need its token (the upstream credential Strata seals). */
export interface Verdaccio {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  token: string;
  /** its storage folder: `<storage>/<name>/package.json` and the tarballs beside it */
  storage: string;
  logs(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startVerdaccio(): Promise<Verdaccio> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-verdaccio-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const rule = { access: '$authenticated', publish: '$authenticated', unpublish: '$authenticated' };
  const storage = join(dir, 'storage');
  // JSON is YAML; no uplinks: this Verdaccio is the end of the line
  const config = {
    storage,
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 10 } },
    uplinks: {},
    packages: { '@*/*': rule, '**': rule },
    web: { enable: false },
    security: { api: { legacy: false, jwt: { sign: { expiresIn: '7d' } } }, web: { sign: { expiresIn: '7d' } } },
    max_body_size: '20mb',
    log: { type: 'stdout', format: 'pretty', level: 'warn' },
  };
  await writeFile(join(dir, 'config.yaml'), JSON.stringify(config, null, 2));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|NODE_OPTIONS$)/i.test(k)));
  const child: ChildProcess = spawn(process.execPath, [BIN, '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(kill);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`verdaccio exited while starting:\n${output}`);
      if ((await fetch(`${url}-/ping`).then((r) => r.status, () => 0)) === 200) break;
      if (Date.now() > deadline) throw new Error(`verdaccio did not start:\n${output}`);
      await sleep(200);
    }
    const res = await fetch(`${url}-/user/org.couchdb.user:publisher`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'publisher', password: 'publisher-password-0123' }),
    });
    if (!res.ok) throw new Error(`verdaccio adduser: ${res.status} ${await res.text()}`);
    const { token } = (await res.json()) as { token: string };
    return { url, token, storage, logs: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
