import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import {
  buildRegistry,
  cleanupRegistries,
  httpRequest,
  listFiles,
  sleep,
  startRegistry,
  tempDir,
  waitFor,
  type HttpResponse,
  type RegistryProcess,
} from '../../support/registry-process.js';

/**
 * Crash safety and process lifecycle (DESIGN.md section 5) against the real registry process:
 * `node dist/apps/registry/main.js` on the embedded profile (PGlite + filesystem blobs).
 */

const MB = 1024 * 1024;
const TEST_TIMEOUT = 150_000;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const auth = (r: RegistryProcess) => ({ authorization: `Bearer ${r.token}` });
const blobPath = (dataDir: string, hex: string) => join(dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex.slice(2, 4), hex);
const tmpDirOf = (r: { dataDir: string }) => join(r.dataDir, 'blobs', 'tmp');
const committedDirOf = (r: { dataDir: string }) => join(r.dataDir, 'blobs', 'sha256');

interface LoggedEvent {
  type: string;
  data: { name?: string; repository?: string; digest?: string };
}

async function createRepo(r: RegistryProcess, name: string): Promise<void> {
  const res = await httpRequest(`${r.url}/api/v1/repositories`, {
    method: 'POST',
    headers: { ...auth(r), 'content-type': 'application/json' },
    body: JSON.stringify({ name, format: 'generic' }),
  });
  expect(res.status).toBe(201);
}

async function events(r: RegistryProcess): Promise<LoggedEvent[]> {
  const res = await httpRequest(`${r.url}/api/v1/events?from=1&limit=1000`, { headers: auth(r) });
  expect(res.status).toBe(200);
  return res.json<{ items: LoggedEvent[] }>().items;
}

async function verifyLog(r: RegistryProcess): Promise<{ ok: boolean; events: number }> {
  const res = await httpRequest(`${r.url}/api/v1/events/verify`, { headers: auth(r) });
  expect(res.status).toBe(200);
  return res.json();
}

/** A PUT whose body the test writes piece by piece, at its own pace. */
function streamingPut(url: string, headers: Record<string, string>, contentLength: number) {
  let respondedAt = 0;
  const req = http.request(url, { method: 'PUT', agent: false, headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(contentLength) } });
  const response = new Promise<HttpResponse>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('error', reject);
      res.on('end', () => {
        respondedAt = Date.now();
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: () => body.toString(), json: () => JSON.parse(body.toString()) });
      });
    });
  });
  response.catch(() => undefined); // the test awaits it; a crash must not become an unhandled rejection first
  return {
    response,
    respondedAt: () => respondedAt,
    write: (chunk: Buffer) => new Promise<void>((resolve, reject) => req.write(chunk, (e) => (e ? reject(e) : resolve()))),
    end: () => req.end(),
  };
}

describe('registry process: crash safety and lifecycle', () => {
  beforeAll(() => buildRegistry(), 240_000);
  afterEach(() => cleanupRegistries());
  afterAll(() => cleanupRegistries());

  it('kill -9 during an upload leaves no artifact and no event; the restart removes the temp file', async () => {
    const first = await startRegistry();
    await createRepo(first, 'files');

    // 50 MB announced, 3 MB sent, then the client just waits
    const upload = streamingPut(`${first.url}/generic/files/big.bin`, auth(first), 50 * MB);
    const chunk = randomBytes(256 * 1024);
    for (let i = 0; i < 12; i++) await upload.write(chunk);
    await waitFor(async () => (await listFiles(tmpDirOf(first))).length > 0, 'the upload to reach the temp folder');

    await first.kill9();
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await expect(upload.response).rejects.toThrow();
    expect(await listFiles(tmpDirOf(first))).toHaveLength(1); // what a crash leaves behind
    expect(await listFiles(committedDirOf(first))).toEqual([]);

    const second = await startRegistry({ dataDir: first.dataDir, token: first.token });
    expect(await listFiles(tmpDirOf(second))).toEqual([]);
    expect(second.logs()).toContain('removed temporary files of interrupted uploads');
    expect(await listFiles(committedDirOf(second))).toEqual([]);
    expect((await httpRequest(`${second.url}/generic/files/big.bin`, { headers: auth(second) })).status).toBe(404);
    const before = await events(second);
    expect(before.map((e) => e.type)).toContain('RepositoryCreated');
    expect(before.map((e) => e.type)).not.toContain('ArtifactPublished');

    // the same path can be uploaded again, and everything adds up
    const body = randomBytes(2 * MB + 17);
    const put = await httpRequest(`${second.url}/generic/files/big.bin`, { method: 'PUT', headers: { ...auth(second), 'content-type': 'application/octet-stream' }, body });
    expect(put.status).toBe(201);
    expect(put.json()).toMatchObject({ sha256: sha256(body), size: body.length });
    const got = await httpRequest(`${second.url}/generic/files/big.bin`, { headers: auth(second) });
    expect(got.status).toBe(200);
    expect(got.headers['x-checksum-sha256']).toBe(sha256(body));
    expect(got.body.equals(body)).toBe(true);
    const published = (await events(second)).filter((e) => e.type === 'ArtifactPublished');
    expect(published.map((e) => e.data.name)).toEqual(['big.bin']);
    expect(await verifyLog(second)).toMatchObject({ ok: true });
    expect(await listFiles(committedDirOf(second))).toEqual([join(sha256(body).slice(0, 2), sha256(body).slice(2, 4), sha256(body))]);
  }, TEST_TIMEOUT);

  it('GC removes a committed blob no event references (a crash between commit and append), and nothing else', async () => {
    // While no server runs: blobs in the committed layout with no event, as a crash right after
    // the blob store's rename would leave them. One is past the grace period, one is not.
    const dataDir = await tempDir();
    const place = async (bytes: Buffer, ageSeconds: number) => {
      const hex = sha256(bytes);
      const path = blobPath(dataDir, hex);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, bytes);
      const when = new Date(Date.now() - ageSeconds * 1000);
      await utimes(path, when, when);
      return { hex, path, size: bytes.length };
    };
    const orphan = await place(Buffer.from(`orphan ${randomUUID()}`), 3600);
    const young = await place(Buffer.from(`young orphan ${randomUUID()}`), 0);

    const r = await startRegistry({ dataDir, env: { STRATA_GC_GRACE_SECONDS: '60' } });
    await createRepo(r, 'files');
    const body = randomBytes(300 * 1024);
    const put = await httpRequest(`${r.url}/generic/files/keep/me.bin`, { method: 'PUT', headers: auth(r), body });
    expect(put.status).toBe(201);
    const kept = blobPath(dataDir, sha256(body));
    // old enough to go if it were unreferenced: only the reference may keep it
    const past = new Date(Date.now() - 3600_000);
    await utimes(kept, past, past);

    type Report = { removed: { digest: string; size: number; reason: string }[]; kept: { digest: string; reason: string }[]; temporaryRemoved: number };
    const gc = async (dryRun: boolean) => {
      const res = await httpRequest(`${r.url}/api/v1/gc?dryRun=${dryRun}`, { method: 'POST', headers: auth(r) });
      expect(res.status).toBe(200);
      return res.json<Report>();
    };
    const reasonOf = (report: Report, hex: string) => report.kept.find((d) => d.digest === `sha256:${hex}`)?.reason;

    const dry = await gc(true);
    expect(dry.removed).toEqual([{ digest: `sha256:${orphan.hex}`, size: orphan.size, reason: expect.stringMatching(/unreferenced/) }]);
    expect(reasonOf(dry, sha256(body))).toMatch(/referenced by 1 live/);
    expect(reasonOf(dry, young.hex)).toMatch(/younger than the grace period/);
    await expect(stat(orphan.path)).resolves.toBeDefined(); // a dry run removes nothing

    const real = await gc(false);
    expect(real.removed.map((d) => d.digest)).toEqual([`sha256:${orphan.hex}`]);
    expect(real.temporaryRemoved).toBe(0);
    await expect(stat(orphan.path)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(young.path)).resolves.toBeDefined();
    await expect(stat(kept)).resolves.toBeDefined();
    expect((await gc(true)).removed).toEqual([]);

    const got = await httpRequest(`${r.url}/generic/files/keep/me.bin`, { headers: auth(r) });
    expect(got.status).toBe(200);
    expect(got.body.equals(body)).toBe(true);
    // the orphan was never referenced: nothing for history to remember (no BlobPurged)
    expect((await events(r)).map((e) => e.type)).not.toContain('BlobPurged');
  }, TEST_TIMEOUT);

  it('SIGTERM refuses new connections, lets the upload in flight finish, and exits 0', async () => {
    const r = await startRegistry({ env: { STRATA_SHUTDOWN_DEADLINE_SECONDS: '20' } });
    await createRepo(r, 'files');
    const chunks = Array.from({ length: 40 }, () => randomBytes(64 * 1024));
    const whole = Buffer.concat(chunks);
    const upload = streamingPut(`${r.url}/generic/files/during-shutdown.bin`, auth(r), whole.length);
    const pace = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await upload.write(chunks[i]);
        await sleep(50);
      }
    };
    await pace(0, 5);
    // the body is being stored, so the server counts this upload as in flight
    await waitFor(async () => (await listFiles(tmpDirOf(r))).length > 0, 'the upload to reach the temp folder');

    const signalledAt = Date.now();
    const stopped = r.stop('SIGTERM', 40_000);
    let refusedAt = 0;
    const refused = waitFor(
      async () => {
        try {
          await httpRequest(`${r.url}/healthz`, { timeoutMs: 2_000 });
          return false;
        } catch (e) {
          refusedAt = Date.now();
          return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        }
      },
      'new connections to be refused',
      10_000,
    );
    await pace(5, chunks.length); // ~1.7 s more of body after the signal
    upload.end();

    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(await refused);
    const res = await upload.response;
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ sha256: sha256(whole), size: whole.length });
    expect(refusedAt).toBeLessThan(upload.respondedAt()); // refused while the upload was still running
    expect(await stopped).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(15_000); // it did not sit out the deadline
    expect(r.logs()).toContain('shutting down');
    expect(r.logs()).not.toContain('uploads still in flight at the shutdown deadline');

    const again = await startRegistry({ dataDir: r.dataDir, token: r.token });
    const got = await httpRequest(`${again.url}/generic/files/during-shutdown.bin`, { headers: auth(again) });
    expect(got.status).toBe(200);
    expect(got.body.equals(whole)).toBe(true);
    expect((await events(again)).filter((e) => e.type === 'ArtifactPublished').map((e) => e.data.name)).toEqual(['during-shutdown.bin']);
    expect(await verifyLog(again)).toMatchObject({ ok: true });
    expect(await listFiles(tmpDirOf(again))).toEqual([]);
  }, TEST_TIMEOUT);

  it('never writes a token to the logs, whichever way it was presented', async () => {
    const token = `strata_e2e_${randomBytes(16).toString('hex')}`;
    const wrong = `not_a_token_${randomBytes(16).toString('hex')}`;
    const r = await startRegistry({ token, env: { STRATA_LOG_LEVEL: 'info' } });
    const basic = (secret: string) => `Basic ${Buffer.from(`ci-user:${secret}`).toString('base64')}`;
    const calls: { id: string; method: string; path: string; authorization: string; status: number; body?: string; type?: string }[] = [
      { id: 'e2e-bearer-good', method: 'POST', path: '/api/v1/repositories', authorization: `Bearer ${token}`, status: 201, body: '{"name":"files","format":"generic"}', type: 'application/json' },
      { id: 'e2e-bearer-wrong', method: 'GET', path: '/api/v1/repositories', authorization: `Bearer ${wrong}`, status: 401 },
      { id: 'e2e-basic-good-put', method: 'PUT', path: '/generic/files/a.txt', authorization: basic(token), status: 201, body: 'hello' },
      { id: 'e2e-basic-good-get', method: 'GET', path: '/generic/files/a.txt', authorization: basic(token), status: 200 },
      { id: 'e2e-basic-wrong', method: 'GET', path: '/generic/files/a.txt', authorization: basic(wrong), status: 401 },
      { id: 'e2e-basic-wrong-put', method: 'PUT', path: '/generic/files/b.txt', authorization: basic(wrong), status: 401, body: 'nope' },
      { id: 'e2e-bare-token', method: 'GET', path: '/api/v1/repositories', authorization: token, status: 200 },
    ];
    for (const c of calls) {
      const headers: Record<string, string> = { authorization: c.authorization, 'x-request-id': c.id };
      if (c.type) headers['content-type'] = c.type;
      const res = await httpRequest(`${r.url}${c.path}`, { method: c.method, headers, body: c.body });
      expect({ id: c.id, status: res.status }).toEqual({ id: c.id, status: c.status });
      expect(res.headers['x-request-id']).toBe(c.id);
    }
    expect(await r.stop()).toEqual({ code: 0, signal: null });

    const logs = r.logs();
    const secrets = [token, wrong, ...[token, wrong].flatMap((s) => [basic(s).slice('Basic '.length), Buffer.from(s).toString('base64')])];
    for (const secret of secrets) expect(logs.includes(secret) ? `leaked: ${secret}` : 'clean').toBe('clean');

    const lines = logs
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { req?: { id?: string; headers?: Record<string, string> }; res?: { statusCode?: number } });
    for (const c of calls) {
      const line = lines.find((l) => l.req?.id === c.id);
      expect({ id: c.id, status: line?.res?.statusCode, authorization: line?.req?.headers?.authorization }).toEqual({ id: c.id, status: c.status, authorization: '[redacted]' });
    }
  }, TEST_TIMEOUT);
});
