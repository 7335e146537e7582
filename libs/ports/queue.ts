export interface EnqueueOptions {
  /** a job with the same id that is still waiting or running is not added twice */
  jobId?: string;
  delayMs?: number;
  /** attempts before the job is given up (default 3) */
  attempts?: number;
}

export interface ProcessOptions {
  concurrency?: number;
}

/**
 * Background work. The queue carries work, never truth: a lost job must be safe to redo.
 *
 * Contract:
 * - Each enqueued job is handled by one handler of its queue name, at least once; a handler that
 *   throws is retried until `attempts` are used up (backoff unspecified).
 * - Jobs enqueued before `process` is called are delivered once a handler is registered.
 * - `close` stops taking new jobs and waits for running handlers.
 * Undefined: order between jobs, which process handles a job.
 */
export interface Queue {
  enqueue<T>(name: string, payload: T, options?: EnqueueOptions): Promise<string>;
  process<T>(name: string, handler: (payload: T) => Promise<void>, options?: ProcessOptions): Promise<void>;
  close(): Promise<void>;
}

export const QUEUE = Symbol('Queue');
