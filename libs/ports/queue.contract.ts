import { randomUUID } from 'node:crypto';
import type { Queue } from './queue.js';

export interface QueueUnderTest {
  queue: Queue;
  /** removes what the adapter left behind (keys, files); called after `queue.close()` */
  cleanup(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls instead of sleeping a fixed time, so a slow machine only makes the test slower, not red. */
async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A promise plus its resolver, to hold handlers open until the test lets them go. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * The Queue port contract (see queue.ts). Each test gets a fresh adapter and its own queue names,
 * so suites running against a shared server do not see each other's jobs.
 * Timing assertions only ever check "not yet" well before a deadline and "eventually" by polling.
 */
export function describeQueueContract(label: string, factory: () => Promise<QueueUnderTest>): void {
  describe(`Queue contract: ${label}`, () => {
    let subject: QueueUnderTest | undefined;
    let queue: Queue;
    const name = (what: string): string => `${what}-${randomUUID().slice(0, 8)}`;

    beforeEach(async () => {
      subject = await factory();
      queue = subject.queue;
    });

    afterEach(async () => {
      if (!subject) return;
      // close is idempotent: some tests close the queue themselves.
      await subject.queue.close();
      await subject.cleanup();
      subject = undefined;
    });

    it('handles an enqueued job exactly once with its payload', async () => {
      const q = name('once');
      const seen: unknown[] = [];
      await queue.process<{ digest: string; n: number }>(q, async (payload) => {
        seen.push(payload);
      });
      const id = await queue.enqueue(q, { digest: 'sha256:abc', n: 1 });
      expect(typeof id).toBe('string');
      expect(id.length).toBeGreaterThan(0);
      await waitFor('the job', () => seen.length >= 1);
      // Give a wrongly duplicated delivery the chance to show up.
      await sleep(150);
      expect(seen).toEqual([{ digest: 'sha256:abc', n: 1 }]);
    });

    it('delivers jobs enqueued before a handler is registered', async () => {
      const q = name('early');
      await queue.enqueue(q, { n: 1 });
      await queue.enqueue(q, { n: 2 });
      const seen: number[] = [];
      await queue.process<{ n: number }>(q, async ({ n }) => {
        seen.push(n);
      });
      await waitFor('both jobs', () => seen.length >= 2);
      expect(seen.sort()).toEqual([1, 2]);
    });

    it('retries a failing handler until it succeeds', async () => {
      const q = name('retry');
      let calls = 0;
      let succeeded = false;
      await queue.process(q, async () => {
        calls += 1;
        if (calls < 3) throw new Error(`transient failure ${calls}`);
        succeeded = true;
      });
      await queue.enqueue(q, { n: 1 }, { attempts: 3 });
      await waitFor('the third attempt', () => succeeded);
      expect(calls).toBe(3);
    });

    it('gives up after `attempts` when the handler always fails', async () => {
      const q = name('give-up');
      let calls = 0;
      await queue.process(q, async () => {
        calls += 1;
        throw new Error('permanent failure');
      });
      await queue.enqueue(q, { n: 1 }, { attempts: 2 });
      await waitFor('two attempts', () => calls >= 2);
      // Longer than any reasonable next backoff: a third attempt would have started by now.
      await sleep(600);
      expect(calls).toBe(2);
    });

    it('adds a job with the same jobId only once while it is waiting', async () => {
      const q = name('dedupe');
      // Colons and digits are ordinary in our ids (digests, sequence numbers): adapters must cope.
      const jobId = `gc:sha256:${randomUUID()}`;
      const first = await queue.enqueue(q, { n: 1 }, { jobId });
      const second = await queue.enqueue(q, { n: 2 }, { jobId });
      expect(first).toBe(jobId);
      expect(second).toBe(jobId);
      const seen: number[] = [];
      await queue.process<{ n: number }>(q, async ({ n }) => {
        seen.push(n);
      });
      await waitFor('the job', () => seen.length >= 1);
      await sleep(150);
      expect(seen).toEqual([1]);
    });

    it('adds a job with the same jobId only once while it is running', async () => {
      const q = name('dedupe-running');
      const release = gate();
      let calls = 0;
      await queue.process(q, async () => {
        calls += 1;
        await release.opened;
      });
      await queue.enqueue(q, {}, { jobId: 'running' });
      await waitFor('the job to start', () => calls === 1);
      await queue.enqueue(q, {}, { jobId: 'running' });
      release.open();
      await sleep(200);
      expect(calls).toBe(1);
    });

    it('accepts a jobId again once the earlier job has finished', async () => {
      const q = name('reuse');
      let calls = 0;
      await queue.process(q, async () => {
        calls += 1;
      });
      await queue.enqueue(q, {}, { jobId: '42' });
      await waitFor('the first job', () => calls === 1);
      // The handler has returned, but an adapter may still be recording the completion.
      await sleep(200);
      await queue.enqueue(q, {}, { jobId: '42' });
      await waitFor('the second job', () => calls === 2);
    });

    it('treats any string as a jobId', async () => {
      const q = name('ids');
      const ids = ['0', '7', 'a:b', 'a:b:c', 'with space', 'slash/and%percent', 'ünïcode'];
      const seen: string[] = [];
      await queue.process<{ id: string }>(q, async ({ id }) => {
        seen.push(id);
      });
      for (const id of ids) expect(await queue.enqueue(q, { id }, { jobId: id })).toBe(id);
      await waitFor('every job', () => seen.length >= ids.length);
      expect(seen.sort()).toEqual([...ids].sort());
    });

    it('delays delivery by delayMs', async () => {
      const q = name('delay');
      let ranAt: number | undefined;
      await queue.process(q, async () => {
        ranAt = Date.now();
      });
      const enqueuedAt = Date.now();
      await queue.enqueue(q, {}, { delayMs: 300 });
      await sleep(100);
      expect(ranAt).toBeUndefined();
      await waitFor('the delayed job', () => ranAt !== undefined);
      // Loose lower bound: timers may fire a little early relative to our own clock reading.
      expect(ranAt! - enqueuedAt).toBeGreaterThanOrEqual(250);
    });

    it('runs up to `concurrency` handlers in parallel, and no more', async () => {
      const q = name('concurrency');
      const release = gate();
      let active = 0;
      let maxActive = 0;
      let done = 0;
      await queue.process(
        q,
        async () => {
          active += 1;
          maxActive = Math.max(maxActive, active);
          await release.opened;
          active -= 1;
          done += 1;
        },
        { concurrency: 2 },
      );
      for (let n = 0; n < 4; n += 1) await queue.enqueue(q, { n });
      await waitFor('two parallel handlers', () => active === 2);
      await sleep(150);
      expect(active).toBe(2);
      release.open();
      await waitFor('all jobs', () => done === 4);
      expect(maxActive).toBe(2);
    });

    it('close waits for a running handler to finish', async () => {
      const q = name('close');
      let started = false;
      let finished = false;
      await queue.process(q, async () => {
        started = true;
        await sleep(200);
        finished = true;
      });
      await queue.enqueue(q, {});
      await waitFor('the handler to start', () => started);
      await queue.close();
      expect(finished).toBe(true);
    });
  });
}
