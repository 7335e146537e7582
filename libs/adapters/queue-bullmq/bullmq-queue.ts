import { Queue as BullQueue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { EnqueueOptions, ProcessOptions, Queue } from '../../ports/queue.js';
import { decodeJobId, encodeJobId } from './job-id.js';

export interface BullMqQueueOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** namespaces every key, so several deployments (or test runs) can share one Redis */
  prefix?: string;
  /** first retry delay; each further retry doubles it (default 100 ms) */
  backoffMs?: number;
  /** told when a job gives up after its last attempt; defaults to a line on stderr */
  onFailure?: (name: string, jobId: string, error: unknown) => void;
  /** told about connection and worker errors, which BullMQ retries on its own */
  onError?: (error: Error) => void;
}

const DEFAULT_ATTEMPTS = 3;

/**
 * The distributed profile's queue: one BullMQ Queue (producer) and at most one Worker per queue
 * name, both created on first use. Producers share one connection; each Worker owns its own
 * (BullMQ gives it a blocking connection of its own anyway).
 */
export class BullMqQueue implements Queue {
  private readonly queues = new Map<string, BullQueue>();
  private readonly workers = new Map<string, Worker>();
  private readonly prefix: string;
  private readonly backoffMs: number;
  private readonly onFailure: (name: string, jobId: string, error: unknown) => void;
  private readonly onError: (error: Error) => void;
  private producer?: Redis;
  private closing?: Promise<void>;

  constructor(private readonly options: BullMqQueueOptions) {
    this.prefix = options.prefix ?? 'strata';
    this.backoffMs = options.backoffMs ?? 100;
    this.onFailure = options.onFailure ?? defaultOnFailure;
    this.onError = options.onError ?? defaultOnError;
  }

  async enqueue<T>(name: string, payload: T, options: EnqueueOptions = {}): Promise<string> {
    this.assertOpen(`enqueue to "${name}"`);
    const job = await this.queueFor(name).add(name, payload, {
      jobId: options.jobId === undefined ? undefined : encodeJobId(options.jobId),
      delay: options.delayMs,
      attempts: Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS),
      backoff: { type: 'exponential', delay: this.backoffMs },
      // Finished jobs must go: BullMQ ignores an add whose id still exists in any state, which
      // would swallow a later job with the same id (the port dedupes only waiting/running ones).
      // Failures are reported through onFailure instead of being kept in Redis.
      removeOnComplete: true,
      removeOnFail: true,
    });
    return options.jobId ?? job.id!;
  }

  async process<T>(name: string, handler: (payload: T) => Promise<void>, options: ProcessOptions = {}): Promise<void> {
    this.assertOpen(`process "${name}"`);
    // Two handlers in one process are almost surely a wiring mistake; fail loudly at startup.
    if (this.workers.has(name)) throw new Error(`queue "${name}" already has a handler`);
    const worker = new Worker(name, async (job: Job) => handler(job.data as T), {
      // Workers block on Redis; ioredis must never give up on their commands.
      connection: { url: this.options.url, maxRetriesPerRequest: null },
      prefix: this.prefix,
      concurrency: Math.max(1, options.concurrency ?? 1),
    });
    worker.on('error', (error) => this.onError(error));
    worker.on('failed', (job, error) => {
      // 'failed' fires on every failed attempt; only the last one means the job gave up.
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        this.onFailure(name, decodeJobId(job.id ?? ''), error);
      }
    });
    this.workers.set(name, worker);
    await worker.waitUntilReady();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // Workers first: Worker.close() stops fetching and waits for the running jobs.
    await Promise.allSettled([...this.workers.values()].map((worker) => worker.close()));
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    // The shared producer connection is ours, not BullMQ's: Queue.close() leaves it open.
    if (this.producer) await this.producer.quit().catch(() => this.producer?.disconnect());
  }

  private queueFor(name: string): BullQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new BullQueue(name, {
        connection: this.producerConnection(),
        prefix: this.prefix,
        // Nobody here reads BullMQ's event stream; keep it from growing to its 10 000 default.
        streams: { events: { maxLen: 100 } },
      });
      queue.on('error', (error) => this.onError(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private producerConnection(): Redis {
    if (!this.producer) {
      this.producer = new Redis(this.options.url);
      this.producer.on('error', (error) => this.onError(error));
    }
    return this.producer;
  }

  private assertOpen(action: string): void {
    if (this.closing) throw new Error(`queue is closed: cannot ${action}`);
  }
}

function defaultOnFailure(name: string, jobId: string, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`queue "${name}": job ${jobId} gave up: ${reason}\n`);
}

function defaultOnError(error: Error): void {
  process.stderr.write(`queue: ${error.message}\n`);
}
