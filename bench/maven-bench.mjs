#!/usr/bin/env node
// Maven repository benchmark: Strata beside the practical limit (bench/bare-server.mjs) and, when
// nginx is installed, nginx WebDAV (the peer ../shared/CLIENTS.md proved `mvn deploy` against),
// all in the same run.
//
//   npm run build && node bench/maven-bench.mjs [--quick] [--seconds=N] [--connections=N] [--no-write]
//
// 1. deploy rate of a 100 MiB jar: `curl -T` (a streamed PUT, as Maven's transport sends it) of a
//    fresh version each time, to Strata (Basic auth, sha256/sha1/md5/sha512 computed, POM-less
//    release path, event appended), to the bare server and to nginx WebDAV; rounds alternate the
//    order; medians and the ratio to the bare server.
// 2. maven-metadata.xml GETs under load with autocannon (keep-alive, Basic auth) of an artifact
//    with 50 deployed versions: requests/s and exact p50/p95/p99.
// Prints a Markdown table and rewrites the Maven section of bench/RESULTS.md (not with --quick or
// --no-write). Child processes and temporary folders are removed on every exit path.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { curlPutBare, load } from './pypi-bench-work.mjs';
import { benchUser, cleanEnv, freePort, run, runBench, startBare, startServer, startStrata as startRegistry, tempDir, waitFor } from './lib/processes.mjs';
import { commandLine, fmt, markers, median, writeSection } from './lib/results.mjs';

const SECTION = {
  ...markers('maven-bench', 'maven-bench.mjs'),
  heading: '## Maven repository: deploy rate and metadata reads',
  intro: '`node bench/maven-bench.mjs` (after `npm run build`).',
};

const options = commandLine();
const QUICK = options.has('--quick');
const WRITE = !QUICK && !options.has('--no-write');
const SECONDS = options.number('seconds', QUICK ? 3 : 10);
const CONNECTIONS = options.number('connections', 10);
const ROUNDS = QUICK ? 2 : 5;
const BIG_MIB = 100;
const VERSIONS = 50;
const log = (line) => process.stderr.write(`${line}\n`);

async function startStrata() {
  const strata = await startRegistry();
  const token = await benchUser(strata, [{ name: 'bench', format: 'maven', maxUploadBytes: 2 ** 30 }], ['read', 'write']);
  return { name: 'Strata (embedded)', base: `${strata.base}/maven/bench`, token, pid: strata.pid, stop: () => strata.stop() };
}

/** nginx with the WebDAV module, PUT allowed, on a private config; null when nginx is not installed. */
async function startNginx() {
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  if (!nginx) return null;
  const dir = await tempDir('nginx');
  const port = await freePort();
  await writeFile(
    join(dir, 'nginx.conf'),
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 256; }
http { access_log off; client_body_temp_path ${dir}/tmp; client_max_body_size 0;
  server { listen 127.0.0.1:${port}; root ${dir}/www; location / { dav_methods PUT; create_full_put_path on; } } }\n`,
  );
  await run('mkdir', ['-p', join(dir, 'www'), join(dir, 'tmp')]);
  // its worker runs as an unprivileged user when started as root
  await run('chmod', ['-R', 'a+rwx', dir]);
  const server = startServer(nginx, ['-c', join(dir, 'nginx.conf'), '-p', dir], cleanEnv());
  await waitFor(`http://127.0.0.1:${port}/`, server, { ok: (status) => status !== 0, timeoutMs: 10_000, intervalMs: 100 });
  return { name: 'nginx WebDAV', base: `http://127.0.0.1:${port}`, pid: server.pid, stop: () => server.stop() };
}

async function curlPut(url, file, auth) {
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', ...(auth ? ['-u', auth] : []), '-T', file, url]);
  const [status, seconds] = stdout.trim().split(' ');
  if (status !== '201' && status !== '204') throw new Error(`PUT ${url}: ${status}`);
  return { mbps: BIG_MIB / Number(seconds) };
}

const pom = (v) => `<?xml version="1.0"?><project><modelVersion>4.0.0</modelVersion><groupId>com.example.bench</groupId><artifactId>meta</artifactId><version>${v}</version></project>`;

async function main() {
  const work = await tempDir('maven-bench');
  const big = join(work, 'big.jar');
  await run('sh', ['-c', `head -c ${BIG_MIB * 2 ** 20} /dev/urandom > ${big}`]);
  const strata = await startStrata();
  const bare = await startBare();
  const nginx = await startNginx();
  const auth = `deployer:${strata.token}`;
  const rates = { strata: [], bare: [], nginx: [] };
  log(`deploy rate: ${ROUNDS} rounds of a ${BIG_MIB} MiB jar`);
  for (let round = 0; round < ROUNDS; round++) {
    const path = `com/example/bench/big/1.0.${round}/big-1.0.${round}.jar`;
    const steps = [
      async () => rates.strata.push((await curlPut(`${strata.base}/${path}`, big, auth)).mbps),
      async () => rates.bare.push((await curlPutBare(bare, path, big, BIG_MIB * 2 ** 20)).mbps),
      ...(nginx ? [async () => rates.nginx.push((await curlPut(`${nginx.base}/${path}`, big)).mbps)] : []),
    ];
    for (const step of round % 2 ? steps.reverse() : steps) await step();
  }
  log(`metadata: ${VERSIONS} versions, then ${SECONDS} s of GETs with ${CONNECTIONS} connections`);
  for (let i = 1; i <= VERSIONS; i++) {
    const r = await fetch(`${strata.base}/com/example/bench/meta/1.${i}/meta-1.${i}.pom`, { method: 'PUT', headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` }, body: pom(`1.${i}`) });
    if (r.status !== 201) throw new Error(`deploy pom 1.${i}: ${r.status} ${await r.text()}`);
  }
  const metaUrl = `${strata.base}/com/example/bench/meta/maven-metadata.xml`;
  const meta = await load(strata, metaUrl, { authorization: `Basic ${Buffer.from(auth).toString('base64')}` }, { seconds: SECONDS, connections: CONNECTIONS });
  await Promise.all([strata.stop(), bare.stop(), nginx?.stop()]);
  const m = { strata: median(rates.strata), bare: median(rates.bare), nginx: nginx ? median(rates.nginx) : NaN };
  const lines = [
    `Run ${new Date().toISOString().slice(0, 16)}Z on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}; ${ROUNDS} rounds, medians; load average ${os.loadavg()[0].toFixed(1)} at the end (the cores are shared with other work: compare ratios within one run).`,
    '',
    '| deploy of a 100 MiB jar (`curl -T`, streamed PUT) | MB/s | ratio to bare |',
    '|---|---:|---:|',
    `| Strata (embedded: sha256 + sha1/md5/sha512 on a worker, fsync, event, projection) | ${fmt(m.strata)} | ${fmt(m.strata / m.bare, 2)} |`,
    `| bare node:http (sha256, no fsync) | ${fmt(m.bare)} | 1.00 |`,
    `| nginx WebDAV (no hashing) | ${nginx ? fmt(m.nginx) : 'not installed'} | ${nginx ? fmt(m.nginx / m.bare, 2) : '—'} |`,
    '',
    `| \`maven-metadata.xml\` GET (${VERSIONS} versions, ${CONNECTIONS} connections, ${SECONDS} s, Basic auth) | req/s | p50 ms | p95 ms | p99 ms |`,
    '|---|---:|---:|---:|---:|',
    `| Strata (stored document, one indexed row) | ${fmt(meta.rps, 0)} | ${fmt(meta.p50)} | ${fmt(meta.p95)} | ${fmt(meta.p99)} |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (WRITE) writeSection({ ...SECTION, body: lines.join('\n') });
}

runBench(main);
