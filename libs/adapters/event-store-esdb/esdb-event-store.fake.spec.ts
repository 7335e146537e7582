import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { EventStoreDBClient } from '@eventstore/db-client';
import { describeEventStoreContract } from '../../ports/event-store.contract.js';
import { ChainVerifier, type NewEvent } from '../../ports/index.js';
import { EsdbEventStore } from './esdb-event-store.js';

/*
 * The adapter's algorithm (log CAS, index written after the log, repair by the next appender)
 * against an in-memory stand-in for the parts of EventStoreDB it uses, with the semantics the
 * adapter assumes: per-stream revisions from 0, expectedRevision checks, `$>` link resolution,
 * reads of a missing stream failing with `stream-not-found`. It tests our logic, never those
 * assumptions: only a live server does that (esdb-event-store.spec.ts with EVENTSTORE_URL).
 */

interface FakeRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  /** JSON events are kept as text, so that every read returns a fresh parse like the real client */
  raw: string | Uint8Array;
  created: Date;
}

const err = (type: string, message: string) => Object.assign(new Error(message), { type });
const jitter = async () => {
  for (let i = Math.floor(Math.random() * 3); i >= 0; i--) await new Promise((r) => setImmediate(r));
};

class FakeEsdb {
  readonly streams = new Map<string, FakeRecord[]>();
  private readonly live = new EventEmitter().setMaxListeners(0);
  /** when set, the next append to a stream it matches fails before writing (a crash at that point) */
  failAppend?: (stream: string) => boolean;
  /** a server that hands back bare links: the adapter must resolve them itself */
  resolveLinks = true;

  private view(r: FakeRecord) {
    const data = r.isJson ? (JSON.parse(r.raw as string) as unknown) : r.raw;
    return { streamId: r.streamId, id: r.id, revision: r.revision, type: r.type, isJson: r.isJson, data, metadata: undefined, created: r.created };
  }

  private resolve(r: FakeRecord, resolveLinkTos: boolean) {
    if (!resolveLinkTos || !this.resolveLinks || r.type !== '$>') return { event: this.view(r) };
    const [rev, stream] = Buffer.from(r.raw as Uint8Array).toString().split('@');
    const target = this.streams.get(stream)?.[Number(rev)];
    return target ? { event: this.view(target), link: this.view(r) } : { event: this.view(r) };
  }

  async appendToStream(stream: string, events: Array<{ id: string; type: string; contentType: string; data: unknown }>, options: { expectedRevision?: unknown } = {}) {
    await jitter();
    if (this.failAppend?.(stream)) {
      this.failAppend = undefined;
      throw err('unavailable', `injected failure appending to ${stream}`);
    }
    const records = this.streams.get(stream) ?? [];
    const current = records.length === 0 ? 'no_stream' : BigInt(records.length - 1);
    const expected = options.expectedRevision ?? 'any';
    if (expected !== 'any' && expected !== current && !(expected === 'stream_exists' && records.length > 0)) {
      throw err('wrong-expected-version', `${stream}: expected ${String(expected)}, at ${String(current)}`);
    }
    for (const e of events) {
      const record: FakeRecord = {
        streamId: stream,
        id: e.id,
        revision: BigInt(records.length),
        type: e.type,
        isJson: e.contentType === 'application/json',
        raw: e.contentType === 'application/json' ? JSON.stringify(e.data) : (e.data as Uint8Array),
        created: new Date(),
      };
      records.push(record);
      this.streams.set(stream, records);
      this.live.emit(stream, record);
    }
    return { success: true, nextExpectedRevision: BigInt(records.length - 1) };
  }

  readStream(stream: string, options: { fromRevision?: unknown; maxCount?: number | bigint; direction?: string; resolveLinkTos?: boolean } = {}) {
    const self = this;
    return (async function* () {
      await jitter();
      const records = self.streams.get(stream);
      if (!records) throw err('stream-not-found', `${stream} not found`);
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision;
      let start = from === undefined || from === 'start' ? (backwards ? 0 : 0) : from === 'end' ? records.length - 1 : Number(from);
      if (from === undefined && backwards) start = records.length - 1;
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const picked = backwards ? records.slice(0, start + 1).reverse().slice(0, max) : records.slice(start, start + max);
      for (const r of picked) yield self.resolve(r, options.resolveLinkTos ?? false);
    })();
  }

  subscribeToStream(stream: string) {
    const sub = new EventEmitter() as EventEmitter & { unsubscribe(): Promise<void> };
    const onRecord = (r: FakeRecord) => setImmediate(() => sub.emit('data', this.resolve(r, false)));
    this.live.on(stream, onRecord);
    sub.unsubscribe = async () => {
      this.live.off(stream, onRecord);
    };
    return sub;
  }

  async dispose() {}

  /** what a second process would get: its own adapter instance on the same server */
  store(namespace = 'strata') {
    return new EsdbEventStore(this as unknown as EventStoreDBClient, { namespace, pollMs: 50 });
  }
}

const meta = { actor: 'test', authMethod: 'system', correlationId: 'c-1' };
const ev = (type: string, data: unknown = {}): NewEvent => ({ type, schemaVersion: 1, data, metadata: meta });
const indexLength = (esdb: FakeEsdb, streamId: string) => esdb.streams.get(`strata-stream-${streamId}`)?.length ?? 0;

describeEventStoreContract('ESDB adapter on an in-memory fake of EventStoreDB', async () => {
  const store = new FakeEsdb().store(`t${randomUUID().slice(0, 8)}`);
  return { store, cleanup: () => store.close() };
});

describe('ESDB adapter: consistency across processes and crashes (fake server)', () => {
  let esdb: FakeEsdb;
  let a: EsdbEventStore;
  let b: EsdbEventStore;
  beforeEach(() => {
    esdb = new FakeEsdb();
    a = esdb.store();
    b = esdb.store();
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('gives one winner among two processes appending at the same expected version', async () => {
    for (let trial = 0; trial < 10; trial++) {
      const stream = `race-${trial}`;
      const results = await Promise.allSettled([a, b, a, b].map((s, i) => s.append(stream, [ev('Won', { i })], 0)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
      expect(await b.readStream(stream)).toHaveLength(1);
    }
  });

  it('keeps positions gap-free, the chain intact and stream order in log order with two processes', async () => {
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 6; i++) await (w % 2 ? a : b).append(`s-${w % 3}`, [ev('W', { w, i }), ev('W2', { w, i })], 'any');
      }),
    );
    const all = await a.readAll(1, 1000);
    expect(all.map((e) => e.position)).toEqual(Array.from({ length: 96 }, (_, i) => i + 1));
    const verifier = new ChainVerifier();
    all.forEach((e) => verifier.check(e));
    expect(verifier.verdict()).toMatchObject({ ok: true, events: 96 });
    for (const s of ['s-0', 's-1', 's-2']) {
      const fromLog = all.filter((e) => e.streamId === s);
      expect(fromLog.map((e) => e.streamVersion)).toEqual(fromLog.map((_, i) => i + 1));
      expect(await b.readStream(s)).toEqual(fromLog);
      expect(indexLength(esdb, s)).toBe(fromLog.length);
    }
  });

  it('commits an append whose index write failed, shows it to readers, and repairs the index later', async () => {
    await a.append('x', [ev('X1')], 0);
    esdb.failAppend = (stream) => stream === 'strata-stream-s';
    expect(await a.append('s', [ev('S1'), ev('S2')], 0)).toEqual({ position: 3, streamVersion: 2 });
    expect(indexLength(esdb, 's')).toBe(0);
    // the log entry is the commit: readers and version checks already see it
    expect((await b.readStream('s')).map((e) => e.type)).toEqual(['S1', 'S2']);
    await expect(b.append('s', [ev('Late')], 0)).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect(indexLength(esdb, 's')).toBe(2); // that append repaired the index before checking
    await b.append('s', [ev('S3')], 2);
    expect((await a.readStream('s')).map((e) => [e.position, e.streamVersion])).toEqual([[2, 1], [3, 2], [4, 3]]);
  });

  it('repairs another stream\'s index before writing after it', async () => {
    esdb.failAppend = (stream) => stream === 'strata-stream-s';
    await a.append('s', [ev('S1')], 0);
    await b.append('t', [ev('T1')], 0);
    expect(indexLength(esdb, 's')).toBe(1);
    expect(indexLength(esdb, 't')).toBe(1);
  });

  it('does not decide a conflict on a stale cached tail', async () => {
    await a.append('x', [ev('X1')], 0); // a now caches the tail at position 1
    esdb.failAppend = (stream) => stream === 'strata-stream-s';
    await b.append('s', [ev('S1')], 0); // b commits s@1 and "crashes" before indexing it
    await expect(a.append('s', [ev('S2')], 1)).resolves.toEqual({ position: 3, streamVersion: 2 });
  });

  it('appends nothing when the log write itself fails, and reports the error', async () => {
    esdb.failAppend = (stream) => stream === 'strata-log';
    await expect(a.append('s', [ev('S1')], 0)).rejects.toMatchObject({ type: 'unavailable' });
    expect(await a.head()).toMatchObject({ position: 0 });
    await expect(a.append('s', [ev('S1')], 0)).resolves.toEqual({ position: 1, streamVersion: 1 });
  });

  it('resolves links itself when the server hands back bare links', async () => {
    await a.append('s', [ev('S1'), ev('S2')], 0);
    await a.append('t', [ev('T1')], 0);
    esdb.resolveLinks = false;
    expect((await b.readStream('s')).map((e) => [e.position, e.type])).toEqual([[1, 'S1'], [2, 'S2']]);
  });

  it('refuses a log stream that something else wrote to', async () => {
    await a.append('s', [ev('S1')], 0);
    await esdb.appendToStream('strata-log', [{ id: randomUUID(), type: 'Foreign', contentType: 'application/json', data: { hello: 1 } }]);
    await expect(b.readAll(1, 10)).rejects.toThrow(/not a Strata log entry/);
  });

  it('hears appends made by another process', async () => {
    const hints: number[] = [];
    const off = a.onAppended((p) => hints.push(p));
    await b.append('s', [ev('S1'), ev('S2')], 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(hints).toEqual([1, 2]);
    off();
  });
});
