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
import os from 'node:os';
import pg from 'pg';
import { onCleanup, runBench, startStrata } from './lib/processes.mjs';
import { markers, median, stamp, writeSection } from './lib/results.mjs';

const SECTION = { ...markers('point-in-time', 'point-in-time-bench.mjs'), heading: '## Point-in-time views: build and serve cost', initial: '# Benchmark results\n' };
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=') ?? fallback;
const EVENTS = Number(arg('events', 10_000));
const NOISE = Number(arg('noise', 2_000));
const DATABASE_URL = arg('database-url', undefined);

/** The registry from dist/: embedded, or on a fresh schema of the PostgreSQL server at --database-url (dropped at the end). */
async function start() {
  let env = {};
  if (DATABASE_URL) {
    const schema = `bench_pit_${Date.now().toString(36)}`;
    const query = async (text) => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(text);
      await client.end();
    };
    await query(`CREATE SCHEMA ${schema}`);
    onCleanup(() => query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    const u = new URL(DATABASE_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    env = { DATABASE_URL: u.toString() };
  }
  const strata = await startStrata({ env, baseUrl: false, readyTimeoutMs: 60_000 });
  return { base: strata.base, token: strata.adminToken, strata };
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  const out = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, out };
}

async function main() {
  const { base, token, strata } = await start();
  const auth = { authorization: `Bearer ${token}` };
  await strata.admin('POST', '/api/v1/repositories', { name: 'pit', format: 'generic' });
  await strata.admin('POST', '/api/v1/repositories', { name: 'noise', format: 'generic' });
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
  const typical = async (path, n = 21) => {
    const times = [];
    for (let i = 0; i < n; i++) times.push((await get(path)).ms);
    return median(times);
  };
  const file = '/generic/pit/d1/f-1.txt';
  const live = await typical(file);
  const coldHead = (await get(`/@${head}${file}`)).ms;
  const warmHead = await typical(`/@${head}${file}`);
  const coldHalf = (await get(`/@${half}${file}`)).ms;
  const warmHalf = await typical(`/@${half}${file}`);
  // a past time (the recorded time of an event a quarter into the log): resolved by binary search once, then remembered
  const quarter = Math.floor(head / 4);
  const at = (await (await fetch(`${base}/api/v1/events?from=${quarter}&limit=1`, { headers: auth })).json()).items[0].recordedAt;
  const byTimeCold = (await get(`/@${at}${file}`)).ms;
  const byTime = await typical(`/@${at}${file}`);
  // "now": a time that may still gain events is resolved again on every request (a scan of the log)
  const byNow = (await get(`/@${new Date().toISOString()}${file}`)).ms;
  await strata.stop();

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
    `### Run of ${stamp()}`,
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; store: ${DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite'}. Command: \`node bench/point-in-time-bench.mjs --events=${EVENTS} --noise=${NOISE}${DATABASE_URL ? ' --database-url=…' : ''}\``,
    '',
    table,
  ].join('\n');
  console.log(`${SECTION.begin}\n${section}\n${SECTION.end}`);
  writeSection({ ...SECTION, body: section });
}

runBench(main);
