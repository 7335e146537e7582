// The two registries bench/npm-bench.mjs compares: Strata from dist/ with an npm repository, and
// Verdaccio 6.8.0 installed into bench/.work/verdaccio at bench time. Processes and folders are
// removed on every exit path (bench/lib/processes.mjs).
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WORK, benchUser, cleanEnv, freePort, json, run, startServer, startStrata as startRegistry, tempDir, waitFor } from './lib/processes.mjs';

const VERDACCIO_DIR = join(WORK, 'verdaccio');
export const VERDACCIO_VERSION = '6.8.0';

// ---------------------------------------------------------------------------------------------
// Strata: embedded profile from dist/, fresh data folder, an npm repository, a user and its token

export async function startStrata() {
  const strata = await startRegistry();
  const token = await benchUser(strata, [{ name: 'bench', format: 'npm' }], ['write', 'delete']);
  return { name: 'Strata', registry: `${strata.base}/npm/bench/`, token, pid: strata.pid, logs: strata.logs, stop: () => strata.stop() };
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
  const server = startServer(process.execPath, [bin, '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], cleanEnv());
  await waitFor(`${base}/-/ping`, server);
  const { token } = await json(`${base}/-/user/org.couchdb.user:bench`, { method: 'PUT', body: JSON.stringify({ name: 'bench', password: 'bench-password-0123' }) });
  return { name: 'Verdaccio', registry: `${base}/`, token, pid: server.pid, logs: server.logs, stop: () => server.stop() };
}
