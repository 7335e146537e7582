#!/usr/bin/env node
// npm repository benchmark: Strata side by side with Verdaccio 6.8.0, in the same run.
//
//   npm run build && node bench/npm-bench.mjs [--quick] [--seconds=N] [--connections=N] [--no-write]
//
// Starts both registries on 127.0.0.1 (Strata: dist/apps/registry/main.js, embedded profile, fresh
// STRATA_DATA_DIR, log level warn; Verdaccio: installed on first use into bench/.work/verdaccio,
// htpasswd auth, JWT API tokens, no uplinks, every package readable and publishable by authenticated users only,
// as Strata's repository is), then on both:
//   1. publishes the same generated packages over the registry API (the document `npm publish`
//      sends): bench-many with 50 versions and bench-dep-01..50, one version each;
//   2. packument GETs of bench-many under load with autocannon (keep-alive connections, npm's
//      headers, gzip accepted), full and abbreviated (Accept: application/vnd.npm.install-v1+json)
//      documents: throughput and exact p50/p95/p99 latency, rounds alternating which server goes first;
//   3. `npm install` of a project depending on the 50 bench-dep packages from a warm registry (a
//      first install warms it; each timed run starts without node_modules, package-lock.json and
//      npm cache), then `npm ci` (lockfile kept: tarballs only); 3 runs each, alternating, median.
// Prints a Markdown table and rewrites the npm section of bench/RESULTS.md (not with --quick or
// --no-write). Child processes and temporary folders are removed on every exit path.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { VERDACCIO_VERSION, ensureVerdaccio, startStrata, startVerdaccio } from './npm-bench-servers.mjs';
import { checkPackument, consumer, generatedVersion, loadPackument, publish, timedInstall } from './npm-bench-work.mjs';
import { runBench, tempDir } from './lib/processes.mjs';
import { builtAt, commandLine, fmt, git, machineBusy, markers, median, percentile, runSection, uncommittedChanges, writeSection } from './lib/results.mjs';

const SECTION = { ...markers('npm-bench', 'npm-bench.mjs'), heading: '## npm repository: packument reads and npm install, side by side with Verdaccio' };

const options = commandLine();
options.check('node bench/npm-bench.mjs [--quick] [--seconds=N] [--connections=N] [--no-write]', { flags: ['--quick', '--no-write'], numbers: ['seconds', 'connections'] });
const QUICK = options.has('--quick');
const WRITE = !QUICK && !options.has('--no-write');
const SECONDS = options.number('seconds', QUICK ? 3 : 10);
const CONNECTIONS = options.number('connections', 10);
const ROUNDS = QUICK ? 1 : 3;
const INSTALL_RUNS = QUICK ? 1 : 3;
const VERSIONS = 50;
const DEPENDENCIES = 50;
const MAX_REQUESTS = 500_000;

const log = (line) => process.stderr.write(`${line}\n`);

function machine() {
  const cpus = os.cpus();
  const dirty = uncommittedChanges();
  const npmVersion = execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
  return {
    text: `${cpus.length} cores (${cpus[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, npm ${npmVersion}, Linux ${os.release()}`,
    commit: `at ${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ` plus ${dirty} uncommitted changes under apps/, libs/ or projections/` : ''}, dist/ last built ${builtAt()}`,
  };
}

async function main() {
  const started = new Date();
  const load0 = os.loadavg();
  log('checking the machine is quiet (2 s) ...');
  const busy0 = await machineBusy();
  await ensureVerdaccio();
  const root = await tempDir('work');
  log('starting Strata and Verdaccio ...');
  const targets = [await startStrata(), await startVerdaccio()];

  log(`generating ${VERSIONS} versions of bench-many and ${DEPENDENCIES} bench-dep packages ...`);
  const many = [];
  for (let i = 0; i < VERSIONS; i++) many.push(await generatedVersion('bench-many', `1.${i}.0`, { dependencies: { 'left-pad': `^1.${i % 4}.0` } }));
  const deps = [];
  for (let i = 1; i <= DEPENDENCIES; i++) deps.push(await generatedVersion(`bench-dep-${String(i).padStart(2, '0')}`, '1.0.0'));

  const publishing = {};
  for (const target of targets) {
    log(`publishing ${many.length + deps.length} versions to ${target.name} ...`);
    const times = [];
    const t0 = Date.now();
    for (const version of [...many, ...deps]) times.push(await publish(target, version));
    publishing[target.name] = { total: (Date.now() - t0) / 1000, p50: percentile(times, 50), p95: percentile(times, 95), n: times.length };
  }

  const docs = {};
  for (const target of targets) {
    docs[target.name] = {};
    for (const kind of ['full', 'abbreviated']) docs[target.name][kind] = await checkPackument(target, 'bench-many', kind, VERSIONS);
  }

  log(`packument GETs: ${ROUNDS} round(s) of ${SECONDS} s per server and document, ${CONNECTIONS} connections ...`);
  for (const target of targets) for (const kind of ['full', 'abbreviated']) await loadPackument(target, 'bench-many', kind, { seconds: 2, connections: CONNECTIONS, maxRequests: MAX_REQUESTS });
  const reads = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of ['abbreviated', 'full']) {
      for (const target of round % 2 ? [...targets].reverse() : targets) {
        const r = await loadPackument(target, 'bench-many', kind, { seconds: SECONDS, connections: CONNECTIONS, maxRequests: MAX_REQUESTS });
        if (r.errors) throw new Error(`${target.name}: ${r.errors} failed packument requests of ${r.requests}`);
        ((reads[target.name] ??= {})[kind] ??= []).push(r);
        log(`  ${target.name} ${kind}: ${fmt(r.rps, 0)} req/s, p50 ${fmt(r.p50, 2)} / p95 ${fmt(r.p95, 2)} / p99 ${fmt(r.p99, 2)} ms`);
      }
    }
  }

  const dependencies = Object.fromEntries(deps.map((d) => [d.manifest.name, '^1.0.0']));
  const projects = targets.map((t) => consumer(root, t, dependencies));
  const installs = {};
  for (const project of projects) {
    const first = await timedInstall(project, 'install');
    installs[project.target.name] = { first: first.seconds, install: [], ci: [] };
    log(`  ${project.target.name}: first npm install ${fmt(first.seconds, 2)} s`);
  }
  for (const mode of ['install', 'ci']) {
    for (let runNo = 0; runNo < INSTALL_RUNS; runNo++) {
      for (const project of runNo % 2 ? [...projects].reverse() : projects) {
        const r = await timedInstall(project, mode);
        installs[project.target.name][mode].push(r);
        log(`  ${project.target.name}: npm ${mode} ${fmt(r.seconds, 2)} s (registry CPU ${fmt(r.cpu, 2)} s)`);
      }
    }
  }

  const load1 = os.loadavg();
  const info = machine();
  const report = render({ started, load0, load1, busy0, info, targets, publishing, docs, reads, installs });
  process.stdout.write(`${report}\n`);
  if (WRITE) log(`wrote ${writeSection({ ...SECTION, body: report })}`);
}

function render({ started, load0, load1, busy0, info, publishing, docs, reads, installs }) {
  const S = 'Strata';
  const V = 'Verdaccio';
  const m = (xs, key) => median(xs.map((x) => x[key]));
  const ratio = (a, b) => (b ? `${(a / b).toFixed(2)}×` : '—');
  const cores = os.cpus().length;
  const busyNote = load0[0] > cores * 0.5 || busy0 > 0.3 ? ` — **other work was running (the load average was above half the cores, or more than 30% of the CPU was busy before start); compare the ratios, the absolute figures less so**` : '';
  const rows = [];
  for (const kind of ['abbreviated', 'full']) {
    const [s, v] = [reads[S][kind], reads[V][kind]];
    const kb = (name) => `${fmt(docs[name][kind].bytes / 1024, 1)} KiB`;
    rows.push(`| packument GET, ${kind} (${VERSIONS} versions; Strata ${kb(S)}, Verdaccio ${kb(V)} uncompressed): req/s, median of ${s.length} | ${fmt(m(s, 'rps'), 0)} | ${fmt(m(v, 'rps'), 0)} | ${ratio(m(s, 'rps'), m(v, 'rps'))} | higher is better |`);
    rows.push(`| … latency p50 / p95 / p99, ms (medians over rounds) | ${fmt(m(s, 'p50'), 2)} / ${fmt(m(s, 'p95'), 2)} / ${fmt(m(s, 'p99'), 2)} | ${fmt(m(v, 'p50'), 2)} / ${fmt(m(v, 'p95'), 2)} / ${fmt(m(v, 'p99'), 2)} | p95 ${ratio(m(s, 'p95'), m(v, 'p95'))} | lower is better |`);
    rows.push(`| … bytes on the wire per response (gzip accepted); server CPU s per 1000 GETs | ${fmt(m(s, 'bytesPerResponse'), 0)}; ${fmt((1000 * m(s, 'cpu')) / m(s, 'ok'), 2)} | ${fmt(m(v, 'bytesPerResponse'), 0)}; ${fmt((1000 * m(v, 'cpu')) / m(v, 'ok'), 2)} | | |`);
  }
  for (const [mode, label] of [['install', `npm install, ${DEPENDENCIES} dependencies, no lockfile, empty npm cache, warm registry: s`], ['ci', `npm ci, ${DEPENDENCIES} dependencies, lockfile kept (tarballs only), empty npm cache: s`]]) {
    const [s, v] = [installs[S][mode], installs[V][mode]];
    rows.push(`| ${label}, median of ${s.length} | ${fmt(m(s, 'seconds'), 2)} | ${fmt(m(v, 'seconds'), 2)} | ${ratio(m(s, 'seconds'), m(v, 'seconds'))} | lower is better |`);
    rows.push(`| … registry CPU s per ${mode === 'ci' ? 'npm ci' : 'install'} (median) | ${fmt(m(s, 'cpu'), 2)} | ${fmt(m(v, 'cpu'), 2)} | ${ratio(m(s, 'cpu'), m(v, 'cpu'))} | |`);
  }
  rows.push(`| first npm install (registry not yet warm), s | ${fmt(installs[S].first, 2)} | ${fmt(installs[V].first, 2)} | ${ratio(installs[S].first, installs[V].first)} | information |`);
  const [ps, pv] = [publishing[S], publishing[V]];
  rows.push(`| publish ${ps.n} versions one after another (API PUT): total s; p50 / p95 ms | ${fmt(ps.total, 1)}; ${fmt(ps.p50, 1)} / ${fmt(ps.p95, 1)} | ${fmt(pv.total, 1)}; ${fmt(pv.p50, 1)} / ${fmt(pv.p95, 1)} | ${ratio(ps.total, pv.total)} | information |`);

  const samples = [];
  for (const name of [S, V]) {
    for (const kind of ['abbreviated', 'full']) samples.push(`- ${name} ${kind}: ${reads[name][kind].map((r) => `${fmt(r.rps, 0)} req/s (p95 ${fmt(r.p95, 2)} ms, n=${r.ok})`).join(', ')}`);
    samples.push(`- ${name} npm install: ${installs[name].install.map((r) => `${fmt(r.seconds, 2)} s`).join(', ')}; npm ci: ${installs[name].ci.map((r) => `${fmt(r.seconds, 2)} s`).join(', ')}`);
  }
  return runSection({
    started,
    notes: [
      `Machine: ${info.text}. Strata ${info.commit}. Load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}, at end ${load1.map((l) => l.toFixed(2)).join(' ')}; CPU busy in the 2 s before start ${fmt(busy0 * 100, 0)}%${busyNote}.`,
      `Strata: embedded profile (PGlite, filesystem blobs), fresh data folder, log level warn, \`/npm/bench/\`. Verdaccio ${VERDACCIO_VERSION}: htpasswd, JWT API tokens (\`security.api.jwt\`: its default legacy tokens re-check the password with bcrypt on every request), \`uplinks: {}\`, web UI off, log level warn, local storage. Both on 127.0.0.1 and running for the whole bench; reads and installs are authenticated (Bearer token) on both. Load: autocannon in the bench process, ${CONNECTIONS} keep-alive connections, ${SECONDS} s per measurement after a 2 s warm-up, npm's Accept and Accept-Encoding headers; the ratio column is Strata ÷ Verdaccio.`,
    ],
    table: [`| measure | Strata | Verdaccio ${VERDACCIO_VERSION} | ratio | |`, '|---|---:|---:|---:|---|', ...rows],
    samples,
  });
}

runBench(main);
