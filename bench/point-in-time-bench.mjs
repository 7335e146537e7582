#!/usr/bin/env node
// Point-in-time views: what a first request under /@<point>/ costs (the view is built from the
// log), what later requests cost (served from the cached view), for a repository with N events.
//
//   node bench/point-in-time-bench.mjs [--events=10000] [--noise=2000] [--database-url=postgres://...]
//
// Needs a build (`npm run build`). Starts the registry from dist/ on a fresh data folder (embedded
// PGlite, or the PostgreSQL server given by --database-url, in a fresh schema), writes N generic
// files into repository `pit` (one ArtifactPublished event each) and `--noise` into another
// repository, then times: a view at the head (cold build, then warm), a view half-way (cold), a
// view named by time (warm), and the same file read live. Rewrites its section of bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cleanEnv, cleanup, freePort, ROOT, tempDir } from './npm-bench-servers.mjs';

const RESULTS = join(ROOT, 'bench/RESULTS.md');
const MAIN = join(ROOT, 'dist/apps/registry/main.js');
const MARK_BEGIN = '<!-- point-in-time:begin (written by bench/point-in-time-bench.mjs; edits inside are overwritten) -->';
const MARK_END = '<!-- point-in-time:end -->';
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=') ?? fallback;
const EVENTS = Number(arg('events', 10_000));
const NOISE = Number(arg('noise', 2_000));
const DATABASE_URL = arg('database-url', undefined);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function start() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const dataDir = await tempDir('pit');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const token = `strata_bench_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  let dbUrl;
  if (DATABASE_URL) {
    const schema = `bench_pit_${Date.now().toString(36)}`;
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
    const u = new URL(DATABASE_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    dbUrl = u.toString();
  }
  const env = cleanEnv({ PORT: String(port), HOST: '127.0.0.1', STRATA_DATA_DIR: dataDir, STRATA_ADMIN_TOKEN: token, STRATA_LOG_LEVEL: 'warn', ...(dbUrl ? { DATABASE_URL: dbUrl } : {}) });
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.setEncoding('utf8').on('data', (c) => (errors = (errors + c).slice(-10_000)));
  process.on('exit', () => child.kill('SIGKILL'));
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200) break;
    if (child.exitCode !== null) throw new Error(`registry exited: ${errors}`);
    await sleep(200);
  }
  return { base, token, child };
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  const out = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, out };
}

async function main() {
  const { base, token, child } = await start();
  const auth = { authorization: `Bearer ${token}` };
  const api = (path, body) => fetch(`${base}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  await api('/api/v1/repositories', { name: 'pit', format: 'generic' });
  await api('/api/v1/repositories', { name: 'noise', format: 'generic' });
  const headPosition = async () => Number((await fetch(`${base}/api/v1/events?limit=1`, { headers: auth })).headers.get('x-strata-head-position'));

  let next = 0;
  const total = EVENTS + NOISE;
  const fill = await timed(async () => {
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = next++; i < total; i = next++) {
        const repo = NOISE > 0 && i % Math.round(total / NOISE) === 0 ? 'noise' : 'pit';
        const r = await fetch(`${base}/generic/${repo}/d${i % 100}/f-${i}.txt`, { method: 'PUT', headers: auth, body: `file ${i}` });
        if (r.status !== 201) throw new Error(`PUT ${i}: ${r.status} ${await r.text()}`);
      }
    }));
  });
  const head = await headPosition();
  const half = Math.floor(head / 2);
  const get = (path) => timed(async () => {
    const r = await fetch(`${base}${path}`, { headers: auth });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
  });
  const median = async (path, n = 21) => {
    const times = [];
    for (let i = 0; i < n; i++) times.push((await get(path)).ms);
    return times.sort((a, b) => a - b)[Math.floor(n / 2)];
  };
  const file = '/generic/pit/d1/f-1.txt';
  const live = await median(file);
  const coldHead = (await get(`/@${head}${file}`)).ms;
  const warmHead = await median(`/@${head}${file}`);
  const coldHalf = (await get(`/@${half}${file}`)).ms;
  const warmHalf = await median(`/@${half}${file}`);
  // a past time (the recorded time of an event a quarter into the log): resolved by binary search once, then remembered
  const quarter = Math.floor(head / 4);
  const at = (await (await fetch(`${base}/api/v1/events?from=${quarter}&limit=1`, { headers: auth })).json()).items[0].recordedAt;
  const byTimeCold = (await get(`/@${at}${file}`)).ms;
  const byTime = await median(`/@${at}${file}`);
  // "now": a time that may still gain events is resolved again on every request (a scan of the log)
  const byNow = (await get(`/@${new Date().toISOString()}${file}`)).ms;
  child.kill('SIGTERM');

  const rows = [
    ['log head (events)', String(head)],
    [`fill: ${total} PUTs, 16 concurrent`, `${(fill.ms / 1000).toFixed(1)} s (${Math.round(total / (fill.ms / 1000))} events/s)`],
    ['live GET of a file (median)', `${live.toFixed(1)} ms`],
    [`view at the head, first request (builds from ${head} events)`, `${coldHead.toFixed(0)} ms`],
    ['view at the head, later requests (median)', `${warmHead.toFixed(1)} ms`],
    [`view at position ${half}, first request`, `${coldHalf.toFixed(0)} ms`],
    [`view at position ${half}, later requests (median)`, `${warmHalf.toFixed(1)} ms`],
    [`view named by a past time (position ${quarter}), first request (binary search, build)`, `${byTimeCold.toFixed(0)} ms`],
    ['view named by a past time, later requests (median)', `${byTime.toFixed(1)} ms`],
    ['view named by the current time (not yet settled: resolved by a scan on each request)', `${byNow.toFixed(0)} ms`],
  ];
  const table = ['| measure | result |', '|---|---|', ...rows.map((r) => `| ${r[0]} | ${r[1]} |`)].join('\n');
  const section = [
    MARK_BEGIN,
    `### Run of ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; store: ${DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite'}. Command: \`node bench/point-in-time-bench.mjs --events=${EVENTS} --noise=${NOISE}${DATABASE_URL ? ' --database-url=…' : ''}\``,
    '',
    table,
    MARK_END,
  ].join('\n');
  console.log(section);
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const heading = '## Point-in-time views: build and serve cost';
  let updated;
  if (text.includes(MARK_BEGIN)) updated = text.replace(new RegExp(`${MARK_BEGIN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*?${MARK_END}`), section);
  else updated = `${text.trimEnd()}\n\n${heading}\n\n${section}\n`;
  writeFileSync(RESULTS, updated);
}

main()
  .then(() => cleanup())
  .catch(async (e) => {
    console.error(e);
    await cleanup();
    process.exit(1);
  });
