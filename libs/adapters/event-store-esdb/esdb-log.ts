import type { EventMetadata, RecordedEvent } from '../../domain/index.js';
import { eventHash, GENESIS_HASH, type NewEvent } from '../../ports/index.js';

/*
 * Pure helpers of the EventStoreDB adapter: naming, the shape of a log entry, the hash chain,
 * and the bookkeeping of the per-stream index. Nothing here talks to a server, so all of it is
 * unit-tested without one (esdb-log.spec.ts). See README.md for the consistency design.
 */

/** The ESDB event type of an index pointer: ESDB's own link event, resolvable with resolveLinkTos. */
export const LINK_EVENT_TYPE = '$>';

export interface EsdbStreamNames {
  /** the single global stream: revision r holds global position r + 1 */
  log: string;
  /** the index of one Strata stream: revision r is a link to the log entry of stream version r + 1 */
  index(streamId: string): string;
}

/** A namespace keeps several stores (or test runs) apart on one server; `strata` gives `strata-log`. */
export function streamNames(namespace = 'strata'): EsdbStreamNames {
  // a leading `$` would make these ESDB system streams (admin-only, and not ours)
  if (!/^[A-Za-z0-9][A-Za-z0-9_.]*$/.test(namespace)) throw new Error(`invalid ESDB namespace "${namespace}"`);
  return { log: `${namespace}-log`, index: (streamId) => `${namespace}-stream-${streamId}` };
}

/** What one log event holds as its JSON data: the whole RecordedEvent, position included. */
export type LogEntry = RecordedEvent;

/** The end of the log as last seen: `last` undefined means an empty log. */
export interface LogTail {
  last?: RecordedEvent;
}

/** The ESDB expected revision of a stream holding `count` events (ESDB revisions start at 0). */
export function expectedRevisionFor(count: number): 'no_stream' | bigint {
  return count === 0 ? 'no_stream' : BigInt(count - 1);
}

/**
 * Builds the log entries of one append: positions follow the tail, versions follow `current`, and
 * each hash links to the previous one. Data and metadata are hashed as they will read back from
 * JSON, so that verification of what the log returns is exact (as in the PostgreSQL adapter).
 */
export function buildLogEntries(tail: LogTail, streamId: string, current: number, events: NewEvent[], recordedAt: string): LogEntry[] {
  let position = tail.last?.position ?? 0;
  let prevHash = tail.last?.hash ?? GENESIS_HASH;
  return events.map((e, i) => {
    position += 1;
    const body = {
      position,
      streamId,
      streamVersion: current + i + 1,
      type: e.type as RecordedEvent['type'],
      schemaVersion: e.schemaVersion,
      data: roundTrip(e.data) as RecordedEvent['data'],
      metadata: roundTrip(e.metadata) as EventMetadata,
      recordedAt,
    };
    const hash = eventHash(prevHash, body);
    const entry: LogEntry = { ...body, prevHash, hash };
    prevHash = hash;
    return entry;
  });
}

function roundTrip(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

/**
 * Maps a log event (its ESDB revision and JSON data) to a RecordedEvent. The position is stored in
 * the entry AND implied by the revision; a mismatch means the log stream was written by something
 * other than this adapter, and silently trusting either number would corrupt every reader.
 */
export function toRecordedEvent(revision: bigint, data: unknown): RecordedEvent {
  const position = Number(revision) + 1;
  const d = data as Partial<LogEntry> | null;
  if (
    !d || typeof d !== 'object' ||
    typeof d.streamId !== 'string' || typeof d.streamVersion !== 'number' || typeof d.type !== 'string' ||
    typeof d.schemaVersion !== 'number' || typeof d.recordedAt !== 'string' ||
    typeof d.prevHash !== 'string' || typeof d.hash !== 'string' || !d.metadata
  ) {
    throw new Error(`ESDB log entry at revision ${revision} is not a Strata log entry`);
  }
  if (d.position !== position) throw new Error(`ESDB log entry at revision ${revision} claims position ${String(d.position)}, expected ${position}`);
  return {
    position,
    streamId: d.streamId,
    streamVersion: d.streamVersion,
    type: d.type,
    schemaVersion: d.schemaVersion,
    data: (d.data ?? null) as RecordedEvent['data'],
    metadata: d.metadata,
    recordedAt: d.recordedAt,
    prevHash: d.prevHash,
    hash: d.hash,
  };
}

/** The data of a link (`$>`) event: ESDB's "<revision>@<stream>" form. */
export function linkData(logStream: string, position: number): Uint8Array {
  return Buffer.from(`${position - 1}@${logStream}`, 'utf8');
}

/** The global position a link points at, or undefined if it is not a link into `logStream`. */
export function parseLink(data: unknown, logStream: string): number | undefined {
  const text = typeof data === 'string' ? data : data instanceof Uint8Array ? Buffer.from(data).toString('utf8') : undefined;
  const m = text === undefined ? null : /^(\d+)@(.+)$/.exec(text);
  if (!m || m[2] !== logStream) return undefined;
  return Number(m[1]) + 1;
}

export interface MissingPointer {
  streamVersion: number;
  position: number;
}

/**
 * The stream versions of `last`'s stream that the index does not hold yet, with their positions.
 *
 * Only the newest append batch in the log can be unindexed (every appender indexes the batch at
 * the tail before it may write after it), and one batch is one stream with consecutive versions at
 * consecutive positions: so versions indexed+1..last.streamVersion sit right before `last`. An
 * index ahead of `last` is normal (it was read later than `last`): nothing is missing then.
 */
export function missingPointers(last: RecordedEvent, indexed: number): MissingPointer[] {
  const missing: MissingPointer[] = [];
  for (let v = indexed + 1; v <= last.streamVersion; v++) missing.push({ streamVersion: v, position: last.position - (last.streamVersion - v) });
  return missing;
}

/**
 * Checks that log entries read back for `missing` really are those versions of `streamId`. The
 * arithmetic in missingPointers holds only while the index invariant does; linking the wrong
 * entries would corrupt a stream for good, so a mismatch stops the append instead.
 */
export function checkMissing(streamId: string, missing: MissingPointer[], entries: RecordedEvent[]): void {
  if (entries.length !== missing.length) throw new Error(`index repair for ${streamId}: expected ${missing.length} log entries, read ${entries.length}`);
  missing.forEach((m, i) => {
    const e = entries[i];
    if (e.position !== m.position || e.streamId !== streamId || e.streamVersion !== m.streamVersion) {
      throw new Error(`index repair for ${streamId}: log position ${m.position} is ${e.streamId}@${e.streamVersion}, expected version ${m.streamVersion}`);
    }
  });
}

/**
 * One index event, read with resolveLinkTos: either the server resolved it to the log entry, or
 * we got only the link (a server that did not resolve it) and must fetch the entry ourselves.
 */
export type Pointer = { kind: 'resolved'; event: RecordedEvent } | { kind: 'link'; position: number };

interface EsdbRecordLike {
  streamId: string;
  revision: bigint;
  type: string;
  data: unknown;
}

export function classifyPointer(resolved: { event?: EsdbRecordLike; link?: EsdbRecordLike }, logStream: string): Pointer {
  const { event, link } = resolved;
  if (event && event.streamId === logStream) return { kind: 'resolved', event: toRecordedEvent(event.revision, event.data) };
  const raw = link ?? event;
  const position = raw && raw.type === LINK_EVENT_TYPE ? parseLink(raw.data, logStream) : undefined;
  if (position === undefined) throw new Error(`unexpected event in a Strata index stream: ${raw?.streamId ?? '?'}@${String(raw?.revision)}`);
  return { kind: 'link', position };
}

/**
 * A stream as readStream returns it: the indexed events, then those of the tail batch that the
 * index did not hold yet. Versions must run 1..n without a gap; anything else is a broken index.
 */
export function assembleStream(streamId: string, indexed: RecordedEvent[], tailBatch: RecordedEvent[]): RecordedEvent[] {
  const events = [...indexed, ...tailBatch.filter((e) => e.streamId === streamId && e.streamVersion > indexed.length)];
  events.forEach((e, i) => {
    if (e.streamId !== streamId || e.streamVersion !== i + 1) {
      throw new Error(`index of ${streamId} is inconsistent: entry ${i + 1} is ${e.streamId}@${e.streamVersion}`);
    }
  });
  return events;
}

/** ESDB client errors carry a string `type`; duck typing survives two copies of the client. */
export const isWrongExpectedVersion = (e: unknown): boolean => (e as { type?: unknown } | null)?.type === 'wrong-expected-version';
export const isStreamNotFound = (e: unknown): boolean => (e as { type?: unknown } | null)?.type === 'stream-not-found';

/** Jittered, growing pause between optimistic retries on the log, so racing writers spread out. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(100, 2 ** Math.min(attempt, 7)));
}
