import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../domain/index.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: the bytes the hash chain covers. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

type Hashable = Omit<RecordedEvent, 'hash' | 'prevHash'>;

/** hash = sha256(prevHash || "\n" || canonical event bytes), hex. */
export function eventHash(prevHash: string, event: Hashable): string {
  const body = canonicalJson({
    position: event.position,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export interface ChainVerdict {
  ok: boolean;
  events: number;
  head: string;
  /** first position whose hash or link does not match */
  brokenAt?: number;
  reason?: string;
}

/** Walks events in position order, checking positions, links and hashes. */
export class ChainVerifier {
  private prev = GENESIS_HASH;
  private expectedPosition: number;
  private count = 0;
  private broken?: { at: number; reason: string };

  constructor(startPosition = 1, startPrevHash = GENESIS_HASH) {
    this.expectedPosition = startPosition;
    this.prev = startPrevHash;
  }

  /** Returns false once the chain is broken (later events are not checked). */
  check(event: RecordedEvent): boolean {
    if (this.broken) return false;
    if (event.position !== this.expectedPosition) this.broken = { at: event.position, reason: `expected position ${this.expectedPosition}` };
    else if (event.prevHash !== this.prev) this.broken = { at: event.position, reason: 'prevHash does not link to the previous event' };
    else if (eventHash(this.prev, event) !== event.hash) this.broken = { at: event.position, reason: 'hash does not match the event content' };
    if (this.broken) return false;
    this.prev = event.hash;
    this.expectedPosition += 1;
    this.count += 1;
    return true;
  }

  verdict(): ChainVerdict {
    return this.broken
      ? { ok: false, events: this.count, head: this.prev, brokenAt: this.broken.at, reason: this.broken.reason }
      : { ok: true, events: this.count, head: this.prev };
  }
}
