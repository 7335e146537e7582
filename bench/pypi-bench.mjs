#!/usr/bin/env node
// PyPI repository benchmark (issue 5): simple-page reads under load and 100 MB wheel uploads,
// against the bare node:http server of bench/bare-server.mjs measured in the same run.
//
//   npm run build && node bench/pypi-bench.mjs [--quick] [--seconds=N] [--connections=N] [--dist=DIR] [--no-write]
//
// --dist: the build to run (default dist/; e.g. a private `tsc -p tsconfig.build.json --outDir
// bench/.work/dist` while others use dist/). Profiles: Strata embedded (PGlite, filesystem blobs),
// and, when TEST_DATABASE_URL is set, Strata on that PostgreSQL server (a fresh database, dropped
// at the end). For each profile, one after the other:
//   1. generates (Debian's python3, zipfile/tarfile) `bench-many` with 100 releases of a wheel and
//      an sdist, and three 100 MiB wheels of `bench-many-big`;
//   2. uploads the 200 small files through the legacy upload API (twine's multipart form) to the
//      token-only repository `bench` and to `open` (anonymous read): upload p50/p95;
//   3. simple-page GETs of bench-many (200 files) under load with autocannon: PEP 691 JSON with
//      pip's Accept header and PEP 503 HTML, with a token (Basic `__token__`) and anonymously, plus
//      the JSON API document (`/pypi/<project>/json`): req/s and exact p50/p95/p99;
//   4. the 100 MiB wheels: `curl -F content=@file` multipart uploads to Strata (streamed, as twine
//      sends them) against `curl -T` PUTs to the bare server, interleaved, median of 3; one real
//      `twine upload` of the same wheel (information); then downloads of the same from both.
// There is no PyPI server to compare with here (pypiserver and devpi are not in Debian), so the
// ratios are against the bare server. Prints Markdown and rewrites the PyPI section of
// bench/RESULTS.md (not with --quick or --no-write). Children and temp files go on every exit path.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PIP_JSON, authHeader, curlDownload, curlPutBare, curlUploadWheel, generateDistributions, load, startBare, startStrata, twineUpload, uploadSmall } from './pypi-bench-work.mjs';
import { ROOT, runBench } from './lib/processes.mjs';
import { builtAt, commandLine, fmt, git, markers, median, percentile, runSection, writeSection } from './lib/results.mjs';

const SECTION = { ...markers('pypi-bench', 'pypi-bench.mjs'), heading: '## PyPI repository: simple pages under load and 100 MB wheel uploads' };

const options = commandLine();
options.check('node bench/pypi-bench.mjs [--quick] [--seconds=N] [--connections=N] [--dist=DIR] [--no-write]', { flags: ['--quick', '--no-write'], numbers: ['seconds', 'connections'], strings: ['dist'] });
const argv = options.argv;
const QUICK = options.has('--quick');
const WRITE = !QUICK && !options.has('--no-write');
const SECONDS = options.number('seconds', QUICK ? 3 : 10);
const CONNECTIONS = options.number('connections', 10);
const MAIN = join(resolve(ROOT, options.string('dist', 'dist')), 'apps/registry/main.js');
const VERSIONS = QUICK ? 20 : 100;
const BIG_MIB = 100;
const PROJECT = 'bench-many';

const log = (line) => process.stderr.write(`[pypi-bench] ${line}\n`);
const pct = (a, b) => (b ? `${Math.round((100 * a) / b)}%` : '—');

async function sha256File(file) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Every small distribution: [version, filename, bytes], oldest release first. */
function smallDistributions(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.whl') || f.endsWith('.tar.gz'));
  const versionOf = (f) => /-(1\.\d+\.0)[-.]/.exec(f)[1];
  return files.sort((a, b) => Number(versionOf(a).split('.')[1]) - Number(versionOf(b).split('.')[1]) || a.localeCompare(b)).map((f) => [versionOf(f), f, readFileSync(join(dir, f))]);
}

async function benchProfile(dists, bare, databaseUrl) {
  const started = Date.now();
  const target = await startStrata(MAIN, { databaseUrl });
  log(`${target.name} at ${target.base}`);
  try {
    const small = smallDistributions(dists);
    const uploads = [];
    const t0 = performance.now();
    for (const repo of ['bench', 'open']) for (const [version, filename, bytes] of small) uploads.push(await uploadSmall(target, repo, PROJECT, version, filename, bytes));
    const upload = { n: uploads.length, seconds: (performance.now() - t0) / 1000, p50: median(uploads), p95: percentile(uploads, 95) };
    log(`  ${upload.n} small uploads in ${fmt(upload.seconds)} s (p50 ${fmt(upload.p50)} ms, p95 ${fmt(upload.p95)} ms)`);

    const page = (repo) => `${target.base}/pypi/${repo}/simple/${PROJECT}/`;
    const token = { authorization: authHeader(target.token) };
    const cases = [
      ['simple page, PEP 691 JSON (pip\'s Accept), token', page('bench'), { ...token, accept: PIP_JSON }],
      ['simple page, PEP 503 HTML, token', page('bench'), { ...token, accept: 'text/html' }],
      ['simple page, PEP 691 JSON, anonymous', page('open'), { accept: PIP_JSON }],
      ['simple page, PEP 503 HTML, anonymous', page('open'), { accept: 'text/html' }],
      ['JSON API `/pypi/<project>/json`, token', `${target.base}/pypi/bench/pypi/${PROJECT}/json`, token],
    ];
    const reads = [];
    for (const [label, url, headers] of cases) {
      await load(target, url, headers, { seconds: 2, connections: CONNECTIONS });
      const r = await load(target, url, headers, { seconds: SECONDS, connections: CONNECTIONS });
      reads.push({ label, ...r });
      log(`  ${label}: ${fmt(r.rps, 0)} req/s, p50 ${fmt(r.p50, 2)} / p95 ${fmt(r.p95, 2)} / p99 ${fmt(r.p99, 2)} ms, ${fmt(r.bytes / 1024)} KiB each`);
    }

    const bigDir = join(dists, 'big');
    const big = readdirSync(bigDir).sort();
    const up = { strata: [], bare: [] };
    const down = { strata: [], bare: [] };
    for (const [i, file] of big.entries()) {
      const path = join(bigDir, file);
      const bytes = statSync(path).size;
      const version = /-(100\.\d)-/.exec(file)[1];
      const s = await curlUploadWheel(target, 'bench', `${PROJECT}-big`, version, path, await sha256File(path), bytes);
      const barePath = `${started}-${i}/${file}`;
      const b = await curlPutBare(bare, barePath, path, bytes);
      up.strata.push({ ...s, bytes });
      up.bare.push({ ...b, bytes, path: barePath });
      log(`  100 MiB wheel upload ${i + 1}: Strata ${fmt(s.mbps)} MB/s (CPU ${fmt(s.cpu, 2)} s), bare ${fmt(b.mbps)} MB/s (CPU ${fmt(b.cpu, 2)} s)`);
    }
    const twine = await twineUpload(target, 'open', join(bigDir, big[0]), statSync(join(bigDir, big[0])).size);
    log(`  100 MiB wheel, twine upload: ${fmt(twine.mbps)} MB/s`);
    for (const [i, file] of big.entries()) {
      const bytes = statSync(join(bigDir, file)).size;
      down.strata.push(await curlDownload(`${target.base}/pypi/bench/files/${PROJECT}-big/${file}`, bytes, target.token));
      down.bare.push(await curlDownload(`${bare.base}/${up.bare[i].path}`, bytes));
    }
    return { name: target.name, upload, reads, up, down, twine };
  } finally {
    await target.stop();
  }
}

function machine() {
  const cpus = os.cpus();
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const built = builtAt(resolve(MAIN, '../../..'));
  return `${cpus.length} cores (${cpus[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, Linux ${os.release()}; Strata at ${commit} (plus uncommitted work), build ${MAIN.replace(`${ROOT}/`, '')} of ${built}`;
}

function render(started, load0, load1, profiles) {
  const rows = [];
  for (const p of profiles) {
    rows.push(`| **${p.name}** | | | |`);
    rows.push(`| ${p.upload.n} small uploads (wheel or sdist, 1–3 KiB) through the legacy upload API, one after another: total s; p50 / p95 ms | ${fmt(p.upload.seconds)}; ${fmt(p.upload.p50)} / ${fmt(p.upload.p95)} | | |`);
    for (const r of p.reads) rows.push(`| ${r.label} (${VERSIONS} releases, ${2 * VERSIONS} files, ${fmt(r.bytes / 1024)} KiB): req/s; p50 / p95 / p99 ms | ${fmt(r.rps, 0)}; ${fmt(r.p50, 2)} / **${fmt(r.p95, 2)}** / ${fmt(r.p99, 2)} | | p95 < 10 ms: ${r.p95 < 10 ? 'met' : '**missed**'} |`);
    const su = median(p.up.strata.map((x) => x.mbps));
    const bu = median(p.up.bare.map((x) => x.mbps));
    rows.push(`| 100 MiB wheel upload, MB/s (median of ${p.up.strata.length}): Strata multipart \`POST /pypi/bench/\` vs bare \`PUT\` | ${fmt(su)} | ${fmt(bu)} | ${pct(su, bu)} of bare (target ≥ 90%): ${su >= 0.9 * bu ? 'met' : '**missed**'} |`);
    rows.push(`| … the real \`twine upload\` of one of them (information: wall clock, Python's start-up and twine's own hashing included), MB/s | ${fmt(p.twine.mbps)} | | |`);
    rows.push(`| … server CPU s per 100 MiB upload (median) | ${fmt(median(p.up.strata.map((x) => x.cpu)), 2)} | ${fmt(median(p.up.bare.map((x) => x.cpu)), 2)} | |`);
    const sd = median(p.down.strata.map((x) => x.mbps));
    const bd = median(p.down.bare.map((x) => x.mbps));
    rows.push(`| 100 MiB wheel download, MB/s (median of ${p.down.strata.length}) | ${fmt(sd)} | ${fmt(bd)} | ${pct(sd, bd)} of bare (target ≥ 80%): ${sd >= 0.8 * bd ? 'met' : '**missed**'} |`);
  }
  const samples = profiles.map((p) => `- ${p.name}: uploads ${p.up.strata.map((x) => fmt(x.mbps)).join(', ')} MB/s; bare ${p.up.bare.map((x) => fmt(x.mbps)).join(', ')} MB/s; downloads ${p.down.strata.map((x) => fmt(x.mbps)).join(', ')} MB/s; bare ${p.down.bare.map((x) => fmt(x.mbps)).join(', ')} MB/s`);
  return runSection({
    started,
    notes: [
      `Machine: ${machine()}. Load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}, at end ${load1.map((l) => l.toFixed(2)).join(' ')}${load0[0] > os.cpus().length * 0.5 ? ' — **other work was running: compare ratios, the absolute figures less so**' : ''}.`,
      `Command: \`node bench/pypi-bench.mjs ${argv.join(' ')}\`. Load: autocannon in the bench process, ${CONNECTIONS} keep-alive connections, ${SECONDS} s per measurement after a 2 s warm-up. Transfers: curl, one at a time, Strata and the bare server interleaved. No PyPI peer runs here (pypiserver and devpi are not packaged by Debian), so ratios are against the bare server.`,
    ],
    table: ['| measure | Strata | bare node:http | ratio / target |', '|---|---:|---:|---|', ...rows],
    samples,
  });
}

async function main() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (or pass --dist=DIR)`);
  const started = new Date();
  const load0 = os.loadavg();
  log(`generating ${VERSIONS} releases of ${PROJECT} and three ${BIG_MIB} MiB wheels ...`);
  const dists = await generateDistributions(PROJECT, VERSIONS, BIG_MIB);
  const bare = await startBare();
  const profiles = [await benchProfile(dists, bare)];
  if (process.env.TEST_DATABASE_URL) profiles.push(await benchProfile(dists, bare, process.env.TEST_DATABASE_URL));
  await bare.stop();
  const report = render(started, load0, os.loadavg(), profiles);
  process.stdout.write(`${report}\n`);
  if (WRITE) log(`wrote ${writeSection({ ...SECTION, body: report })}`);
}

runBench(main);
