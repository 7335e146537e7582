import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms`; resolves early (never rejects) when `signal` aborts, so loops can check it and stop. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
