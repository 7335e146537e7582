import type { RecordedEvent } from '../domain/index.js';
import type { EventStore, Subscription } from './event-store.js';

const BATCH = 500;

/**
 * A subscription built only on `readAll` and `onAppended`: it reads by position, sleeps until a
 * wake-up hint or a polling interval, and reads again. Notifications are hints, never truth, so a
 * lost one costs at most `pollMs` of latency.
 */
export function catchUpSubscription(
  store: Pick<EventStore, 'readAll' | 'onAppended'>,
  fromPosition: number,
  handler: (event: RecordedEvent) => Promise<void>,
  onError: (e: unknown) => void = () => undefined,
  pollMs = 1000,
): Subscription {
  let next = fromPosition;
  let closed = false;
  let wake: (() => void) | undefined;
  const unlisten = store.onAppended((position) => {
    if (position >= next) wake?.();
  });
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    try {
      while (!closed) {
        const batch = await store.readAll(next, BATCH);
        for (const event of batch) {
          if (closed) return;
          await handler(event);
          next = event.position + 1;
        }
        if (batch.length < BATCH && !closed) await sleep();
      }
    } catch (e) {
      if (!closed) onError(e);
    } finally {
      unlisten();
    }
  })();

  return {
    async close() {
      closed = true;
      wake?.();
      await loop;
    },
  };
}
