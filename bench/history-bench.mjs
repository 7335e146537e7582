#!/usr/bin/env node
// History and compliance: export rate and projection rebuild rate over a log of N events (issue 8).
//
//   node bench/history-bench.mjs [--events=N] [--pglite]
//
// Needs a build (`npm run build`; it imports dist/). Uses the real PostgreSQL server named by
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) in a fresh schema, or the
// embedded PGlite with --pglite. It appends N events (default 12,000) shaped like a busy registry:
// repositories, generic and npm publishes with tags, deletions, promotions, permission grants;
// then measures, each as the median of 3 runs:
//   - export: GET /api/v1/exports/events's streaming path (EventExporter, JSONL) into a null sink
//   - offline verification of that JSONL (ChainVerifier over the parsed lines)
//   - projection rebuild: ProjectionRunner.rebuild (shadow table, swap) of the history index, of
//     blob-references, and of npm-packages (which also sees promotions presented as publishes)
// and rewrites its section of bench/RESULTS.md. The schema is dropped on every exit path.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import os from 'node:os';
import { ROOT, cleanup, onCleanup } from './lib/processes.mjs';
import { markers, median, writeSection } from './lib/results.mjs';

const SECTION = { ...markers('history-bench', 'history-bench.mjs'), heading: '## History and compliance: export and projection rebuild rates' };
const argv = process.argv.slice(2);
const N = Number(argv.find((a) => a.startsWith('--events='))?.split('=')[1] ?? 12_000);
const PGLITE = argv.includes('--pglite');
if (!(N >= 100) || argv.some((a) => !a.startsWith('--events=') && a !== '--pglite')) {
  process.stderr.write('usage: node bench/history-bench.mjs [--events=N] [--pglite]\n');
  process.exit(2);
}

const dist = (p) => import(join(ROOT, 'dist', p));
const { PgSql } = await dist('libs/adapters/sql-pg/index.js');
const { PgliteSql } = await dist('libs/adapters/sql-pglite/index.js');
const { PostgresEventStore } = await dist('libs/adapters/event-store-postgres/index.js');
const { migrate, ProjectionRunner, EventExporter } = await dist('libs/app/index.js');
const { ChainVerifier } = await dist('libs/ports/index.js');
const { allProjections } = await dist('apps/registry/build-services.js');

async function openSql() {
  if (PGLITE) return PgliteSql.open();
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_history_${randomBytes(4).toString('hex')}`;
  const admin = new PgSql({ connectionString: url });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const sql = new PgSql({ connectionString: url, schema });
  onCleanup(async () => {
    await sql.close().catch(() => undefined);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.close();
  });
  return sql;
}

const meta = (actor) => ({ actor, authMethod: 'token', clientIp: '10.0.0.7', userAgent: 'npm/11.0.0 node/v20', correlationId: randomBytes(8).toString('hex') });
const file = (name, version) => ({ path: `${name}-${version}.tgz`, digest: `sha256:${randomBytes(32).toString('hex')}`, size: 1000 + Math.floor(Math.random() * 100_000), mediaType: 'application/octet-stream', sha1: randomBytes(20).toString('hex') });

/** Appends about `n` events shaped like real traffic; returns the count. */
async function seed(store, n) {
  const repos = ['npm-staging', 'npm-release', 'files'];
  for (const repository of repos) {
    await store.append(`repository-${repository}`, [{ type: 'RepositoryCreated', schemaVersion: 1, data: { repository, format: repository === 'files' ? 'generic' : 'npm', repositoryType: 'hosted', config: { anonymousRead: false, allowRedeploy: false, maxUploadBytes: 1e9 } }, metadata: meta('admin') }], 0);
  }
  let count = 3;
  let pkg = 0;
  while (count < n) {
    const name = `pkg-${pkg++}`;
    const versions = {};
    const stream = `artifact-npm-staging-npm-${name}`;
    let v = 0;
    for (let i = 0; i < 4 && count < n; i++) {
      const version = `1.${i}.0`;
      const files = [file(name, version)];
      const manifest = { name, version, description: `${name} does things`, main: 'index.js', dependencies: { 'left-pad': '^1.0.0' } };
      const publish = { type: 'ArtifactPublished', schemaVersion: 1, data: { repository: 'npm-staging', format: 'npm', name, version, files, metadata: { manifest, integrity: `sha512-${randomBytes(64).toString('base64')}`, shasum: files[0].sha1, fileCount: 3, unpackedSize: 4000, hasShrinkwrap: false } }, metadata: meta('alice') };
      versions[version] = publish.data;
      const tag = { type: 'TagSet', schemaVersion: 1, data: { repository: 'npm-staging', format: 'npm', name, tag: 'latest', version }, metadata: meta('alice') };
      await store.append(stream, [publish, tag], v);
      v += 2;
      count += 2;
    }
    if (pkg % 3 === 0 && count < n) {
      const version = '1.0.0';
      const promoted = { type: 'ArtifactPromoted', schemaVersion: 1, data: { ...versions[version], repository: 'npm-release', from: 'npm-staging', to: 'npm-release' }, metadata: meta('release-bot') };
      await store.append(`artifact-npm-release-npm-${name}`, [promoted], 0);
      count += 1;
    }
    if (pkg % 5 === 0 && count < n) {
      await store.append(stream, [{ type: 'ArtifactDeleted', schemaVersion: 1, data: { repository: 'npm-staging', format: 'npm', name, version: '1.0.0', files: versions['1.0.0'].files }, metadata: meta('alice') }], v);
      count += 1;
    }
    if (pkg % 50 === 0 && count < n) {
      await store.append(`repository-npm-staging`, [{ type: 'PermissionGranted', schemaVersion: 1, data: { grantId: randomBytes(8).toString('hex'), repository: 'npm-staging', subject: { type: 'user', id: `user-${pkg}` }, actions: ['read'] } , metadata: meta('admin') }], 'any');
      count += 1;
    }
  }
  return (await store.head()).position;
}

async function timed(fn) {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    await fn();
    runs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(runs);
}

try {
  const sql = await openSql();
  await migrate(sql);
  const store = new PostgresEventStore(sql);
  await store.start();
  const t0 = Date.now();
  const events = await seed(store, N);
  process.stderr.write(`seeded ${events} events in ${Date.now() - t0} ms\n`);

  const exporter = new EventExporter(store);
  let bytes = 0;
  let jsonl = '';
  const exportMs = await timed(async () => {
    bytes = 0;
    const chunks = [];
    await pipeline(exporter.stream(await exporter.plan({}), 'jsonl'), new Writable({ write(c, _e, cb) { bytes += c.length; chunks.push(c); cb(); } }));
    jsonl = Buffer.concat(chunks).toString();
  });
  const csvMs = await timed(async () => {
    await pipeline(exporter.stream(await exporter.plan({}), 'csv'), new Writable({ write(_c, _e, cb) { cb(); } }));
  });
  const verifyMs = await timed(async () => {
    const v = new ChainVerifier();
    for (const line of jsonl.split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line);
      if (e.export || e.trailer) continue;
      if (!v.check(e)) throw new Error(`chain broken: ${JSON.stringify(v.verdict())}`);
    }
  });

  const runner = new ProjectionRunner(sql, store, allProjections());
  await runner.init();
  const rebuild = {};
  for (const name of ['history-events', 'blob-references', 'npm-packages']) {
    await runner.catchUp(name);
    rebuild[name] = await timed(() => runner.rebuild(name));
    const check = await runner.verify(name);
    if (!check.ok) throw new Error(`${name} differs after rebuild: ${JSON.stringify(check)}`);
  }
  await store.close();
  await cleanup();

  const rate = (ms) => Math.round(events / (ms / 1000)).toLocaleString('en-US');
  const rows = [
    ['export, JSONL (streamed, batched reads by position)', `${exportMs.toFixed(0)} ms`, `${rate(exportMs)} events/s`, `${(bytes / 1024 / 1024).toFixed(1)} MiB`],
    ['export, CSV', `${csvMs.toFixed(0)} ms`, `${rate(csvMs)} events/s`, ''],
    ['offline verification of the JSONL (hash chain)', `${verifyMs.toFixed(0)} ms`, `${rate(verifyMs)} events/s`, ''],
    ...Object.entries(rebuild).map(([name, ms]) => [`projection rebuild: ${name} (shadow table + swap)`, `${ms.toFixed(0)} ms`, `${rate(ms)} events/s`, '']),
  ];
  const table = ['| measure | time (median of 3) | rate | size |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const section = [
    `Run: ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}, ${PGLITE ? 'embedded PGlite' : 'PostgreSQL server'}, log of ${events.toLocaleString('en-US')} events.`,
    '',
    table,
    '',
    'Design target (DESIGN.md section 13): projection replay above 10,000 events/s.',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  writeSection({ ...SECTION, intro: `\`node bench/history-bench.mjs\` (${PGLITE ? '--pglite' : 'PostgreSQL server'}): see the script header for what it measures.`, body: section });
} catch (e) {
  await cleanup();
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
}
