import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../../libs/domain/index.js';
import { GENESIS_HASH, eventHash } from '../../libs/ports/event-hash.js';
import { verifyFile } from './commands/verify.js';
import { main } from './main.js';
import { captureIo } from './stub-server.js';

/** A valid chain of `n` events starting at position 1. */
function chain(n: number): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let position = 1; position <= n; position++) {
    const body = {
      position,
      streamId: `repository-r${position}`,
      streamVersion: 1,
      type: 'RepositoryCreated' as const,
      schemaVersion: 1,
      data: { repository: `r${position}`, format: 'generic', repositoryType: 'hosted' as const, config: { anonymousRead: false, allowRedeploy: false, maxUploadBytes: 1024 } },
      metadata: { actor: 'admin', authMethod: 'token', correlationId: `c${position}` },
      recordedAt: new Date(Date.UTC(2024, 4, 1, 12, 0, position)).toISOString(),
    };
    const hash = eventHash(prevHash, body);
    events.push({ ...body, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

const jsonl = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

describe('strata verify --file (offline)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-verify-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const write = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it('accepts an untouched export and reports its head', async () => {
    const events = chain(5);
    const file = await write('good.jsonl', jsonl(events));
    expect(await verifyFile(file)).toEqual({ ok: true, events: 5, head: events[4]!.hash, firstPosition: 1 });

    const io = captureIo({ STRATA_URL: 'http://127.0.0.1:1' }); // no server: nothing may be asked
    expect(await main(['verify', '--file', file], io)).toBe(0);
    expect(io.out()).toBe(`chain ok: 5 events, head ${events[4]!.hash}\n`);
  });

  it('finds an event whose content was changed after the fact', async () => {
    const events = chain(5);
    const tampered = events.map((e) => (e.position === 3 ? { ...e, metadata: { ...e.metadata, actor: 'mallory' } } : e));
    const file = await write('tampered.jsonl', jsonl(tampered));
    expect(await verifyFile(file)).toMatchObject({ ok: false, events: 2, brokenAt: 3, line: 3, reason: 'hash does not match the event content', head: events[1]!.hash });

    const io = captureIo();
    expect(await main(['verify', '--file', file], io)).toBe(1);
    expect(io.out()).toContain('chain BROKEN at position 3 (line 3): hash does not match the event content');
  });

  it('finds a rewritten event even when its own hash was recomputed (the next link breaks)', async () => {
    const events = chain(4);
    const forged = { ...events[1]!, data: { ...events[1]!.data, repository: 'evil' } } as RecordedEvent;
    forged.hash = eventHash(forged.prevHash, forged);
    const file = await write('forged.jsonl', jsonl([events[0], forged, events[2], events[3]]));
    expect(await verifyFile(file)).toMatchObject({ ok: false, brokenAt: 3, reason: 'prevHash does not link to the previous event' });
  });

  it('finds a removed event', async () => {
    const events = chain(4);
    const file = await write('gap.jsonl', jsonl([events[0], events[1], events[3]]));
    expect(await verifyFile(file)).toMatchObject({ ok: false, brokenAt: 4, reason: 'expected position 3' });
  });

  it('reports a line that is not JSON', async () => {
    const file = await write('garbled.jsonl', `${JSON.stringify(chain(1)[0])}\n{"position": 2,\n`);
    expect(await verifyFile(file)).toMatchObject({ ok: false, events: 1, line: 2, reason: 'line 2 is not JSON' });
  });

  it('checks a partial export from its first link and says so', async () => {
    const events = chain(6);
    const file = await write('partial.jsonl', jsonl(events.slice(3)));
    const io = captureIo();
    expect(await main(['verify', '--file', file], io)).toBe(0);
    expect(io.out()).toContain('chain ok: 3 events');
    expect(io.err()).toContain('starts at position 4');
  });

  it('--expect-head fails when the chain ends elsewhere', async () => {
    const events = chain(3);
    const file = await write('head.jsonl', jsonl(events));
    const io = captureIo();
    expect(await main(['verify', '--file', file, '--expect-head', events[1]!.hash, '--json'], io)).toBe(1);
    expect(JSON.parse(io.out())).toMatchObject({ ok: false, events: 3 });
    expect(io.err()).toContain('head mismatch');
    expect(await main(['verify', '--file', file, '--expect-head', events[2]!.hash], captureIo())).toBe(0);
  });

  it('says clearly when the file does not exist', async () => {
    const io = captureIo();
    expect(await main(['verify', '--file', join(dir, 'missing.jsonl')], io)).toBe(1);
    expect(io.err()).toContain('missing.jsonl: no such file');
  });
});
