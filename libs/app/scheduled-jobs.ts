import type { Queue } from '../ports/index.js';
import type { GarbageCollector } from './garbage-collector.js';

const SYSTEM = { actor: 'system', authMethod: 'system', correlationId: 'scheduled-gc' };

/**
 * Blob GC as a recurring job on the queue. Each run is keyed by its time slot, so with several
 * nodes on BullMQ one slot's job is added once and run by one worker; a run re-arms the next slot.
 */
export async function scheduleGarbageCollection(queue: Queue, gc: GarbageCollector, intervalMs: number, onError: (e: unknown) => void): Promise<void> {
  if (intervalMs <= 0) return;
  const armNext = () => {
    const slot = Math.floor(Date.now() / intervalMs) + 1;
    return queue.enqueue('blob-gc', { slot }, { jobId: `blob-gc-${slot}`, delayMs: slot * intervalMs - Date.now(), attempts: 1 });
  };
  await queue.process<{ slot: number }>('blob-gc', async () => {
    try {
      await gc.run(false, SYSTEM);
    } catch (e) {
      onError(e);
    } finally {
      await armNext();
    }
  });
  await armNext();
}
