#!/usr/bin/env node
// Remote (caching proxy) and virtual repositories: what a cold fetch costs over the upstream, what a
// warm one gains, and what a virtual repository adds.
//
//   npm run build && node bench/remote-bench.mjs [--quick] [--no-write]
//
// Strata from dist/ (embedded profile, fresh data folder, log level warn) on 127.0.0.1, then:
//   1. generic: a node:http upstream in this process serving 100 MiB files (every path its own bytes:
//      one random file on disk, its last 32 bytes replaced by the sha256 of the path, streamed from
//      disk), a remote repository over it (`allowPrivateNetwork: true`), an empty hosted repository and
//      a virtual one over [hosted, remote]. With curl (`-o /dev/null`, `%{time_starttransfer}` and
//      `%{time_total}`), median of 3, rounds interleaved, every cold run on a fresh path: the upstream
//      directly; the remote cold (first fetch, streamed while stored) and warm (from the store); the
//      virtual repository cold (fresh path) and warm (a path the remote holds). Then 20 concurrent
//      curls of one new path through the remote: upstream fetches (must be 1) and the aggregate time.
//   2. npm: Verdaccio 6.8.0 (bench/npm-bench-servers.mjs) with 30 generated packages published to it;
//      `npm install` of all 30 (no lockfile, empty npm cache, node_modules removed) directly from
//      Verdaccio, through a fresh Strata remote per round (cold), through a warmed remote (everything
//      cached, metadata within its max age of an hour) and through a warmed virtual repository
//      [hosted, remote]; median of 3, rounds interleaved.
// Prints a Markdown section and rewrites the remote section of bench/RESULTS.md (not with --quick or
// --no-write). Child processes and temporary folders are removed on every exit path.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { VERDACCIO_VERSION, ensureVerdaccio, startVerdaccio } from './npm-bench-servers.mjs';
import { consumer, generatedVersion, publish, timedInstall } from './npm-bench-work.mjs';
import { benchUser, cpuSeconds, onCleanup, run, runBench, startStrata, tempDir } from './lib/processes.mjs';
import { builtAt, commandLine, fmt, git, machineBusy, markers, median, runSection, uncommittedChanges, writeSection } from './lib/results.mjs';

const SECTION = { ...markers('remote-bench', 'remote-bench.mjs'), heading: '## Remote and virtual repositories: cold and warm fetches' };

const options = commandLine();
options.check('node bench/remote-bench.mjs [--quick] [--no-write]', { flags: ['--quick', '--no-write'] });
const QUICK = options.has('--quick');
const WRITE = !QUICK && !options.has('--no-write');
const ROUNDS = QUICK ? 1 : 3;
const MIB = 2 ** 20;
const SIZE = (QUICK ? 20 : 100) * MIB;
const CONCURRENT = 20;
const PACKAGES = 30;
const TAG = 32; // bytes of the path's sha256 that end every upstream file

const log = (line) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// the generic upstream: node:http in this process, counting requests per path

async function startUpstream(dir) {
  const base = join(dir, 'base.bin');
  await pipeline(
    (async function* () {
      for (let left = SIZE; left > 0; left -= 4 * MIB) yield randomBytes(Math.min(4 * MIB, left));
    })(),
    createWriteStream(base),
  );
  const prefix = createHash('sha256');
  for await (const chunk of createReadStream(base, { end: SIZE - TAG - 1 })) prefix.update(chunk);
  const tag = (path) => createHash('sha256').update(path).digest();
  const hits = new Map();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(req.url.split('?')[0]);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (!path.startsWith('/files/') || req.method !== 'GET') return void res.writeHead(404).end('no');
    res.writeHead(200, { 'content-length': String(SIZE), 'content-type': 'application/octet-stream', etag: `"${tag(path).toString('hex').slice(0, 16)}"` });
    const body = createReadStream(base, { end: SIZE - TAG - 1 });
    body.pipe(res, { end: false });
    body.once('end', () => res.end(tag(path)));
    body.once('error', (e) => res.destroy(e));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise((r) => (server.closeAllConnections(), server.close(r))));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    hits: (path) => hits.get(path) ?? 0,
    sha256: (path) => prefix.copy().update(tag(path)).digest('hex'),
  };
}

/** One download with curl: status, TTFB and total seconds, bytes, MB/s, ETag; fails on a short or non-200 answer. */
async function curlGet(url, token) {
  const auth = token ? ['-H', `Authorization: Bearer ${token}`] : [];
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{time_starttransfer} %{time_total} %{size_download} %header{etag}', ...auth, url]);
  const [status, ttfb, total, bytes, etag = ''] = stdout.trim().split(' ');
  if (status !== '200' || Number(bytes) !== SIZE) throw new Error(`GET ${url}: ${status}, ${bytes} of ${SIZE} bytes`);
  return { ttfb: Number(ttfb), seconds: Number(total), mbps: SIZE / MIB / Number(total), etag: etag.replace(/"/g, '') };
}

async function genericBench(strata, token, upstream) {
  const strataUrl = (repo, path) => `${strata.base}/generic/${repo}/${path}`;
  const samples = { direct: [], remoteCold: [], remoteWarm: [], virtualCold: [], virtualWarm: [] };
  let verified = 0;
  const check = (path, r, what) => {
    if (r.etag.length === 64) verified++;
    if (r.etag && r.etag.length === 64 && r.etag !== upstream.sha256(`/files/${path}`)) throw new Error(`${what} ${path}: ETag ${r.etag} is not the file's sha256`);
    return r;
  };
  // one unmeasured cold and warm fetch first (JIT, connections, the upstream file in the page cache)
  await curlGet(strataUrl('gen-remote', 'warmup.bin'), token);
  await curlGet(strataUrl('gen-all', 'warmup.bin'), token);
  for (let round = 0; round < ROUNDS; round++) {
    const cold = `r${round}/remote-cold.bin`;
    const viaVirtual = `r${round}/virtual-cold.bin`;
    samples.direct.push(await curlGet(`${upstream.url}/files/r${round}/direct.bin`));
    samples.remoteCold.push(check(cold, await curlGet(strataUrl('gen-remote', cold), token), 'remote cold'));
    samples.remoteWarm.push(check(cold, await curlGet(strataUrl('gen-remote', cold), token), 'remote warm'));
    samples.virtualCold.push(check(viaVirtual, await curlGet(strataUrl('gen-all', viaVirtual), token), 'virtual cold'));
    samples.virtualWarm.push(check(cold, await curlGet(strataUrl('gen-all', cold), token), 'virtual warm'));
    for (const path of [cold, viaVirtual]) if (upstream.hits(`/files/${path}`) !== 1) throw new Error(`${path}: ${upstream.hits(`/files/${path}`)} upstream fetches, not 1`);
    const last = (k) => samples[k].at(-1);
    log(`  round ${round + 1}: direct ${fmt(last('direct').mbps)} MB/s, remote cold ${fmt(last('remoteCold').mbps)} / warm ${fmt(last('remoteWarm').mbps)}, virtual cold ${fmt(last('virtualCold').mbps)} / warm ${fmt(last('virtualWarm').mbps)} MB/s`);
  }
  log(`  ${CONCURRENT} concurrent cold GETs of one new path ...`);
  const path = 'concurrent/one.bin';
  const t0 = process.hrtime.bigint();
  const clients = await Promise.all(Array.from({ length: CONCURRENT }, () => curlGet(strataUrl('gen-remote', path), token)));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const concurrent = { wall, fetches: upstream.hits(`/files/${path}`), clients, mbps: (CONCURRENT * SIZE) / MIB / wall };
  if (concurrent.fetches !== 1) throw new Error(`${CONCURRENT} concurrent GETs of ${path} made ${concurrent.fetches} upstream fetches`);
  log(`  ${concurrent.fetches} upstream fetch, ${fmt(wall, 2)} s in all, ${fmt(concurrent.mbps)} MB/s aggregate`);
  return { samples, concurrent, verified };
}

// ---------------------------------------------------------------------------------------------
// npm through a remote repository, upstream Verdaccio

async function npmBench(strata, token, verdaccio, root) {
  const deps = [];
  for (let i = 1; i <= PACKAGES; i++) deps.push(await generatedVersion(`bench-dep-${String(i).padStart(2, '0')}`, '1.0.0'));
  log(`publishing ${deps.length} packages to Verdaccio ...`);
  for (const version of deps) await publish(verdaccio, version);
  log(`publishing the same packages to a Strata hosted repository (the baseline of a virtual repository's overhead) ...`);
  for (const version of deps) await publish({ registry: `${strata.base}/npm/npm-hosted/`, token: strata.adminToken }, version);
  const dependencies = Object.fromEntries(deps.map((d) => [d.manifest.name, '^1.0.0']));
  const target = (name, repo) => ({ name, registry: `${strata.base}/npm/${repo}/`, token, pid: strata.pid });
  const direct = consumer(root, verdaccio, dependencies);
  const warm = consumer(root, target('remote-warm', 'npm-up'), dependencies);
  const virtual = consumer(root, target('virtual-warm', 'npm-all'), dependencies);
  const hosted = consumer(root, target('hosted', 'npm-hosted'), dependencies);
  const overHosted = consumer(root, target('virtual-over-hosted', 'npm-hv'), dependencies);
  log('warming the remote and the virtual repositories (one npm install each) ...');
  await timedInstall(warm, 'install');
  await timedInstall(virtual, 'install');
  await timedInstall(direct, 'install');
  await timedInstall(hosted, 'install');
  await timedInstall(overHosted, 'install');
  const installs = { direct: [], cold: [], warm: [], virtual: [], hosted: [], overHosted: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const cold = consumer(root, target(`remote-cold-${round + 1}`, `npm-cold-${round + 1}`), dependencies);
    const order = [['direct', direct], ['cold', cold], ['warm', warm], ['virtual', virtual], ['hosted', hosted], ['overHosted', overHosted]];
    for (const [key, project] of round % 2 ? order.reverse() : order) {
      const before = cpuSeconds(verdaccio.pid);
      const r = { ...(await timedInstall(project, 'install')), upstreamCpu: cpuSeconds(verdaccio.pid) - before };
      if (key === 'direct') r.cpu = NaN; // timedInstall measured Verdaccio itself: that is upstreamCpu
      installs[key].push(r);
      log(`  round ${round + 1}: ${key} npm install ${fmt(r.seconds, 2)} s (Strata CPU ${fmt(r.cpu, 2)} s, Verdaccio CPU ${fmt(r.upstreamCpu, 2)} s)`);
    }
  }
  return installs;
}

// ---------------------------------------------------------------------------------------------

function machine() {
  const cpus = os.cpus();
  const dirty = uncommittedChanges();
  const version = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  return {
    text: `${cpus.length} cores (${cpus[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, npm ${version('npm', ['--version'])}, ${version('curl', ['--version']).split(' ').slice(0, 2).join(' ')}, Linux ${os.release()}`,
    commit: `at ${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ` plus ${dirty} uncommitted changes under apps/, libs/ or projections/` : ''}, dist/ last built ${builtAt()}`,
  };
}

async function main() {
  const started = new Date();
  const load0 = os.loadavg();
  const info = machine(); // now: the build Strata runs from (dist/ may be rebuilt by others meanwhile)
  log('checking the machine is quiet (2 s) ...');
  const busy0 = await machineBusy();
  await ensureVerdaccio();
  const root = await tempDir('remote');
  log(`writing the ${SIZE / MIB} MiB upstream file and starting the upstream, Verdaccio and Strata ...`);
  const upstream = await startUpstream(root);
  const verdaccio = await startVerdaccio();
  const strata = await startStrata();
  const cached = { allowPrivateNetwork: true, metadataMaxAgeSeconds: 3600 };
  const repositories = [
    { name: 'gen-local', format: 'generic' },
    { name: 'gen-remote', format: 'generic', type: 'remote', upstream: { url: `${upstream.url}/files/`, ...cached } },
    { name: 'gen-all', format: 'generic', type: 'virtual', members: ['gen-local', 'gen-remote'], publishTo: 'gen-local' },
    { name: 'npm-local', format: 'npm' },
    { name: 'npm-up', format: 'npm', type: 'remote', upstream: { url: verdaccio.registry, ...cached, auth: { type: 'bearer', token: verdaccio.token } } },
    ...Array.from({ length: ROUNDS }, (_, i) => ({ name: `npm-cold-${i + 1}`, format: 'npm', type: 'remote', upstream: { url: verdaccio.registry, ...cached, auth: { type: 'bearer', token: verdaccio.token } } })),
    { name: 'npm-all', format: 'npm', type: 'virtual', members: ['npm-local', 'npm-up'], publishTo: 'npm-local' },
    { name: 'npm-hosted', format: 'npm' },
    { name: 'npm-hv', format: 'npm', type: 'virtual', members: ['npm-hosted', 'npm-up'], publishTo: 'npm-hosted' },
  ];
  const token = await benchUser(strata, repositories, ['read']);

  log(`generic: ${SIZE / MIB} MiB files, ${ROUNDS} round(s) ...`);
  const generic = await genericBench(strata, token, upstream);
  log(`npm: ${PACKAGES} packages, ${ROUNDS} round(s) ...`);
  const installs = await npmBench(strata, token, verdaccio, root);

  const load1 = os.loadavg();
  const report = render({ started, load0, load1, busy0, info, generic, installs });
  process.stdout.write(`${report}\n`);
  if (WRITE) log(`wrote ${writeSection({ ...SECTION, body: report })}`);
}

function render({ started, load0, load1, busy0, info, generic, installs }) {
  const m = (xs, key) => median(xs.map((x) => x[key]));
  const ratio = (a, b) => (b ? `${(a / b).toFixed(2)}×` : '—');
  const ms = (s) => fmt(s * 1000, 1);
  const cores = os.cpus().length;
  const busyNote = load0[0] > cores * 0.5 || busy0 > 0.3 ? ' — **other work was running (the load average was above half the cores, or more than 30% of the CPU was busy before start); compare the ratios, the absolute figures less so**' : '';
  const g = generic.samples;
  const mb = `${SIZE / MIB} MiB`;
  const row = (label, xs, vs) => `| ${label} | ${fmt(m(xs, 'mbps'))} | ${ms(m(xs, 'ttfb'))} | ${fmt(m(xs, 'seconds'), 2)} | ${vs ? ratio(m(xs, 'seconds'), m(vs, 'seconds')) : '1.00×'} |`;
  const c = generic.concurrent;
  const ttfbs = c.clients.map((x) => x.ttfb);
  const times = c.clients.map((x) => x.seconds);
  const table = [
    `| generic, ${mb} file, curl, median of ${g.direct.length} | MB/s | time to first byte, ms | total, s | time ÷ upstream directly |`,
    '|---|---:|---:|---:|---:|',
    row('upstream directly (node:http streaming from disk)', g.direct),
    row('remote, cold (first fetch: streamed to the client while stored and hashed)', g.remoteCold, g.direct),
    row('remote, warm (from the store)', g.remoteWarm, g.direct),
    row('virtual [hosted without the file, remote], cold (fresh path)', g.virtualCold, g.direct),
    row('virtual [hosted without the file, remote], warm (a path the remote holds)', g.virtualWarm, g.direct),
    '',
    `| ${CONCURRENT} concurrent cold GETs of one new ${mb} path through the remote | |`,
    '|---|---:|',
    `| upstream fetches | ${c.fetches} |`,
    `| all ${CONCURRENT} complete, s (wall) | ${fmt(c.wall, 2)} |`,
    `| aggregate MB/s delivered (${CONCURRENT} × ${mb} ÷ wall) | ${fmt(c.mbps)} |`,
    `| per client: time to first byte median / max, ms | ${ms(median(ttfbs))} / ${ms(Math.max(...ttfbs))} |`,
    `| per client: total median / min / max, s | ${fmt(median(times), 2)} / ${fmt(Math.min(...times), 2)} / ${fmt(Math.max(...times), 2)} |`,
    '',
    `| \`npm install\` of ${PACKAGES} packages (no lockfile, empty npm cache), median of ${installs.direct.length} | s | Strata CPU s | Verdaccio CPU s | time ÷ Verdaccio directly |`,
    '|---|---:|---:|---:|---:|',
    `| Verdaccio ${VERDACCIO_VERSION} directly | ${fmt(m(installs.direct, 'seconds'), 2)} | — | ${fmt(m(installs.direct, 'upstreamCpu'), 2)} | 1.00× |`,
    ...[
      ['cold', 'Strata remote, cold (a fresh remote repository each round: every packument and tarball from Verdaccio)'],
      ['warm', 'Strata remote, warm (everything cached, metadata within its max age)'],
      ['virtual', 'Strata virtual [hosted, remote], warm'],
      ['hosted', 'Strata hosted (the packages published to Strata itself)'],
      ['overHosted', 'Strata virtual [that hosted repository, remote] (every package from its hosted member)'],
    ].map(([k, label]) => `| ${label} | ${fmt(m(installs[k], 'seconds'), 2)} | ${fmt(m(installs[k], 'cpu'), 2)} | ${fmt(m(installs[k], 'upstreamCpu'), 2)} | ${ratio(m(installs[k], 'seconds'), m(installs.direct, 'seconds'))} |`),
    '',
    `Virtual over hosted: ${ratio(m(installs.overHosted, 'seconds'), m(installs.hosted, 'seconds'))} the time of the hosted repository itself, ${fmt(m(installs.overHosted, 'cpu') - m(installs.hosted, 'cpu'), 2)} s more Strata CPU per install.`,
  ];
  const list = (xs, f) => xs.map(f).join(', ');
  const samples = [
    ...Object.entries(g).map(([k, xs]) => `- generic ${k}: ${list(xs, (x) => `${fmt(x.mbps)} MB/s (TTFB ${ms(x.ttfb)} ms)`)}`),
    `- generic concurrent, per client s: ${list(times, (t) => fmt(t, 2))}`,
    ...Object.entries(installs).map(([k, xs]) => `- npm install ${k}: ${list(xs, (x) => `${fmt(x.seconds, 2)} s (Strata CPU ${fmt(x.cpu, 2)} s, Verdaccio CPU ${fmt(x.upstreamCpu, 2)} s)`)}`),
  ];
  return runSection({
    started,
    notes: [
      `Machine: ${info.text}. Strata ${info.commit}. Load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}, at end ${load1.map((l) => l.toFixed(2)).join(' ')}; CPU busy in the 2 s before start ${fmt(busy0 * 100, 0)}%${busyNote}.`,
      `Strata: embedded profile (PGlite, filesystem blobs), fresh data folder, log level warn; reads with a user's API token (Bearer). Generic upstream: node:http in the bench process on 127.0.0.1, every path its own ${mb} of bytes streamed from one file on disk (in the page cache after the first read); remote repository with \`allowPrivateNetwork: true\`; every cold run on a fresh path, and each checked to cost exactly one upstream fetch; ETags that are a sha256 checked against the file's (${generic.verified} of ${Object.values(g).flat().length - g.direct.length} Strata answers carried one, all matching). MB = 2^20 bytes; times from curl's \`%{time_starttransfer}\` and \`%{time_total}\`, \`-o /dev/null\`. Rounds interleave the rows. npm: Verdaccio ${VERDACCIO_VERSION} (htpasswd, JWT tokens, no uplinks) holding ${PACKAGES} generated packages; Strata's remotes reach it with a sealed bearer token, \`metadataMaxAgeSeconds: 3600\`; every install starts without node_modules, package-lock.json and npm cache; the warm remote and the virtual repository were warmed by one unmeasured install each. CPU columns: user+system CPU seconds of each process during the install (Verdaccio's shows what reached the upstream).`,
    ],
    table,
    samples,
  });
}

runBench(main, { describe: () => '' });
