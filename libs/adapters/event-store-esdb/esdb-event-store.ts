import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BACKWARDS,
  binaryEvent,
  END,
  EventStoreDBClient,
  jsonEvent,
  type ReadStreamOptions,
  type ResolvedEvent,
  type StreamSubscription,
} from '@eventstore/db-client';
import { DomainError, type RecordedEvent } from '../../domain/index.js';
import {
  catchUpSubscription,
  GENESIS_HASH,
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type Subscription,
} from '../../ports/index.js';
import {
  assembleStream,
  backoffMs,
  buildLogEntries,
  checkMissing,
  classifyPointer,
  expectedRevisionFor,
  isStreamNotFound,
  isWrongExpectedVersion,
  LINK_EVENT_TYPE,
  linkData,
  missingPointers,
  streamNames,
  toRecordedEvent,
  type EsdbStreamNames,
  type LogTail,
} from './esdb-log.js';

export interface EsdbEventStoreOptions {
  /** prefix of every stream this store owns (`<ns>-log`, `<ns>-stream-<id>`); default `strata` */
  namespace?: string;
  /** catch-up subscriptions poll this often when no wake-up hint arrives */
  pollMs?: number;
  /** optimistic retries on the log before an append gives up as contended */
  maxAttempts?: number;
}

/**
 * The event store on EventStoreDB (DESIGN.md section 6). ESDB's $all positions are neither
 * gap-free nor 1-based, so the port's positions come from one stream, the log: every append is a
 * compare-and-swap on the log's revision (position = revision + 1), which serialises appends the
 * way the PostgreSQL adapter's advisory lock does. Per-stream versions are checked against an
 * index of link events per stream that is written AFTER the log entry and repaired by the next
 * appender; see README.md for why this ordering and not the other.
 */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  /** a client made here from a URL is ours to dispose; one passed in belongs to the caller */
  private readonly ownsClient: boolean;
  private readonly names: EsdbStreamNames;
  private readonly pollMs: number;
  private readonly maxAttempts: number;
  private readonly appended = new EventEmitter().setMaxListeners(0);
  /** in-process queue: appends from one process take turns instead of losing CAS races to each other */
  private queue: Promise<unknown> = Promise.resolve();
  /** the log tail as this process last wrote it; `indexed` once its pointers are written */
  private tail?: LogTail & { indexed: boolean };
  private feed?: StreamSubscription;
  private feedRetry?: NodeJS.Timeout;
  private closed = false;

  /**
   * `client`: an ESDB connection string (`esdb://host:2113?tls=false`) or a client to share.
   * Does not connect: the client connects on its first call.
   */
  constructor(client: EventStoreDBClient | string, options: EsdbEventStoreOptions = {}) {
    this.ownsClient = typeof client === 'string';
    this.client = typeof client === 'string' ? EventStoreDBClient.connectionString(client) : client;
    this.names = streamNames(options.namespace);
    this.pollMs = options.pollMs ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 200;
  }

  get streams(): EsdbStreamNames {
    return this.names;
  }

  append(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) return Promise.reject(new Error('append needs at least one event'));
    const run = this.queue.then(() => this.appendNow(streamId, events, expectedVersion));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt));
      const cached = this.tail;
      const tail = cached ?? { ...(await this.readTail()), indexed: false };
      // the invariant every reader relies on: the batch at the tail is indexed before anything follows it
      if (tail.last && !tail.indexed) await this.ensureIndexed(tail.last);
      const current = await this.indexedCount(streamId);
      if (expectedVersion !== 'any' && current !== expectedVersion) {
        // a cached tail may hide another process's unindexed batch: decide only on a fresh read
        if (cached) {
          this.tail = undefined;
          continue;
        }
        throw new DomainError('CONCURRENCY_CONFLICT', `stream ${streamId} is at version ${current}, expected ${expectedVersion}`);
      }
      const entries = buildLogEntries(tail, streamId, current, events, new Date().toISOString());
      try {
        await this.client.appendToStream(
          this.names.log,
          entries.map((e) => jsonEvent({ type: e.type, data: e as unknown as Record<string, unknown> })),
          { expectedRevision: expectedRevisionFor(tail.last?.position ?? 0) },
        );
      } catch (e) {
        // another writer took the log's next revision: nothing of ours was written, look again
        if (isWrongExpectedVersion(e)) {
          this.tail = undefined;
          continue;
        }
        this.tail = undefined;
        throw e;
      }
      const last = entries[entries.length - 1];
      this.tail = { last, indexed: false };
      this.appended.emit('position', last.position);
      try {
        await this.ensureIndexed(last, entries, current);
        this.tail = { last, indexed: true };
      } catch {
        // committed regardless: the log entry is the commit, and the next appender repairs the index
      }
      return { position: last.position, streamVersion: last.streamVersion };
    }
    throw new DomainError('CONCURRENCY_CONFLICT', `the ESDB log stayed contended for ${this.maxAttempts} attempts`);
  }

  /**
   * Writes the links of `last`'s batch that its stream's index lacks. Idempotent and race-safe:
   * the index write expects the revision it read, so of two repairers one writes and one re-reads.
   * `known` (the batch's entries) and `indexedHint` (the index length) come from an appender that
   * has just written the batch itself and need not read either back.
   */
  private async ensureIndexed(last: RecordedEvent, known?: RecordedEvent[], indexedHint?: number): Promise<void> {
    const index = this.names.index(last.streamId);
    let indexed = indexedHint ?? (await this.indexedCount(last.streamId));
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const missing = missingPointers(last, indexed);
      if (missing.length === 0) return;
      const ours = known?.filter((e) => e.streamVersion > indexed);
      checkMissing(last.streamId, missing, ours ?? (await this.readAll(missing[0].position, missing.length)));
      try {
        await this.client.appendToStream(
          index,
          missing.map((m) => binaryEvent({ type: LINK_EVENT_TYPE, data: linkData(this.names.log, m.position) })),
          { expectedRevision: expectedRevisionFor(indexed) },
        );
        return;
      } catch (e) {
        if (!isWrongExpectedVersion(e)) throw e;
      }
      indexed = await this.indexedCount(last.streamId);
    }
    throw new Error(`could not index ${last.streamId}: its index stayed contended`);
  }

  /** Number of indexed events of a stream (its index stream's length). */
  private async indexedCount(streamId: string): Promise<number> {
    const [last] = await this.collect(this.names.index(streamId), { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    const record = last?.link ?? last?.event;
    return record ? Number(record.revision) + 1 : 0;
  }

  private async readTail(): Promise<LogTail> {
    const [last] = await this.collect(this.names.log, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    return last?.event ? { last: toRecordedEvent(last.event.revision, last.event.data) } : {};
  }

  /** All events a read returns; a stream that does not exist yet reads as empty. */
  private async collect(stream: string, options: ReadStreamOptions): Promise<ResolvedEvent[]> {
    const out: ResolvedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, options)) out.push(resolved);
    } catch (e) {
      if (!isStreamNotFound(e)) throw e;
    }
    return out;
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    // the tail first: every batch older than it is indexed by now, so index + tail batch is complete
    const { last } = await this.readTail();
    const pointers = (await this.collect(this.names.index(streamId), { resolveLinkTos: true })).map((r) => classifyPointer(r, this.names.log));
    const indexed: RecordedEvent[] = [];
    for (const p of pointers) {
      if (p.kind === 'resolved') indexed.push(p.event);
      else indexed.push(...(await this.readAll(p.position, 1)));
    }
    const missing = last && last.streamId === streamId ? missingPointers(last, indexed.length) : [];
    const tailBatch = missing.length > 0 ? await this.readAll(missing[0].position, missing.length) : [];
    return assembleStream(streamId, indexed, tailBatch);
  }

  async readAll(fromPosition: number, limit: number): Promise<RecordedEvent[]> {
    const from = Math.max(1, Math.floor(fromPosition));
    const max = Math.max(1, Math.min(10_000, Math.floor(limit)));
    const read = await this.collect(this.names.log, { fromRevision: BigInt(from - 1), maxCount: max });
    return read.flatMap((r) => (r.event ? [toRecordedEvent(r.event.revision, r.event.data)] : []));
  }

  subscribe(fromPosition: number, handler: (event: RecordedEvent) => Promise<void>, onError?: (e: unknown) => void): Subscription {
    return catchUpSubscription(this, fromPosition, handler, onError, this.pollMs);
  }

  async head(): Promise<{ position: number; hash: string }> {
    const { last } = await this.readTail();
    return last ? { position: last.position, hash: last.hash } : { position: 0, hash: GENESIS_HASH };
  }

  onAppended(listener: (position: number) => void): () => void {
    this.appended.on('position', listener);
    this.startFeed();
    return () => {
      this.appended.off('position', listener);
      if (this.appended.listenerCount('position') === 0) this.stopFeed();
    };
  }

  /**
   * Wake-up hints from other processes: a live ESDB subscription to the end of the log, open only
   * while someone listens. Losing it costs latency, not events (subscribers poll by position), so
   * its errors are not reported, only retried.
   */
  private startFeed(): void {
    if (this.feed || this.feedRetry || this.closed) return;
    const feed = this.client.subscribeToStream(this.names.log, { fromRevision: END });
    this.feed = feed;
    const restart = () => {
      if (this.feed !== feed) return;
      this.feed = undefined;
      feed.unsubscribe().catch(() => undefined);
      if (this.closed || this.appended.listenerCount('position') === 0) return;
      this.feedRetry = setTimeout(() => {
        this.feedRetry = undefined;
        if (this.appended.listenerCount('position') > 0) this.startFeed();
      }, this.pollMs);
      this.feedRetry.unref();
    };
    feed.on('data', (r: ResolvedEvent) => {
      if (r.event) this.appended.emit('position', Number(r.event.revision) + 1);
    });
    feed.on('error', restart);
    feed.on('end', restart);
  }

  private stopFeed(): void {
    clearTimeout(this.feedRetry);
    this.feedRetry = undefined;
    const feed = this.feed;
    this.feed = undefined;
    feed?.unsubscribe().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopFeed();
    this.appended.removeAllListeners();
    await this.queue;
    if (this.ownsClient) await this.client.dispose();
  }
}
