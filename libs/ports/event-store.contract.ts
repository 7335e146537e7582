import { DomainError, type RecordedEvent } from '../domain/index.js';
import { ChainVerifier } from './event-hash.js';
import type { EventStore, NewEvent } from './event-store.js';

export interface EventStoreFixture {
  store: EventStore;
  cleanup(): Promise<void>;
}

const meta = { actor: 'test', authMethod: 'system', correlationId: 'c-1' };
const ev = (type: string, data: unknown = {}): NewEvent => ({ type, schemaVersion: 1, data, metadata: meta });
const waitFor = async (predicate: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** The EventStore contract (libs/ports/event-store.ts): every adapter runs this suite. */
export function describeEventStoreContract(label: string, factory: () => Promise<EventStoreFixture>): void {
  describe(`EventStore contract: ${label}`, () => {
    let fx: EventStoreFixture;
    beforeEach(async () => {
      fx = await factory();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('starts empty with position 0', async () => {
      expect((await fx.store.head()).position).toBe(0);
      expect(await fx.store.readAll(1, 10)).toEqual([]);
    });

    it('appends to a new stream and reads it back with positions and versions', async () => {
      const r = await fx.store.append('s-1', [ev('A', { n: 1 }), ev('B', { n: 2, nested: { z: 1, a: [1, 'x'] } })], 0);
      expect(r).toEqual({ position: 2, streamVersion: 2 });
      const events = await fx.store.readStream('s-1');
      expect(events.map((e) => [e.position, e.streamVersion, e.type])).toEqual([[1, 1, 'A'], [2, 2, 'B']]);
      expect(events[1].data).toEqual({ n: 2, nested: { z: 1, a: [1, 'x'] } });
      expect(events[0].metadata).toEqual(meta);
      expect(new Date(events[0].recordedAt).toISOString()).toBe(events[0].recordedAt);
    });

    it('refuses an append at the wrong expected version and appends nothing', async () => {
      await fx.store.append('s-1', [ev('A')], 0);
      await expect(fx.store.append('s-1', [ev('B'), ev('C')], 0)).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
      await expect(fx.store.append('s-1', [ev('B')], 5)).rejects.toBeInstanceOf(DomainError);
      expect((await fx.store.readStream('s-1')).map((e) => e.type)).toEqual(['A']);
      expect((await fx.store.head()).position).toBe(1);
      await fx.store.append('s-1', [ev('B')], 1);
      await fx.store.append('s-1', [ev('C')], 'any');
      expect((await fx.store.readStream('s-1')).map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    });

    it('gives exactly one winner among concurrent appends with the same expected version', async () => {
      for (let trial = 0; trial < 5; trial++) {
        const stream = `race-${trial}`;
        const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => fx.store.append(stream, [ev('Won', { i })], 0)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
        expect(await fx.store.readStream(stream)).toHaveLength(1);
      }
    });

    it('assigns gap-free positions in commit order under many concurrent writers', async () => {
      const seen: number[] = [];
      const sub = fx.store.subscribe(1, async (e) => {
        seen.push(e.position);
      });
      const writers = 20;
      const perWriter = 10;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) await fx.store.append(`writer-${w}`, [ev('W', { w, i })], 'any');
        }),
      );
      const total = writers * perWriter;
      const all = await fx.store.readAll(1, 10_000);
      expect(all.map((e) => e.position)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      // per-stream order follows global order
      for (let w = 0; w < writers; w++) {
        const mine = all.filter((e) => e.streamId === `writer-${w}`).map((e) => (e.data as unknown as { i: number }).i);
        expect(mine).toEqual(Array.from({ length: perWriter }, (_, i) => i));
      }
      await waitFor(() => seen.length === total);
      await sub.close();
      // a live subscriber saw every position exactly once and in order: nothing skipped
      expect(seen).toEqual(all.map((e) => e.position));
    });

    it('chains hashes so that the log verifies, and head is the last hash', async () => {
      await fx.store.append('a', [ev('A', { s: 'ü "quoted" \\ ' }), ev('B')], 0);
      await fx.store.append('b', [ev('C', { big: 2 ** 40, neg: -1.5 })], 0);
      const verifier = new ChainVerifier();
      for (const e of await fx.store.readAll(1, 100)) verifier.check(e);
      const verdict = verifier.verdict();
      expect(verdict).toMatchObject({ ok: true, events: 3 });
      expect((await fx.store.head()).hash).toBe(verdict.head);
    });

    it('detects a tampered event when verifying', async () => {
      await fx.store.append('a', [ev('A', { v: 1 }), ev('B', { v: 2 }), ev('C', { v: 3 })], 0);
      const events = await fx.store.readAll(1, 100);
      const tampered: RecordedEvent[] = events.map((e) => (e.position === 2 ? { ...e, data: { v: 20 } as never } : e));
      const verifier = new ChainVerifier();
      tampered.forEach((e) => verifier.check(e));
      expect(verifier.verdict()).toMatchObject({ ok: false, brokenAt: 2 });
    });

    it('reads from a position with a limit', async () => {
      for (let i = 0; i < 10; i++) await fx.store.append(`s-${i}`, [ev('E', { i })], 0);
      expect((await fx.store.readAll(4, 3)).map((e) => e.position)).toEqual([4, 5, 6]);
      expect((await fx.store.readAll(11, 3))).toEqual([]);
    });

    it('notifies appends and delivers later events to a subscription from a position', async () => {
      await fx.store.append('s', [ev('Old')], 0);
      const hints: number[] = [];
      const off = fx.store.onAppended((p) => hints.push(p));
      const got: string[] = [];
      const sub = fx.store.subscribe(2, async (e) => {
        got.push(e.type);
      });
      await fx.store.append('s', [ev('New1'), ev('New2')], 1);
      await waitFor(() => got.length === 2);
      expect(got).toEqual(['New1', 'New2']);
      await waitFor(() => hints.includes(3));
      off();
      await sub.close();
    });
  });
}
