#!/usr/bin/env node
// Generic-repository throughput, memory and latency against the practical limit (DESIGN.md §13).
//
//   node bench/generic-throughput.mjs [--quick] [--cpu-prof] [--decompose] [--concurrency=N]
//
// Needs a build (`npm run build`: it runs dist/apps/registry/main.js, builds nothing itself) and
// curl. One run starts, side by side:
//   - bench/bare-server.mjs: node:http streaming each PUT to disk while hashing sha256 (the limit)
//   - the registry, embedded profile, on a fresh temporary STRATA_DATA_DIR
// then measures uploads and downloads of 100 MB and 1 GB files with curl (median of 3, every
// upload to a fresh path), N concurrent 100 MB uploads with the server's RSS, publish-to-visible
// latency (PUT then GET) and small-file GET latency at a fixed concurrency. It prints a Markdown
// table and rewrites its section of bench/RESULTS.md. --quick: 100 MB only. --cpu-prof: the
// registry runs with --cpu-prof and a summary of where its CPU time went is printed and saved.
// --decompose: 100 MB uploads also go to variants of the bare server that add, one at a time, what
// Strata's upload path adds (sha1+md5, fsync, an idle PGlite in the process), to show the cost of each.
// Temporary files and child processes are removed on every exit path, Ctrl-C included.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { REGISTRY_MAIN, ROOT, cpuSeconds, run, runBench, sleep, startBare as startBareServer, startStrata, tempDir } from './lib/processes.mjs';
import { markers, median, percentile, writeSection } from './lib/results.mjs';

const PROFILE_DIR = join(ROOT, 'bench/.work/cpu-prof');
const SECTION = {
  ...markers('generic-throughput', 'generic-throughput.mjs'),
  heading: '## Generic repository throughput',
  initial: [
    '# Benchmarks',
    '',
    'Figures from `node bench/generic-throughput.mjs` (see the comment at its top). Targets are those of',
    'DESIGN.md §13: upload ≥ 90% and download ≥ 80% of a bare `node:http` server measured in the same',
    'run, flat memory under concurrent uploads, publish-to-visible under 50 ms.',
    '',
  ].join('\n'),
};

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const CPU_PROF = argv.includes('--cpu-prof');
const DECOMPOSE = argv.includes('--decompose');
const CONCURRENCY = Number(argv.find((a) => a.startsWith('--concurrency='))?.split('=')[1] ?? 20);
const unknown = argv.filter((a) => !['--quick', '--cpu-prof', '--decompose'].includes(a) && !a.startsWith('--concurrency='));
if (unknown.length || !(CONCURRENCY >= 1)) {
  process.stderr.write('usage: node bench/generic-throughput.mjs [--quick] [--cpu-prof] [--decompose] [--concurrency=N]\n');
  process.exit(2);
}

const MiB = 1024 * 1024;
const SIZES = QUICK ? [{ label: '100 MB', bytes: 100 * MiB }] : [{ label: '100 MB', bytes: 100 * MiB }, { label: '1 GB', bytes: 1024 * MiB }];
const REPEAT = 3;
const TOKEN = 'bench-admin-token-0123456789abcdef';
const REPO = 'bench';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const VISIBLE_N = 200;
const SMALL_GET_N = 2000;
const SMALL_GET_CONCURRENCY = 10;
const TARGETS = { upload: 0.9, download: 0.8, visibleP95Ms: 50, rssGrowthShare: 0.1 };

// ---------------------------------------------------------------------------------------------
// small helpers

const fmt = (x, digits = 1) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
const pct = (x) => `${(x * 100).toFixed(0)}%`;
const mb = (bytes) => bytes / MiB;

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

/** Resets VmHWM (Linux: `echo 5 > /proc/<pid>/clear_refs`); returns false where not permitted. */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function flushDisk() {
  try {
    execFileSync('sync');
  } catch {
    // best effort: only there so one run's writeback does not land in the next run's time
  }
}

/** Writes `bytes` of random data to `path` and returns its sha256. */
function makeFile(path, bytes) {
  const chunk = Buffer.allocUnsafe(16 * MiB);
  const hash = createHash('sha256');
  const fd = openSync(path, 'wx');
  try {
    for (let left = bytes; left > 0; ) {
      const n = Math.min(left, chunk.length);
      randomFillSync(chunk, 0, n);
      const part = chunk.subarray(0, n);
      hash.update(part);
      writeSync(fd, part);
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

const authArgs = (headers) => Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);

/** `curl -T` streams the file (never --data-binary, which reads it all into memory first). */
async function curlUpload(url, file, expectedSha256, headers = {}) {
  const { stdout } = await run('curl', ['-sS', '-T', file, '-w', '\n%{http_code} %{time_total} %{size_upload}', ...authArgs(headers), url]);
  const lines = stdout.trimEnd().split('\n');
  const [status, time, size] = lines.pop().split(' ');
  const body = lines.join('\n');
  if (status !== '201') throw new Error(`PUT ${url} answered ${status}: ${body.slice(0, 500)}`);
  const sha256 = JSON.parse(body).sha256;
  if (sha256 !== expectedSha256) throw new Error(`PUT ${url} stored sha256 ${sha256}, expected ${expectedSha256}`);
  return { seconds: Number(time), bytes: Number(size) };
}

async function curlDownload(url, expectedBytes, headers = {}) {
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{time_total} %{size_download}', ...authArgs(headers), url]);
  const [status, time, size] = stdout.trim().split(' ');
  if (status !== '200') throw new Error(`GET ${url} answered ${status}`);
  if (Number(size) !== expectedBytes) throw new Error(`GET ${url} gave ${size} bytes, expected ${expectedBytes}`);
  return { seconds: Number(time), bytes: Number(size) };
}

// ---------------------------------------------------------------------------------------------
// the two servers

async function startBare({ withPglite = false } = {}) {
  const bare = await startBareServer({ withPglite });
  return { ...bare, fileUrl: (path) => `${bare.base}/${path}`, headers: {} };
}

async function startRegistry() {
  const nodeArgs = [];
  if (CPU_PROF) {
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    mkdirSync(PROFILE_DIR, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`);
  }
  const strata = await startStrata({ adminToken: TOKEN, baseUrl: false, nodeArgs, cwd: ROOT, readyTimeoutMs: 60_000 });
  await strata.admin('POST', '/api/v1/repositories', { name: REPO, format: 'generic' });
  return { ...strata, name: 'Strata', fileUrl: (path) => `${strata.base}/generic/${REPO}/${path}`, headers: AUTH };
}

// ---------------------------------------------------------------------------------------------
// measurements

/** Named time windows (CLOCK_MONOTONIC µs) for the --cpu-prof breakdown, one per measurement. */
const phases = [];
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
async function phase(name, fn) {
  const from = nowUs();
  try {
    return await fn();
  } finally {
    phases.push({ name, from, to: nowUs() });
  }
}

let pathCounter = 0;
const freshPath = (prefix) => `${prefix}/${Date.now().toString(36)}-${(pathCounter++).toString(36)}.bin`;

/** REPEAT interleaved uploads then downloads on each server; medians in MB/s and CPU s per GB. */
async function throughput(servers, size, file, sha256) {
  const samples = new Map(servers.map((s) => [s.name, { up: [], down: [], upCpu: [], downCpu: [], paths: [] }]));
  const perGb = (cpu, bytes) => cpu / (bytes / 1024 ** 3);
  await phase(`upload ${size.label}`, async () => {
    for (let i = 0; i < REPEAT; i++) {
      for (const s of servers) {
        flushDisk();
        const path = freshPath(`tp-${size.bytes}`);
        const cpu0 = cpuSeconds(s.pid);
        const r = await curlUpload(s.fileUrl(path) + (s.query ?? ''), file, sha256, s.headers);
        const cpu = cpuSeconds(s.pid) - cpu0;
        const m = samples.get(s.name);
        m.up.push(mb(r.bytes) / r.seconds);
        m.upCpu.push(perGb(cpu, r.bytes));
        m.paths.push(path);
        log(`${size.label} upload   ${s.name.padEnd(22)} ${fmt(mb(r.bytes) / r.seconds)} MB/s (${fmt(r.seconds, 3)} s, server CPU ${fmt(cpu, 2)} s)`);
      }
    }
  });
  await phase(`download ${size.label}`, async () => {
    for (let i = 0; i < REPEAT; i++) {
      for (const s of servers.filter((x) => !x.uploadOnly)) {
        const m = samples.get(s.name);
        const cpu0 = cpuSeconds(s.pid);
        const r = await curlDownload(s.fileUrl(m.paths[i]), size.bytes, s.headers);
        const cpu = cpuSeconds(s.pid) - cpu0;
        m.down.push(mb(r.bytes) / r.seconds);
        m.downCpu.push(perGb(cpu, r.bytes));
        log(`${size.label} download ${s.name.padEnd(22)} ${fmt(mb(r.bytes) / r.seconds)} MB/s (${fmt(r.seconds, 3)} s, server CPU ${fmt(cpu, 2)} s)`);
      }
    }
  });
  return Object.fromEntries(
    [...samples].map(([name, m]) => [
      name,
      { up: median(m.up), down: median(m.down), upCpu: median(m.upCpu), downCpu: median(m.downCpu), upSamples: m.up, downSamples: m.down },
    ]),
  );
}

/** N parallel curl uploads of one 100 MB file while VmRSS is sampled every 100 ms. */
async function concurrentUploads(server, file, sha256, bytes) {
  await sleep(500); // let the previous phase's garbage settle
  const before = procStatus(server.pid);
  const peakReset = resetPeak(server.pid);
  let maxRss = before.rss;
  const sampler = setInterval(() => {
    try {
      maxRss = Math.max(maxRss, procStatus(server.pid).rss);
    } catch {
      // the process is gone; the upload errors will say why
    }
  }, 100);
  const started = process.hrtime.bigint();
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, () => curlUpload(server.fileUrl(freshPath('concurrent')), file, sha256, server.headers)));
  } finally {
    clearInterval(sampler);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = procStatus(server.pid);
  maxRss = Math.max(maxRss, after.rss);
  const result = {
    rssBefore: before.rss,
    hwmBefore: before.hwm,
    hwmAfter: after.hwm,
    peakReset,
    maxRss,
    growth: Math.max(maxRss, peakReset ? after.hwm : 0) - before.rss,
    aggregate: (mb(bytes) * CONCURRENCY) / seconds,
    seconds,
  };
  log(
    `${CONCURRENCY} x ${fmt(mb(bytes), 0)} MB concurrent ${server.name.padEnd(16)} ${fmt(result.aggregate)} MB/s aggregate; RSS before ${fmt(mb(result.rssBefore))} MB, ` +
      `max sampled ${fmt(mb(result.maxRss))} MB, VmHWM ${fmt(mb(result.hwmBefore))} -> ${fmt(mb(result.hwmAfter))} MB${peakReset ? ' (reset before the run)' : ''}`,
  );
  return result;
}

/** Sequential PUT of 1 KiB then immediate GET: PUT answers after read-your-writes, so GET must be 200. */
async function publishToVisible(server) {
  const total = [];
  const putOnly = [];
  let notVisible = 0;
  for (let i = 0; i < VISIBLE_N; i++) {
    const url = server.fileUrl(freshPath('visible'));
    const body = randomBytes(1024);
    const t0 = performance.now();
    const put = await fetch(url, { method: 'PUT', headers: { ...server.headers, 'content-type': 'application/octet-stream' }, body });
    await put.arrayBuffer();
    const t1 = performance.now();
    if (put.status !== 201) throw new Error(`PUT ${url} answered ${put.status}`);
    const get = await fetch(url, { headers: server.headers });
    const got = Buffer.from(await get.arrayBuffer());
    const t2 = performance.now();
    if (get.status !== 200 || !got.equals(body)) notVisible++;
    putOnly.push(t1 - t0);
    total.push(t2 - t0);
  }
  const r = { p50: percentile(total, 50), p95: percentile(total, 95), max: Math.max(...total), putP50: percentile(putOnly, 50), putP95: percentile(putOnly, 95), notVisible };
  log(`publish-to-visible ${server.name.padEnd(16)} p50 ${fmt(r.p50, 2)} ms, p95 ${fmt(r.p95, 2)} ms, max ${fmt(r.max, 2)} ms; GET not 200 right after PUT: ${notVisible}`);
  return r;
}

/** SMALL_GET_N GETs of one 1 KiB file from SMALL_GET_CONCURRENCY workers (after a warm-up). */
async function smallGets(server) {
  const url = server.fileUrl(freshPath('small'));
  const body = randomBytes(1024);
  const put = await fetch(url, { method: 'PUT', headers: server.headers, body });
  if (put.status !== 201) throw new Error(`PUT ${url} answered ${put.status}`);
  await put.arrayBuffer();
  const once = async () => {
    const t0 = performance.now();
    const r = await fetch(url, { headers: server.headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`GET ${url} answered ${r.status}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 200; i++) await once();
  const times = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SMALL_GET_CONCURRENCY }, async () => {
      while (next++ < SMALL_GET_N) times.push(await once());
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const r = { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), rps: times.length / seconds };
  log(`small GET x${SMALL_GET_N} at c=${SMALL_GET_CONCURRENCY} ${server.name.padEnd(16)} p50 ${fmt(r.p50, 2)} ms, p95 ${fmt(r.p95, 2)} ms, ${fmt(r.rps, 0)} req/s`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// CPU profile summary (--cpu-prof)

/**
 * Where the registry's main thread spent its time in each measured phase. Phases are windows of
 * CLOCK_MONOTONIC microseconds, the clock of both process.hrtime and V8's profile timestamps on
 * Linux, so start-up (PGlite's initdb, module loading) stays out. Samples go to buckets by stack.
 */
function summariseProfile(windows) {
  const files = existsSync(PROFILE_DIR) ? readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile')) : [];
  if (!files.length) return null;
  const path = join(PROFILE_DIR, files.sort().at(-1));
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const IDLE = 'idle (waiting for I/O or other processes)';
  const bucketOf = (id) => {
    const self = byId.get(id).callFrame;
    if (self.functionName === '(idle)') return IDLE;
    if (self.functionName === '(garbage collector)') return 'garbage collection';
    for (let x = id; x !== undefined; x = parentOf.get(x)) {
      if (byId.get(x).callFrame.url.includes('@electric-sql/pglite')) return 'PGlite (embedded SQL on the event loop, its file calls included)';
    }
    for (let x = id; x !== undefined; x = parentOf.get(x)) {
      const cf = byId.get(x).callFrame;
      if (cf.url === 'node:internal/crypto/hash' && cf.functionName === 'update') return 'hashing (crypto Hash.update)';
      if (cf.url === 'node:internal/fs/streams' || cf.url === 'node:internal/fs/promises' || cf.url === 'node:fs') return 'file I/O calls';
      if (cf.url === 'node:net' || cf.url === 'node:internal/stream_base_commons') return 'socket I/O calls';
    }
    return 'everything else (HTTP, Express/Nest, app code)';
  };
  const table = windows.map(() => new Map());
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    const w = windows.findIndex((p) => t >= p.from && t <= p.to);
    if (w < 0) continue;
    const bucket = bucketOf(profile.samples[i]);
    table[w].set(bucket, (table[w].get(bucket) ?? 0) + dt);
  }
  const buckets = [...new Set(table.flatMap((m) => [...m.keys()]))].sort((x, y) => (x === IDLE) - (y === IDLE) || x.localeCompare(y));
  const busy = table.map((m) => [...m].filter(([k]) => k !== IDLE).reduce((sum, [, us]) => sum + us, 0));
  const lines = [
    `Registry main thread by phase (--cpu-prof, ${relative(ROOT, path)}): seconds, and share of the busy (non-idle) time. ` +
      'A phase includes the bare server\'s turns (the registry is idle then).',
    '',
    `| bucket | ${windows.map((p) => p.name).join(' | ')} |`,
    `|---|${windows.map(() => '---:').join('|')}|`,
  ];
  for (const k of buckets) {
    lines.push(`| ${k} | ${table.map((m, i) => { const us = m.get(k) ?? 0; return k === IDLE ? fmt(us / 1e6, 2) : `${fmt(us / 1e6, 2)} (${pct(busy[i] ? us / busy[i] : 0)})`; }).join(' | ')} |`);
  }
  lines.push(`| busy total | ${busy.map((us) => fmt(us / 1e6, 2)).join(' | ')} |`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// report

function verdict(ok) {
  return ok ? 'met' : '**missed**';
}

function report(ctx) {
  const { tp, conc, visible, gets, machine } = ctx;
  const rows = [];
  const S = 'Strata';
  const B = 'bare node:http';
  rows.push('| measure | Strata | bare node:http | ratio | target | |', '|---|---:|---:|---:|---|---|');
  for (const size of SIZES) {
    const t = tp[size.label];
    const up = t[S].up / t[B].up;
    const down = t[S].down / t[B].down;
    rows.push(`| upload ${size.label}, MB/s (median of ${REPEAT}) | ${fmt(t[S].up)} | ${fmt(t[B].up)} | ${pct(up)} | ≥ 90% of bare | ${verdict(up >= TARGETS.upload)} |`);
    rows.push(`| download ${size.label}, MB/s (median of ${REPEAT}) | ${fmt(t[S].down)} | ${fmt(t[B].down)} | ${pct(down)} | ≥ 80% of bare | ${verdict(down >= TARGETS.download)} |`);
    rows.push(`| server process CPU (user+sys, all threads) per GB uploaded / downloaded, s (${size.label}) | ${fmt(t[S].upCpu, 2)} / ${fmt(t[S].downCpu, 2)} | ${fmt(t[B].upCpu, 2)} / ${fmt(t[B].downCpu, 2)} | | | |`);
    for (const [name, v] of Object.entries(t)) {
      if (name === S || name === B) continue;
      rows.push(`| upload ${size.label} to *${name}* (information), MB/s; CPU s/GB | ${fmt(t[S].up)} | ${fmt(v.up)}; ${fmt(v.upCpu, 2)} | ${pct(t[S].up / v.up)} | | |`);
    }
  }
  const inFlight = CONCURRENCY * 100 * MiB;
  const flat = (c) => c.growth < TARGETS.rssGrowthShare * inFlight;
  rows.push(`| ${CONCURRENCY} × 100 MB concurrent uploads, aggregate MB/s | ${fmt(conc[S].aggregate)} | ${fmt(conc[B].aggregate)} | ${pct(conc[S].aggregate / conc[B].aggregate)} | | |`);
  rows.push(`| RSS before → max sampled (every 100 ms), MB | ${fmt(mb(conc[S].rssBefore), 0)} → ${fmt(mb(conc[S].maxRss), 0)} | ${fmt(mb(conc[B].rssBefore), 0)} → ${fmt(mb(conc[B].maxRss), 0)} | | | |`);
  rows.push(
    conc[S].peakReset
      ? `| VmHWM: lifetime peak before the run → peak during the run (reset via clear_refs), MB | ${fmt(mb(conc[S].hwmBefore), 0)} → ${fmt(mb(conc[S].hwmAfter), 0)} | ${fmt(mb(conc[B].hwmBefore), 0)} → ${fmt(mb(conc[B].hwmAfter), 0)} | | | |`
      : `| VmHWM before → after (lifetime peaks; could not reset), MB | ${fmt(mb(conc[S].hwmBefore), 0)} → ${fmt(mb(conc[S].hwmAfter), 0)} | ${fmt(mb(conc[B].hwmBefore), 0)} → ${fmt(mb(conc[B].hwmAfter), 0)} | | | |`,
  );
  rows.push(
    `| RSS growth during ${CONCURRENCY} concurrent uploads, MB | ${fmt(mb(conc[S].growth), 0)} | ${fmt(mb(conc[B].growth), 0)} | | flat: < ${pct(TARGETS.rssGrowthShare)} of the ${fmt(mb(inFlight), 0)} MB in flight | ${verdict(flat(conc[S]))} |`,
  );
  rows.push(`| publish-to-visible (1 KiB PUT → GET 200), p50 / p95 / max ms, n=${VISIBLE_N} | ${fmt(visible[S].p50, 1)} / ${fmt(visible[S].p95, 1)} / ${fmt(visible[S].max, 1)} | ${fmt(visible[B].p50, 1)} / ${fmt(visible[B].p95, 1)} / ${fmt(visible[B].max, 1)} | | p95 < 50 ms | ${verdict(visible[S].p95 < TARGETS.visibleP95Ms && visible[S].notVisible === 0)} |`);
  rows.push(`| of which the PUT alone, p50 / p95 ms | ${fmt(visible[S].putP50, 1)} / ${fmt(visible[S].putP95, 1)} | ${fmt(visible[B].putP50, 1)} / ${fmt(visible[B].putP95, 1)} | | | |`);
  rows.push(`| GET right after PUT not 200 (read-your-writes violations) | ${visible[S].notVisible} | ${visible[B].notVisible} | | 0 | ${verdict(visible[S].notVisible === 0)} |`);
  rows.push(`| small (1 KiB) GET at c=${SMALL_GET_CONCURRENCY}, n=${SMALL_GET_N}: p50 / p95 / p99 ms | ${fmt(gets[S].p50, 2)} / ${fmt(gets[S].p95, 2)} / ${fmt(gets[S].p99, 2)} | ${fmt(gets[B].p50, 2)} / ${fmt(gets[B].p95, 2)} / ${fmt(gets[B].p99, 2)} | | (metadata reads: p95 < 10 ms) | ${gets[S].p95 < 10 ? 'met' : '**missed**'} |`);
  rows.push(`| small GET throughput, req/s | ${fmt(gets[S].rps, 0)} | ${fmt(gets[B].rps, 0)} | ${pct(gets[S].rps / gets[B].rps)} | | |`);

  const raw = [];
  for (const size of SIZES) {
    for (const [name, t] of Object.entries(tp[size.label])) {
      raw.push(`- ${size.label} ${name}: upload ${t.upSamples.map((x) => fmt(x)).join(', ')} MB/s; ${t.downSamples.length ? `download ${t.downSamples.map((x) => fmt(x)).join(', ')} MB/s` : 'upload only'}`);
    }
  }

  const lines = [
    `### Run of ${machine.date}${QUICK ? ' (--quick: 100 MB only)' : ''}`,
    '',
    `Machine: ${machine.nproc} cores (${machine.cpu}), ${fmt(machine.memGb, 0)} GB RAM, Node ${machine.node}, ${machine.kernel}, curl ${machine.curl}. ` +
      `Nice ${machine.nice}. Load average at start ${machine.loadStart}, at end ${machine.loadEnd}${machine.busy ? ' — **other work was running; ratios are comparable (both servers run interleaved), absolute figures less so**' : ''}. ` +
      `Files: random data, temp dir on the same disk; 1 MB = 2^20 bytes; uploads with \`curl -T\`, downloads with \`curl -o /dev/null\`, times from curl's \`%{time_total}\`; ` +
      `\`sync\` before every upload. Strata: embedded profile (PGlite, filesystem blobs), fresh data folder, log level warn${CPU_PROF ? ', with --cpu-prof' : ''}.`,
    '',
    ...rows,
    '',
    'Samples (MB/s, in run order):',
    '',
    ...raw,
  ];
  if (ctx.profile) lines.push('', ctx.profile);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(REGISTRY_MAIN)) {
    throw new Error(`${relative(ROOT, REGISTRY_MAIN)} is missing: run \`npm run build\` first (this benchmark builds nothing)`);
  }
  const stale = staleSources();
  log(`using the existing build in dist/ (${stale.length ? `WARNING: ${stale.length} source files are newer than their build output, e.g. ${stale.slice(0, 3).join(', ')}; run npm run build` : 'up to date with the sources'})`);
  const curlVersion = (await run('curl', ['--version'])).stdout.split(' ')[1];
  const machine = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
    memGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    kernel: `Linux ${os.release()}`,
    curl: curlVersion,
    loadStart: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    nice: os.getPriority(),
  };

  const files = await tempDir('files');
  const bare = await startBare();
  const registry = (startedRegistry = await startRegistry());
  log(`bare server ${bare.base} (pid ${bare.pid}); registry ${registry.base} (pid ${registry.pid}, data in a fresh temp folder)`);
  // upload-only variants of the bare server that price Strata's extra work one piece at a time
  const variants = [{ ...bare, name: 'bare + fsync', query: '?fsync=1', uploadOnly: true }];
  if (DECOMPOSE) {
    const withPglite = await startBare({ withPglite: true });
    const all3 = 'digests=sha256,sha1,md5';
    variants.push(
      { ...bare, name: 'bare + sha1 + md5', query: `?${all3}`, uploadOnly: true },
      { ...bare, name: 'bare + sha1 + md5 + fsync', query: `?${all3}&fsync=1`, uploadOnly: true },
      { ...withPglite, name: 'bare + idle PGlite in-process', uploadOnly: true },
      { ...withPglite, name: 'bare + PGlite + sha1 + md5 + fsync', query: `?${all3}&fsync=1`, uploadOnly: true },
    );
  }

  const tp = {};
  let file100;
  for (const size of SIZES) {
    const path = join(files, `${size.label.replace(' ', '')}.bin`);
    log(`writing ${size.label} of random data to ${path}`);
    const sha256 = makeFile(path, size.bytes);
    if (size.bytes === 100 * MiB) file100 = { path, sha256 };
    // the decomposition runs at 100 MB; the 1 GB size keeps only the fsync variant
    const servers = size.bytes === 100 * MiB ? [bare, registry, ...variants] : [bare, registry, variants[0]];
    const all = await throughput(servers, size, path, sha256);
    tp[size.label] = all;
    if (size.bytes !== 100 * MiB) rmSync(path, { force: true });
  }

  const conc = {};
  for (const s of [registry, bare]) conc[s.name] = await phase(`${CONCURRENCY} concurrent uploads (${s.name})`, () => concurrentUploads(s, file100.path, file100.sha256, 100 * MiB));
  const visible = {};
  for (const s of [registry, bare]) visible[s.name] = await phase(`publish-to-visible (${s.name})`, () => publishToVisible(s));
  const gets = {};
  for (const s of [registry, bare]) gets[s.name] = await phase(`small GETs (${s.name})`, () => smallGets(s));
  machine.loadEnd = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  machine.busy = Number(machine.loadStart.split(' ')[0]) > 0.5 || Number(machine.loadEnd.split(' ')[0]) > 2.5;

  let profile = null;
  if (CPU_PROF) {
    await registry.stop();
    profile = summariseProfile(phases.filter((p) => !p.name.includes('(bare')));
  }
  const section = report({ tp, conc, visible, gets, machine, profile });
  process.stdout.write(`\n${section}\n`);
  log(`wrote ${relative(ROOT, writeSection({ ...SECTION, body: section }))}`);
}

function staleSources() {
  const stale = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (rel.endsWith('.ts') && !/\.(spec|e2e|contract)\.ts$/.test(rel)) {
        const out = join(ROOT, 'dist', rel.replace(/\.ts$/, '.js'));
        if (!existsSync(out) || statSync(join(ROOT, rel)).mtimeMs > statSync(out).mtimeMs) stale.push(rel);
      }
    }
  };
  walk('apps');
  walk('libs');
  return stale;
}

let startedRegistry;
await runBench(main, { prefix: 'bench failed: ', describe: () => (startedRegistry ? `registry log (tail):\n${startedRegistry.logs().slice(-3000)}\n` : '') });
