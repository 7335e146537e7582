import type { EventView } from './event-view.js';
import { main } from './main.js';
import { captureIo, startStub, type Stub, type StubHandler, type StubRequest } from './stub-server.js';

process.env.TZ = 'UTC';

const repo = {
  name: 'libs',
  format: 'generic',
  type: 'hosted',
  config: { anonymousRead: false, allowRedeploy: true, maxUploadBytes: 1_000_000 },
  createdAt: '2024-05-01T12:00:00.000Z',
  updatedAt: '2024-05-01T12:00:00.000Z',
};

const event = (position: number, type = 'ArtifactPublished'): EventView => ({
  position,
  streamId: `artifact-libs-generic-a${position}`,
  streamVersion: 1,
  type,
  schemaVersion: 1,
  data: { version: `1.0.${position}` },
  metadata: { actor: 'alice', authMethod: 'token', correlationId: `c${position}` },
  recordedAt: '2024-05-01T12:00:00.000Z',
  prevHash: 'p',
  hash: 'h',
});

/** A log of `head` events served the way GET /api/v1/events documents. */
const eventLog = (head: number) => (req: StubRequest) => {
  const from = Number(req.query.get('from'));
  const limit = Number(req.query.get('limit'));
  const items = [];
  for (let p = from; p <= Math.min(head, from + limit - 1); p++) items.push(event(p));
  const next = from + limit <= head ? from + limit : null;
  return { status: 200, headers: { 'x-strata-head-position': String(head) }, body: { items, next } };
};

describe('HTTP commands against a stub admin API', () => {
  let stub: Stub;
  let handler: StubHandler;
  const run = async (argv: string[], options: Parameters<typeof captureIo>[1] = {}) => {
    const io = captureIo({ STRATA_URL: stub.url, STRATA_TOKEN: 'tok' }, { pollIntervalMs: 5, ...options });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };
  const asked = () => stub.requests.map((r) => `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ''}`);

  beforeAll(async () => {
    stub = await startStub((req) => handler(req));
  });
  afterAll(() => stub.close());
  beforeEach(() => {
    stub.requests.length = 0;
  });

  it('strata repo create posts the documented body with a Bearer token', async () => {
    handler = () => ({ status: 201, body: repo });
    const r = await run(['repo', 'create', 'libs', '--format', 'generic', '--allow-redeploy', '--max-upload', '1MB', '--description', 'builds']);
    expect(r.code).toBe(0);
    const [req] = stub.requests;
    expect(`${req!.method} ${req!.path}`).toBe('POST /api/v1/repositories');
    expect(req!.headers.authorization).toBe('Bearer tok');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req!.body.toString())).toEqual({ name: 'libs', format: 'generic', type: 'hosted', allowRedeploy: true, maxUploadBytes: 1_000_000, description: 'builds' });
    expect(r.out).toContain('created repository libs\nname            libs\n');
  });

  it('strata repo create for a remote and a virtual repository', async () => {
    handler = () => ({ status: 201, body: repo });
    await run(['repo', 'create', 'npmjs', '--format', 'npm', '--type', 'remote', '--upstream', 'https://registry.npmjs.org']);
    await run(['repo', 'create', 'all', '--format', 'npm', '--type', 'virtual', '--members', 'npm-local,npmjs', '--anonymous-read']);
    expect(stub.requests.map((r) => JSON.parse(r.body.toString()))).toEqual([
      { name: 'npmjs', format: 'npm', type: 'remote', upstream: { url: 'https://registry.npmjs.org' } },
      { name: 'all', format: 'npm', type: 'virtual', members: ['npm-local', 'npmjs'], anonymousRead: true },
    ]);
  });

  it('strata repo list / show / configure / delete call the documented routes', async () => {
    handler = (req) => (req.method === 'DELETE' ? { status: 204 } : req.path === '/api/v1/repositories' ? { status: 200, body: { items: [repo] } } : { status: 200, body: repo });
    expect((await run(['repo', 'list'])).out).toContain('libs  generic  hosted  no         yes');
    expect((await run(['repo', 'show', 'libs', '--json'])).out).toBe(`${JSON.stringify(repo, null, 2)}\n`);
    expect((await run(['repo', 'configure', 'libs', '--no-allow-redeploy', '--anonymous-read'])).code).toBe(0);
    expect((await run(['repo', 'delete', 'libs'])).out).toBe('deleted repository libs\n');
    expect(asked()).toEqual(['GET /api/v1/repositories', 'GET /api/v1/repositories/libs', 'PATCH /api/v1/repositories/libs', 'DELETE /api/v1/repositories/libs']);
    expect(JSON.parse(stub.requests[2]!.body.toString())).toEqual({ allowRedeploy: false, anonymousRead: true });
  });

  it('shows the problem+json title and detail and exits 1', async () => {
    handler = () => ({ status: 404, body: { type: 'about:blank', title: 'Repository not found', status: 404, detail: 'repository "nope" does not exist' } });
    expect(await run(['repo', 'show', 'nope'])).toEqual({ code: 1, out: '', err: 'strata: Repository not found (HTTP 404): repository "nope" does not exist\n' });
  });

  it('copes with an error answer that is not problem+json', async () => {
    handler = () => ({ status: 502, headers: { 'content-type': 'text/html' }, body: '<h1>Bad Gateway</h1>' });
    const r = await run(['repo', 'list']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('strata: Bad Gateway (HTTP 502): <h1>Bad Gateway</h1>\n');
  });

  it('says which address could not be reached', async () => {
    const closed = await startStub(() => ({ status: 500 }));
    await closed.close();
    const io = captureIo({ STRATA_URL: closed.url });
    expect(await main(['repo', 'list'], io)).toBe(1);
    expect(io.err()).toBe(`strata: cannot reach Strata at ${closed.url}: ECONNREFUSED\n`);
  });

  it('strata events tail shows the last <limit> events, starting from head - limit + 1', async () => {
    handler = eventLog(50);
    const r = await run(['events', 'tail', '--limit', '3']);
    expect(asked()).toEqual(['GET /api/v1/events?from=1&limit=3', 'GET /api/v1/events?from=48&limit=3']);
    expect(r.out.split('\n')).toEqual([
      'POSITION  TIME                 TYPE                    STREAM  ACTOR',
      '     48  2024-05-01 12:00:00  ArtifactPublished       artifact-libs-generic-a48  alice',
      '     49  2024-05-01 12:00:00  ArtifactPublished       artifact-libs-generic-a49  alice',
      '     50  2024-05-01 12:00:00  ArtifactPublished       artifact-libs-generic-a50  alice',
      '',
    ]);
  });

  it('strata events tail --from --json prints one JSON event per line', async () => {
    handler = eventLog(50);
    const r = await run(['events', 'tail', '--from', '10', '--limit', '2', '--json']);
    expect(asked()).toEqual(['GET /api/v1/events?from=10&limit=2']);
    expect(r.out.trim().split('\n').map((l) => JSON.parse(l).position)).toEqual([10, 11]);
  });

  it('strata events tail --follow long-polls from the next position until stopped', async () => {
    const controller = new AbortController();
    let polls = 0;
    handler = (req) => {
      if (!req.query.has('waitMs')) return eventLog(2)(req);
      polls += 1;
      if (polls === 1) return { status: 200, headers: { 'x-strata-head-position': '4' }, body: { items: [event(3, 'TagSet'), event(4)], next: null } };
      controller.abort();
      return { status: 200, headers: { 'x-strata-head-position': '4' }, body: { items: [], next: null } };
    };
    const r = await run(['events', 'tail', '--follow', '--type', 'ArtifactPublished'], { signal: controller.signal });
    expect(r.code).toBe(0);
    expect(asked()).toEqual([
      'GET /api/v1/events?from=1&limit=20',
      'GET /api/v1/events?from=3&limit=20&waitMs=20000',
      'GET /api/v1/events?from=5&limit=20&waitMs=20000',
    ]);
    expect(r.out.match(/^ +\d+/gm)?.map(Number)).toEqual([1, 2, 4]); // TagSet filtered out
  });

  it('strata verify asks the server and exits 1 when the chain is broken', async () => {
    handler = () => ({ status: 200, body: { ok: true, events: 12, head: 'abc' } });
    expect(await run(['verify'])).toEqual({ code: 0, out: 'chain ok: 12 events, head abc\n', err: '' });
    handler = () => ({ status: 200, body: { ok: false, events: 6, head: 'def', brokenAt: 7, reason: 'hash does not match the event content' } });
    const r = await run(['verify']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('chain BROKEN at position 7: hash does not match the event content');
    expect(asked()).toEqual(['GET /api/v1/events/verify', 'GET /api/v1/events/verify']);
  });

  it('strata projections status prints a table', async () => {
    handler = () => ({ status: 200, body: { items: [{ name: 'generic-files', version: 1, table: 'generic_files_v1', position: 10, head: 12, lag: 2, state: 'catching-up' }] } });
    const r = await run(['projections', 'status']);
    expect(r.out).toContain('generic-files        1  catching-up        10    12    2        -  generic_files_v1');
  });

  it('strata projections rebuild polls until live, printing progress lines without a terminal', async () => {
    const states = [
      { state: 'rebuilding', rebuild: { position: 0, head: 100 } },
      { state: 'rebuilding', rebuild: { position: 60, head: 100 } },
      { state: 'rebuilding', rebuild: { position: 60, head: 100 } },
      { state: 'catching-up', rebuild: { position: 100, head: 100 } },
      { state: 'live' },
    ];
    let poll = 0;
    handler = (req) =>
      req.method === 'POST'
        ? { status: 202, body: { name: 'generic-files', state: 'rebuilding' } }
        : { status: 200, body: { name: 'generic-files', version: 1, table: 't', position: 100, head: 100, lag: 0, ...states[Math.min(poll++, states.length - 1)] } };
    const r = await run(['projections', 'rebuild', 'generic-files']);
    expect(r.code).toBe(0);
    expect(asked()[0]).toBe('POST /api/v1/projections/generic-files/rebuild');
    expect(asked().slice(1)).toEqual(Array(5).fill('GET /api/v1/projections/generic-files'));
    expect(r.err).toBe('generic-files: rebuilding 0/100 (0%)\ngeneric-files: rebuilding 60/100 (60%)\ngeneric-files: catching-up 100/100 (100%)\n');
    expect(r.out).toMatch(/^generic-files rebuilt: live at position 100 \(\d+\.\ds\)\n$/);
  });

  it('strata projections verify exits 1 when the shadow rebuild differs', async () => {
    handler = () => ({ status: 200, body: { name: 'p', ok: false, rows: 10, shadowRows: 11, missing: 1, extra: 0 } });
    const r = await run(['projections', 'verify', 'p']);
    expect(r).toEqual({ code: 1, out: 'p: DIFFERS from a fresh rebuild (10 rows, shadow rebuild 11 rows, 1 missing, 0 extra)\n', err: '' });
    expect(asked()).toEqual(['POST /api/v1/projections/p/verify']);
  });

  it('strata gc --dry-run asks for a dry run and lists removals', async () => {
    handler = (req) => ({ status: 200, body: { dryRun: req.query.get('dryRun') === 'true', scanned: 2, removed: [{ digest: 'sha256:aa', size: 10, reason: 'unreferenced' }], kept: [{ digest: 'sha256:bb', reason: 'referenced' }], bytesFreed: 10, temporaryRemoved: 0 } });
    const dry = await run(['gc', '--dry-run']);
    expect(dry.out).toContain('dry run: scanned 2 blobs, would remove 1 (10 B)');
    expect(dry.out).toContain('sha256:bb  referenced');
    const real = await run(['gc']);
    expect(real.out).toContain('scanned 2 blobs, removed 1 (10 B)');
    expect(real.out).not.toContain('kept:');
    expect(asked()).toEqual(['POST /api/v1/gc?dryRun=true', 'POST /api/v1/gc?dryRun=false']);
  });

  it('strata history encodes each segment of a scoped name and prints a timeline', async () => {
    handler = () => ({ status: 200, body: { items: [event(3), event(9, 'ArtifactDeleted')] } });
    const r = await run(['history', 'npm-local', '@acme/left pad']);
    expect(asked()).toEqual(['GET /api/v1/repositories/npm-local/packages/%40acme/left%20pad/history']);
    expect(r.out.split('\n').slice(1, 3)).toEqual([
      '2024-05-01 12:00:00        #3  ArtifactPublished  1.0.3  alice (token)',
      '2024-05-01 12:00:00        #9  ArtifactDeleted    1.0.9  alice (token)',
    ]);
  });

  it('uses --url and --token over the environment', async () => {
    handler = () => ({ status: 200, body: { items: [] } });
    const io = captureIo({ STRATA_URL: 'http://127.0.0.1:1', STRATA_TOKEN: 'env-token' });
    expect(await main(['repo', 'list', '--url', stub.url, '--token', 'flag-token'], io)).toBe(0);
    expect(stub.requests[0]!.headers.authorization).toBe('Bearer flag-token');
    expect(io.out()).toBe('no repositories\n');
  });
});
