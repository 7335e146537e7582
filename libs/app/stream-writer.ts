import { DomainError, type DomainEvent, type EventMetadata, type RecordedEvent } from '../domain/index.js';
import type { EventStore } from '../ports/index.js';
import type { ProjectionRunner } from './projections/projection-runner.js';
import { concerns } from './projections/event-presentation.js';

/**
 * The write path's steps 3 and 4 (DESIGN.md section 5): load a stream, fold it, decide, append
 * with the expected version, then wait for the projections (read-your-writes). A lost race is
 * decided again on the new state, so the loser gets the domain's answer (for example
 * VERSION_EXISTS) rather than a bare conflict.
 */
export class StreamWriter {
  private readonly settledListeners: ((types: readonly string[]) => void)[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly consistencyTimeoutMs: number,
  ) {}

  async execute<S>(
    streamId: string,
    fold: (events: RecordedEvent[]) => S,
    decide: (state: S) => DomainEvent[],
    metadata: EventMetadata,
  ): Promise<{ position: number; events: DomainEvent[] }> {
    for (let attempt = 0; ; attempt++) {
      const history = await this.store.readStream(streamId);
      const events = decide(fold(history));
      if (events.length === 0) return { position: 0, events }; // nothing to change (an idempotent command)
      try {
        const { position } = await this.store.append(
          streamId,
          events.map((e) => ({ ...e, metadata })),
          history.length,
        );
        await this.settle(position, events);
        const types = events.map((e) => e.type);
        for (const listener of this.settledListeners) listener(types);
        return { position, events };
      } catch (e) {
        if (!(e instanceof DomainError && e.code === 'CONCURRENCY_CONFLICT') || attempt >= 4) throw e;
      }
    }
  }

  /** Called after each write of this process has settled, with its event types (caches drop what it changed). */
  onSettled(listener: (types: readonly string[]) => void): void {
    this.settledListeners.push(listener);
  }

  /**
   * Waits (bounded) until the read models that `events` concern (all, when not given) include
   * `position`; a slow projector does not fail the write.
   */
  async settle(position: number, events?: readonly { type: string; data?: unknown }[]): Promise<void> {
    const names = events ? this.runner.projections.filter((p) => events.some((e) => concerns(p, { type: e.type, data: e.data ?? null }))).map((p) => p.name) : undefined;
    await this.runner.waitFor(position, names, this.consistencyTimeoutMs).catch((e) => {
      if (!(e instanceof DomainError && e.code === 'TIMEOUT')) throw e;
    });
  }
}
