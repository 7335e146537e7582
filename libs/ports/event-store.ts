import type { EventMetadata, RecordedEvent } from '../domain/index.js';

export interface NewEvent {
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
}

/**
 * The version a stream must be at for an append to succeed: the number of events it already holds
 * (0: the stream must not exist yet), or 'any' to skip the check.
 */
export type ExpectedVersion = number | 'any';

export interface AppendResult {
  /** global position of the last appended event */
  position: number;
  /** stream version after the append (= number of events in the stream) */
  streamVersion: number;
}

export interface Subscription {
  close(): Promise<void>;
}

/**
 * The event log.
 *
 * Contract:
 * - Global positions start at 1, are gap-free and are assigned in commit order: a reader that has
 *   seen position N never later finds an event below N that it has not seen.
 * - `append` is atomic: all the events or none. If the stream is not at `expectedVersion` it
 *   throws DomainError('CONCURRENCY_CONFLICT') and appends nothing; of concurrent appends with the
 *   same expected version exactly one wins.
 * - Each event carries `hash = sha256(prevHash + canonical(event))`: see event-hash.ts.
 * - `readAll(from, limit)` returns events with position >= from, in position order.
 * - `subscribe(from, handler)` calls the handler for every event with position >= from, in
 *   order, one at a time, including events appended later; if the handler throws the
 *   subscription stops (and the error goes to `onError`).
 * - `onAppended` listeners are wake-up hints (may be coalesced, may arrive from other processes).
 * Undefined: what happens to events whose `data` is not JSON-serialisable.
 */
export interface EventStore {
  append(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult>;
  readStream(streamId: string): Promise<RecordedEvent[]>;
  readAll(fromPosition: number, limit: number): Promise<RecordedEvent[]>;
  subscribe(fromPosition: number, handler: (event: RecordedEvent) => Promise<void>, onError?: (e: unknown) => void): Subscription;
  head(): Promise<{ position: number; hash: string }>;
  onAppended(listener: (position: number) => void): () => void;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');
