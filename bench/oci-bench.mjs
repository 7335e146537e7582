#!/usr/bin/env node
// OCI registry benchmark: Strata side by side with Debian's docker-registry (distribution 2.8), in the same run.
//
//   npm run build && node bench/oci-bench.mjs [--quick] [--seconds=N] [--connections=N] [--rounds=N] [--no-write]
//
// Needs skopeo, docker-registry and htpasswd (apt-get install -y skopeo docker-registry apache2-utils).
// Starts both registries on 127.0.0.1 (Strata: dist/apps/registry/main.js, embedded profile, fresh
// data folder, log level warn, OCI repository `bench`; docker-registry: filesystem storage,
// htpasswd auth with bcrypt, deletes enabled, log level warn, access log off), then per round and
// per image (1 GiB in one layer; 10 layers of 100 MiB; random bytes, so nothing compresses):
//   1. writes a fresh OCI layout (fresh bytes every round: skopeo's blob-info cache would
//      otherwise mount known blobs instead of uploading them);
//   2. `skopeo copy oci:... docker://...` to each registry (user + password / API token), timed;
//   3. `skopeo copy docker://... oci:...` back into an empty folder, timed;
// rounds alternate which registry goes first. Then manifest GETs by tag under load (autocannon,
// keep-alive connections, Docker's Accept header): Strata with the Bearer JWT of its token
// endpoint, and both with Basic credentials on every request (docker-registry's htpasswd auth has
// no token endpoint). Prints a Markdown table and rewrites the OCI section of bench/RESULTS.md
// (not with --quick or --no-write).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { loadManifest, pull, pullAuthorization, push, startDockerRegistry, startStrata, stopServers, writeImage } from './oci-bench-servers.mjs';
import { runBench, tempDir } from './lib/processes.mjs';
import { commandLine, fmt, git, markers, median, runSection, uncommittedChanges, writeSection } from './lib/results.mjs';

const SECTION = { ...markers('oci-bench', 'oci-bench.mjs'), heading: '## OCI registry: 1 GiB pushes and pulls with skopeo, manifest GETs under load, side by side with docker-registry' };

const options = commandLine();
options.check('node bench/oci-bench.mjs [--quick] [--seconds=N] [--connections=N] [--rounds=N] [--no-write]', { flags: ['--quick', '--no-write'], numbers: ['seconds', 'connections', 'rounds'] });
const QUICK = options.has('--quick');
const WRITE = !QUICK && !options.has('--no-write');
const SECONDS = options.number('seconds', QUICK ? 3 : 10);
const CONNECTIONS = options.number('connections', 50);
const ROUNDS = options.number('rounds', QUICK ? 1 : 2);
const MiB = 1024 * 1024;
const IMAGES = QUICK
  ? [{ key: 'single', label: '100 MiB image, 1 layer', layers: [100 * MiB] }, { key: 'ten', label: '100 MiB image, 10 layers of 10 MiB', layers: Array(10).fill(10 * MiB) }]
  : [{ key: 'single', label: '1 GiB image, 1 layer', layers: [1024 * MiB] }, { key: 'ten', label: '1 GiB image, 10 layers of 100 MiB', layers: Array(10).fill(100 * MiB) }];

const log = (line) => process.stderr.write(`${line}\n`);
const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '—');
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function machine() {
  const cpus = os.cpus();
  const dirty = uncommittedChanges();
  const skopeo = execFileSync('skopeo', ['--version'], { encoding: 'utf8' }).trim();
  return `${cpus.length} cores (${cpus[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, ${skopeo}, Linux ${os.release()}. Strata: dist/ of the shared tree at ${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ` plus ${dirty} uncommitted changes under apps/, libs/ or projections/ (other sessions' work in progress)` : ''}`;
}

async function main() {
  const started = new Date();
  const load0 = load();
  log(`load average at start: ${load0}`);
  const strata = await startStrata();
  const distribution = await startDockerRegistry();
  const targets = [strata, distribution];
  const home = await tempDir('oci-skopeo');
  const transfers = {}; // `${image}/${server}/${push|pull}` -> [{seconds, cpu}]
  const record = (key, value) => (transfers[key] ??= []).push(value);
  for (let round = 0; round < ROUNDS; round++) {
    for (const image of IMAGES) {
      const layout = await tempDir(`oci-layout-${image.key}`);
      const t0 = Date.now();
      const { bytes } = await writeImage(layout, image.layers);
      log(`round ${round + 1}: wrote ${image.label} (${bytes} bytes) in ${((Date.now() - t0) / 1000).toFixed(1)} s; load ${load()}`);
      image.bytes = bytes;
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const name = `${image.key}-${round}`;
        const p = await push(target, layout, name, home);
        record(`${image.key}/${target.name}/push`, p);
        const out = join(home, `pulled-${target.name}`);
        const q = await pull(target, name, out, home);
        record(`${image.key}/${target.name}/pull`, q);
        rmSync(out, { recursive: true, force: true });
        log(`  ${target.name}: push ${p.seconds.toFixed(2)} s (server CPU ${p.cpu.toFixed(1)} s), pull ${q.seconds.toFixed(2)} s (server CPU ${q.cpu.toFixed(1)} s)`);
      }
      rmSync(layout, { recursive: true, force: true });
    }
  }
  const reads = {};
  const loadRuns = [
    { key: 'strata-bearer', target: strata, mode: 'bearer' },
    { key: 'strata-basic', target: strata, mode: 'basic' },
    { key: 'distribution-basic', target: distribution, mode: 'basic' },
  ];
  for (let round = 0; round < ROUNDS; round++) {
    for (const measured of round % 2 === 0 ? loadRuns : [...loadRuns].reverse()) {
      const name = `${IMAGES[1].key}-0`;
      const authorization = await pullAuthorization(measured.target, name, measured.mode);
      await loadManifest(measured.target, name, authorization, { seconds: 2, connections: CONNECTIONS });
      const result = await loadManifest(measured.target, name, authorization, { seconds: SECONDS, connections: CONNECTIONS });
      (reads[measured.key] ??= []).push(result);
      log(`  manifest GET ${measured.key}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} / p95 ${result.p95.toFixed(2)} / p99 ${result.p99.toFixed(2)} ms, ${result.errors} errors; load ${load()}`);
    }
  }
  const load1 = load();
  await stopServers();
  const report = render({ started, load0, load1, transfers, reads, info: machine() });
  process.stdout.write(`${report}\n`);
  if (WRITE) log(`wrote ${writeSection({ ...SECTION, body: report })}`);
}

function render({ started, load0, load1, transfers, reads, info }) {
  const t = (image, server, op) => transfers[`${image}/${server}/${op}`] ?? [];
  const med = (xs, f) => median(xs.map(f));
  const rows = [];
  for (const image of IMAGES) {
    for (const op of ['push', 'pull']) {
      const s = t(image.key, 'Strata', op);
      const d = t(image.key, 'docker-registry', op);
      const ss = med(s, (x) => x.seconds);
      const ds = med(d, (x) => x.seconds);
      rows.push(`| ${op} ${image.label}: s, median of ${s.length} (MiB/s) | ${fmt(ss, 2)} (${fmt(image.bytes / MiB / ss, 0)}) | ${fmt(ds, 2)} (${fmt(image.bytes / MiB / ds, 0)}) | ${ratio(ss, ds)} | lower is better |`);
      rows.push(`| … registry CPU s (median) | ${fmt(med(s, (x) => x.cpu))} | ${fmt(med(d, (x) => x.cpu))} | ${ratio(med(s, (x) => x.cpu), med(d, (x) => x.cpu))} | |`);
    }
  }
  const r = (key) => reads[key] ?? [];
  const rps = (key) => med(r(key), (x) => x.rps);
  const p = (key, q) => med(r(key), (x) => x[q]);
  const cpuPer1000 = (key) => med(r(key), (x) => (x.cpu / Math.max(1, x.ok)) * 1000);
  const lat = (key) => `${fmt(p(key, 'p50'), 2)} / ${fmt(p(key, 'p95'), 2)} / ${fmt(p(key, 'p99'), 2)}`;
  rows.push(`| manifest GET by tag, ${CONNECTIONS} connections: req/s, median of ${r('strata-bearer').length}; Strata with its token endpoint's Bearer JWT, docker-registry with Basic (its htpasswd auth has no token endpoint) | ${fmt(rps('strata-bearer'), 0)} | ${fmt(rps('distribution-basic'), 0)} | ${ratio(rps('strata-bearer'), rps('distribution-basic'))} | higher is better |`);
  rows.push(`| … latency p50 / p95 / p99, ms (medians over rounds) | ${lat('strata-bearer')} | ${lat('distribution-basic')} | p95 ${ratio(p('strata-bearer', 'p95'), p('distribution-basic', 'p95'))} | lower is better |`);
  rows.push(`| … server CPU s per 1000 GETs | ${fmt(cpuPer1000('strata-bearer'), 2)} | ${fmt(cpuPer1000('distribution-basic'), 2)} | | |`);
  rows.push(`| manifest GET by tag, both with Basic on every request: req/s | ${fmt(rps('strata-basic'), 0)} | ${fmt(rps('distribution-basic'), 0)} | ${ratio(rps('strata-basic'), rps('distribution-basic'))} | higher is better |`);
  rows.push(`| … latency p50 / p95 / p99, ms | ${lat('strata-basic')} | ${lat('distribution-basic')} | p95 ${ratio(p('strata-basic', 'p95'), p('distribution-basic', 'p95'))} | lower is better |`);
  const samples = [];
  for (const [key, xs] of Object.entries(transfers)) samples.push(`- ${key}: ${xs.map((x) => `${x.seconds.toFixed(2)} s (CPU ${x.cpu.toFixed(1)} s)`).join(', ')}`);
  for (const [key, xs] of Object.entries(reads)) samples.push(`- manifest GET ${key}: ${xs.map((x) => `${x.rps.toFixed(0)} req/s (p95 ${x.p95.toFixed(2)} ms, n=${x.ok}, errors ${x.errors})`).join(', ')}`);
  return runSection({
    started,
    notes: [
      `Machine: ${info}. Load average at start ${load0}, at end ${load1} (the machine is shared with other sessions: read the ratios, the absolute figures less so).`,
      `Strata: embedded profile (PGlite, filesystem blobs), fresh data folder, log level warn, OCI repository \`bench\`. docker-registry 2.8.2 (Debian): filesystem storage, htpasswd (bcrypt) auth, in-memory blob descriptor cache, log level warn, access log off. Both on 127.0.0.1 for the whole run; skopeo ran with user + API token (Strata) or user + password (docker-registry); images are random bytes (gzip level 0 layers), written afresh every round; rounds alternate which registry goes first. Load: autocannon in the bench process, ${CONNECTIONS} keep-alive connections, ${SECONDS} s per measurement after a 2 s warm-up, the Accept header of containers/image; the ratio column is Strata ÷ docker-registry.`,
    ],
    table: ['| measure | Strata | docker-registry 2.8.2 | ratio | |', '|---|---:|---:|---:|---|', ...rows],
    samples,
  });
}

runBench(main);
