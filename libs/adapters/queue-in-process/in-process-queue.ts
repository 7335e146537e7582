import { randomUUID } from 'node:crypto';
import type { EnqueueOptions, ProcessOptions, Queue } from '../../ports/queue.js';

export interface InProcessQueueOptions {
  /** first retry delay; each further retry doubles it (default 100 ms, like the BullMQ adapter) */
  backoffMs?: number;
  /** told when a job gives up after its last attempt; defaults to a line on stderr */
  onFailure?: (name: string, jobId: string, error: unknown) => void;
}

interface Job {
  id: string;
  payload: unknown;
  attemptsMade: number;
  attempts: number;
}

interface Consumer {
  handler: (payload: unknown) => Promise<void>;
  concurrency: number;
  active: number;
}

/** Per queue name: jobs ready to run and the ids of jobs not yet finished (the dedupe set). */
interface Lane {
  ready: Job[];
  live: Set<string>;
  consumer?: Consumer;
}

const DEFAULT_ATTEMPTS = 3;

/**
 * The embedded profile's queue: jobs live in memory only, so a crash loses them, which the port
 * allows (the queue carries work, never truth). It mimics the BullMQ adapter where callers could
 * notice a difference: payloads go through JSON, ids are deduped per queue name while a job waits,
 * runs or waits for a retry, and handlers never run inside the `enqueue` call.
 */
export class InProcessQueue implements Queue {
  private readonly lanes = new Map<string, Lane>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly backoffMs: number;
  private readonly onFailure: (name: string, jobId: string, error: unknown) => void;
  private closed = false;

  constructor(options: InProcessQueueOptions = {}) {
    this.backoffMs = options.backoffMs ?? 100;
    this.onFailure = options.onFailure ?? defaultOnFailure;
  }

  async enqueue<T>(name: string, payload: T, options: EnqueueOptions = {}): Promise<string> {
    if (this.closed) throw new Error(`queue is closed: cannot enqueue to "${name}"`);
    const lane = this.lane(name);
    const id = options.jobId ?? randomUUID();
    if (lane.live.has(id)) return id;
    lane.live.add(id);
    const job: Job = {
      id,
      payload: roundTrip(payload),
      attemptsMade: 0,
      attempts: Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS),
    };
    this.schedule(name, job, options.delayMs ?? 0);
    return id;
  }

  async process<T>(name: string, handler: (payload: T) => Promise<void>, options: ProcessOptions = {}): Promise<void> {
    if (this.closed) throw new Error(`queue is closed: cannot process "${name}"`);
    const lane = this.lane(name);
    // Two handlers in one process are almost surely a wiring mistake; fail loudly at startup.
    if (lane.consumer) throw new Error(`queue "${name}" already has a handler`);
    lane.consumer = {
      handler: handler as (payload: unknown) => Promise<void>,
      concurrency: Math.max(1, options.concurrency ?? 1),
      active: 0,
    };
    this.pump(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    // Delayed jobs and pending retries are dropped: allowed, a lost job must be safe to redo.
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = { ready: [], live: new Set() };
      this.lanes.set(name, lane);
    }
    return lane;
  }

  private schedule(name: string, job: Job, delayMs: number): void {
    if (delayMs <= 0) {
      this.lane(name).ready.push(job);
      this.pump(name);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.lane(name).ready.push(job);
      this.pump(name);
    }, delayMs);
    this.timers.add(timer);
  }

  private pump(name: string): void {
    const lane = this.lane(name);
    const consumer = lane.consumer;
    if (!consumer || this.closed) return;
    while (consumer.active < consumer.concurrency && lane.ready.length > 0) {
      const job = lane.ready.shift()!;
      consumer.active += 1;
      const run = this.run(name, lane, consumer, job);
      this.running.add(run);
      void run.finally(() => {
        this.running.delete(run);
        consumer.active -= 1;
        this.pump(name);
      });
    }
  }

  /** Never rejects: a handler's failure becomes a retry or a give-up. */
  private async run(name: string, lane: Lane, consumer: Consumer, job: Job): Promise<void> {
    // Start the handler after the caller's synchronous code, so it never runs inside enqueue/process.
    await Promise.resolve();
    job.attemptsMade += 1;
    try {
      await consumer.handler(job.payload);
      lane.live.delete(job.id);
    } catch (error) {
      if (job.attemptsMade < job.attempts && !this.closed) {
        this.schedule(name, job, this.backoffMs * 2 ** (job.attemptsMade - 1));
        return;
      }
      lane.live.delete(job.id);
      if (job.attemptsMade >= job.attempts) this.onFailure(name, job.id, error);
    }
  }
}

/** BullMQ stores payloads as JSON; doing the same here makes a Date or a Buffer fail in tests too. */
function roundTrip(payload: unknown): unknown {
  return payload === undefined ? undefined : JSON.parse(JSON.stringify(payload));
}

function defaultOnFailure(name: string, jobId: string, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`queue "${name}": job ${jobId} gave up: ${reason}\n`);
}
