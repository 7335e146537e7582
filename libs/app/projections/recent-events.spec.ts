import type { RecordedEvent } from '../../domain/index.js';
import { RecentEvents } from './recent-events.js';

/** A log of `n` events, counting the reads that reach it. */
function log(n: number) {
  const events = Array.from({ length: n }, (_, i) => ({ position: i + 1 }) as RecordedEvent);
  const reads: [number, number][] = [];
  return {
    reads,
    events,
    readAll: async (from: number, limit: number) => {
      reads.push([from, limit]);
      return events.filter((e) => e.position >= from).slice(0, limit);
    },
  };
}
const positions = (events: RecordedEvent[]) => events.map((e) => e.position);

describe('RecentEvents: the live edge of the log, read once for every projection', () => {
  it('answers reads inside the window without the store, and extends it with what follows', async () => {
    const store = log(10);
    const recent = new RecentEvents(store);
    expect(positions(await recent.read(5, 3))).toEqual([5, 6, 7]);
    expect(positions(await recent.read(5, 3))).toEqual([5, 6, 7]);
    expect(positions(await recent.read(6, 10))).toEqual([6, 7]);
    expect(store.reads).toEqual([[5, 3]]);
    expect(positions(await recent.read(8, 10))).toEqual([8, 9, 10]);
    expect(positions(await recent.read(5, 10))).toEqual([5, 6, 7, 8, 9, 10]);
    expect(await recent.read(11, 10)).toEqual([]);
    expect(store.reads).toEqual([[5, 3], [8, 10], [11, 10]]);
  });

  it('leaves the window alone for reads before it, and keeps at most `capacity` events', async () => {
    const store = log(20);
    const recent = new RecentEvents(store, 5);
    await recent.read(10, 10); // keeps 15..19
    expect(positions(await recent.read(1, 3))).toEqual([1, 2, 3]);
    expect(positions(await recent.read(16, 10))).toEqual([16, 17, 18, 19]);
    expect(store.reads).toEqual([[10, 10], [1, 3]]);
    expect(positions(await recent.read(20, 10))).toEqual([20]); // keeps 16..20
    expect(positions(await recent.read(16, 10))).toEqual([16, 17, 18, 19, 20]);
    expect(positions(await recent.read(15, 2))).toEqual([15, 16]);
    expect(store.reads).toEqual([[10, 10], [1, 3], [20, 10], [15, 2]]);
  });
});
