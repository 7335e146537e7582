import { InProcessQueue } from '../adapters/queue-in-process/index.js';
import type { GarbageCollector } from './garbage-collector.js';
import { scheduleGarbageCollection } from './scheduled-jobs.js';

describe('scheduled blob GC', () => {
  it('runs GC on the queue once per time slot and keeps re-arming, also after a failing run', async () => {
    const queue = new InProcessQueue();
    const runs: boolean[] = [];
    const errors: unknown[] = [];
    const gc = {
      run: async (dryRun: boolean) => {
        runs.push(dryRun);
        if (runs.length === 1) throw new Error('first run fails');
        return { dryRun, scanned: 0, removed: [], kept: [], bytesFreed: 0, temporaryRemoved: 0 };
      },
    } as unknown as GarbageCollector;
    await scheduleGarbageCollection(queue, gc, 150, (e) => errors.push(e));
    const until = Date.now() + 5000;
    while (runs.length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    await queue.close();
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.every((dryRun) => dryRun === false)).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('does nothing when the interval is 0', async () => {
    const queue = new InProcessQueue();
    let calls = 0;
    const gc = { run: async () => void calls++ } as unknown as GarbageCollector;
    await scheduleGarbageCollection(queue, gc, 0, () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    await queue.close();
    expect(calls).toBe(0);
  });
});
