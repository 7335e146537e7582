import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { main } from '../../apps/cli/main.js';
import { captureIo } from '../../apps/cli/stub-server.js';
import { freePort, npmClient, packageFixture, consumerProject, type NpmClient } from '../support/npm-client.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

/**
 * History, compliance exports, offline verification and tamper detection, restore (issue 8):
 * the admin API, the `strata` CLI and the real npm CLI for the restored version.
 */
describe('history, exports, verification and restore', () => {
  let r: TestRegistry;
  let base: string;
  let npm: NpmClient;
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const strata = async (...args: string[]) => {
    const io = captureIo({ STRATA_URL: base, STRATA_TOKEN: r.token }, { pollIntervalMs: 20 });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  const put = (path: string, body: string) => request(r.http).put(`/generic/${path}`).set(admin()).set('content-type', 'application/octet-stream').send(body);
  let tBetween: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    r = await startTestRegistry({ STRATA_BASE_URL: base, STRATA_GC_GRACE_SECONDS: '0' });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'files', format: 'generic' }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'other', format: 'generic' }).expect(201);
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'npm-h', format: 'npm' }).expect(201);
    await request(r.http).post('/api/v1/users').set(admin()).send({ username: 'carol', password: 'correct horse battery staple' }).expect(201);
    await put('files/a/one.txt', 'one').expect(201);
    await new Promise((res) => setTimeout(res, 20));
    tBetween = new Date().toISOString();
    await new Promise((res) => setTimeout(res, 20));
    await request(r.http).patch('/api/v1/repositories/files').set(admin()).send({ description: 'build outputs' }).expect(200);
    await request(r.http).post('/api/v1/repositories/files/permissions').set(admin()).send({ subject: { type: 'user', id: 'carol' }, actions: ['read'] }).expect(201);
    await put('files/a/two.txt', 'two').expect(201);
    await put('other/x.txt', 'x').expect(201);
    await request(r.http).delete('/generic/files/a/one.txt').set(admin()).expect(204);
    npm = await npmClient(`${base}/npm/npm-h/`);
    await npm.login(r.token);
  });
  afterAll(async () => {
    await npm?.close();
    await r?.stop();
  });

  it('repository history lists every event that touched it, with who and from where, filtered and paged by position', async () => {
    const all = await request(r.http).get('/api/v1/repositories/files/history').set(admin()).expect(200);
    const types = all.body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(['RepositoryCreated', 'ArtifactPublished', 'RepositoryConfigured', 'PermissionGranted', 'ArtifactPublished', 'ArtifactDeleted']);
    expect(all.body.items[1]).toMatchObject({ repository: 'files', package: 'a/one.txt', metadata: { actor: 'token:bootstrap-admin', clientIp: expect.any(String) } });
    expect(all.body.next).toBeNull();

    const since = await request(r.http).get(`/api/v1/repositories/files/history?since=${encodeURIComponent(tBetween)}&type=ArtifactPublished,ArtifactDeleted`).set(admin()).expect(200);
    expect(since.body.items.map((e: { type: string; package: string }) => `${e.type} ${e.package}`)).toEqual(['ArtifactPublished a/two.txt', 'ArtifactDeleted a/one.txt']);
    const until = await request(r.http).get(`/api/v1/repositories/files/history?until=${encodeURIComponent(tBetween)}`).set(admin()).expect(200);
    expect(until.body.items).toHaveLength(2);
    expect((await request(r.http).get('/api/v1/repositories/files/history?actor=nobody').set(admin()).expect(200)).body.items).toEqual([]);

    // pages of two, following the next links
    const seen: number[] = [];
    let next: string | null = '/api/v1/repositories/files/history?limit=2';
    while (next) {
      const page: { body: { items: { position: number }[]; next: string | null } } = await request(r.http).get(next).set(admin()).expect(200);
      seen.push(...page.body.items.map((e) => e.position));
      next = page.body.next;
    }
    expect(seen).toEqual(all.body.items.map((e: { position: number }) => e.position));

    const pkg = await request(r.http).get('/api/v1/repositories/files/packages/a/one.txt/history').set(admin()).expect(200);
    expect(pkg.body.items.map((e: { type: string }) => e.type)).toEqual(['ArtifactPublished', 'ArtifactDeleted']);
    await request(r.http).get('/api/v1/repositories/files/history?since=yesterday').set(admin()).expect(400);
    await request(r.http).get('/api/v1/repositories/files/history').expect(401);

    const cli = await strata('history', 'files');
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/PermissionGranted/);
    expect(cli.out).toMatch(/a\/two\.txt/);
  });

  it('strata export writes JSONL that strata verify --file checks offline; filtered exports and CSV too', async () => {
    const dir = r.dataDir;
    const full = join(dir, 'full.jsonl');
    expect((await strata('export', '--output', full)).code).toBe(0);
    const lines = (await readFile(full, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const head = (await request(r.http).get('/api/v1/events/verify').set(admin()).expect(200)).body;
    expect(lines[0].export).toMatchObject({ from: 1, contiguous: true, chainHead: { hash: head.head } });
    expect(lines.at(-1).trailer).toMatchObject({ events: lines.length - 2, lastHash: head.head });
    const ok = await strata('verify', '--file', full, '--expect-head', head.head);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/chain ok: \d+ events/);

    const only = join(dir, 'other.jsonl');
    expect((await strata('export', '--output', only, '--repository', 'other')).code).toBe(0);
    const otherLines = (await readFile(only, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(otherLines.slice(1, -1).map((e) => e.type)).toEqual(['RepositoryCreated', 'ArtifactPublished']);
    const filtered = await strata('verify', '--file', only);
    expect(filtered.code).toBe(0);
    expect(filtered.err).toMatch(/filtered export/);

    const csv = await request(r.http).get('/api/v1/exports/events?format=csv&type=ArtifactDeleted').set(admin()).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['x-strata-chain-head']).toMatch(/^\d+ [0-9a-f]{64}$/);
    expect(csv.text.split('\n')[0]).toBe('position,recordedAt,streamId,streamVersion,type,schemaVersion,actor,authMethod,clientIp,prevHash,hash,data,metadata');
    expect(csv.text.trim().split('\n')).toHaveLength(2);

    // a cut file is refused: the trailer is missing
    const cut = join(dir, 'cut.jsonl');
    await import('node:fs/promises').then((fs) => fs.writeFile(cut, lines.slice(0, -2).map((l) => JSON.stringify(l)).join('\n') + '\n'));
    const cutVerdict = await strata('verify', '--file', cut);
    expect(cutVerdict.code).toBe(1);
    expect(cutVerdict.out).toMatch(/no trailer/);
  });

  it('a background export job reports progress and offers a download that verifies', async () => {
    const started = await request(r.http).post('/api/v1/exports').set(admin()).send({ format: 'jsonl' }).expect(202);
    expect(started.body).toMatchObject({ id: expect.any(String), progress: { from: 1 } });
    let job = started.body;
    for (let i = 0; i < 100 && job.state !== 'done'; i++) {
      await new Promise((res) => setTimeout(res, 50));
      job = (await request(r.http).get(`/api/v1/exports/${job.id}`).set(admin()).expect(200)).body;
    }
    expect(job).toMatchObject({ state: 'done', progress: { ratio: 1 }, download: `/api/v1/exports/${job.id}/download` });
    const file = join(r.dataDir, 'job.jsonl');
    expect((await strata('export', '--background', '--output', file)).code).toBe(0);
    expect((await strata('verify', '--file', file)).code).toBe(0);
    const body = await request(r.http).get(job.download).set(admin()).expect(200);
    expect(body.text.split('\n')[0]).toMatch(/"export"/);
  });

  it('npm unpublish, then strata restore: npm installs the version again; GC kept its blob through the window', async () => {
    await npm.ok(['publish'], { cwd: await packageFixture(npm.root, 'undo-me', '1.0.0', 'undone') });
    await npm.ok(['publish'], { cwd: await packageFixture(npm.root, 'undo-me', '1.1.0', 'kept') });
    await npm.ok(['unpublish', 'undo-me@1.0.0', '--force']);
    expect(JSON.parse(await npm.ok(['view', 'undo-me', 'versions', '--json']))).toEqual(['1.1.0']);
    // npm itself may not publish 1.0.0 again
    const again = await npm.run(['publish'], { cwd: await packageFixture(npm.root, 'undo-me', '1.0.0', 'other bytes') });
    expect(again.code).not.toBe(0);

    const gc = await request(r.http).post('/api/v1/gc').set(admin()).expect(200);
    expect(gc.body.kept.some((k: { reason: string }) => /undo window/.test(k.reason))).toBe(true);

    const restored = await strata('restore', 'npm-h', 'undo-me', '1.0.0');
    expect(restored.code).toBe(0);
    expect(JSON.parse(await npm.ok(['view', 'undo-me', 'versions', '--json']))).toEqual(['1.0.0', '1.1.0']);
    const app = await consumerProject(npm.root, 'restore-app');
    await npm.ok(['install', 'undo-me@1.0.0', '--no-audit'], { cwd: app });
    expect(await readFile(join(app, 'node_modules', 'undo-me', 'index.js'), 'utf8')).toContain('undone');
    // restoring a live version is a conflict; a version that never existed is not found
    await request(r.http).post('/api/v1/repositories/npm-h/packages/undo-me/versions/1.0.0/restore').set(admin()).expect(409);
    await request(r.http).post('/api/v1/repositories/npm-h/packages/undo-me/versions/7.0.0/restore').set(admin()).expect(404);
    const hist = await request(r.http).get('/api/v1/repositories/npm-h/packages/undo-me/history?type=ArtifactRestored').set(admin()).expect(200);
    expect(hist.body.items).toHaveLength(1);
  });

  it('outside the restore window GC frees the blob and restore answers 410; a legal hold keeps blobs', async () => {
    await request(r.http).patch('/api/v1/repositories/files').set(admin()).send({ legalHold: true }).expect(200);
    const held = await request(r.http).post('/api/v1/gc').set(admin()).expect(200);
    expect(held.body.kept.some((k: { reason: string }) => /legal hold of repository files/.test(k.reason))).toBe(true);
    await request(r.http).patch('/api/v1/repositories/files').set(admin()).send({ legalHold: false, restoreWindowDays: 0 }).expect(200);
    await request(r.http).post('/api/v1/repositories/files/packages/a/one.txt/versions//restore').set(admin()).expect(410);
    const gc = await request(r.http).post('/api/v1/gc').set(admin()).expect(200);
    expect(gc.body.removed.some((k: { reason: string }) => /undo window has passed/.test(k.reason))).toBe(true);
  });

  it('strata projections verify rebuilds every read model (the history index included) into a shadow copy and finds no difference', async () => {
    const verified = await strata('projections', 'verify');
    expect(verified.out).toMatch(/history-events: ok/);
    expect(verified.out).toMatch(/npm-packages: ok/);
    expect(verified.code).toBe(0);
  });

  it('an event changed directly in SQL is reported at its exact position by strata verify and by the offline file check', async () => {
    const target = (await request(r.http).get('/api/v1/repositories/files/history?type=RepositoryConfigured').set(admin()).expect(200)).body.items[0].position as number;
    await r.services.infra.sql.query(`UPDATE events SET data = jsonb_set(data, '{config,description}', '"forged"') WHERE position = $1`, [target]);
    const server = await strata('verify');
    expect(server.code).toBe(1);
    expect(server.out).toMatch(new RegExp(`chain BROKEN at position ${target}\\b`));
    const file = join(r.dataDir, 'tampered.jsonl');
    expect((await strata('export', '--output', file)).code).toBe(0);
    const offline = await strata('verify', '--file', file, '--json');
    expect(offline.code).toBe(1);
    expect(JSON.parse(offline.out)).toMatchObject({ ok: false, brokenAt: target, reason: 'hash does not match the event content' });
  });
});
