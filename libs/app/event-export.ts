import { Readable } from 'node:stream';
import { DomainError, type RecordedEvent } from '../domain/index.js';
import { canonicalJson, type EventStore } from '../ports/index.js';

const BATCH = 500;
export const EXPORT_FORMAT_VERSION = 'strata-events/1';

export interface ExportFilter {
  /** first position (default 1) */
  from?: number;
  /** last position (default: the head when the export starts) */
  to?: number;
  /** only events about this repository (data.repository, or a promotion's from/to) */
  repository?: string;
  /** only these event types */
  types?: string[];
}

export interface ExportPlan {
  filter: ExportFilter;
  from: number;
  /** the last position exported: min(to, head at start) */
  to: number;
  /** the chain head when the export started: what an auditor compares with a trusted head */
  chainHead: { position: number; hash: string };
  /** true when every event from..to is in the export (no repository or type filter) */
  contiguous: boolean;
}

export type ExportFormat = 'jsonl' | 'csv';

const CSV_COLUMNS = ['position', 'recordedAt', 'streamId', 'streamVersion', 'type', 'schemaVersion', 'actor', 'authMethod', 'clientIp', 'prevHash', 'hash', 'data', 'metadata'];

const csvCell = (v: unknown): string => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function touches(e: RecordedEvent, repository: string): boolean {
  const d = e.data as { repository?: unknown; from?: unknown; to?: unknown };
  return d.repository === repository || d.from === repository || d.to === repository;
}

/**
 * Compliance exports (issue 8): the log as JSONL or CSV, read in batches by position and streamed
 * with backpressure (the next batch is read only when the consumer asks for more), so an export of
 * any size runs in flat memory. The head is fixed when the export starts: events appended during
 * the export are not in it, and the plan says exactly which range it covers.
 *
 * JSONL: a first line `{"export": {...plan}}`, then one event per line exactly as the log holds it
 * (with `prevHash` and `hash`), then a last line `{"trailer": {...plan, "events": n, "lastHash"}}`.
 * CSV: a header row, then one row per event; `data` and `metadata` are canonical JSON (the bytes the
 * hash covers), so each hash can be recomputed from the row.
 */
export class EventExporter {
  constructor(private readonly store: EventStore) {}

  async plan(filter: ExportFilter): Promise<ExportPlan> {
    const from = filter.from ?? 1;
    if (!Number.isSafeInteger(from) || from < 1) throw new DomainError('BAD_REQUEST', 'from must be a position (1 or more)');
    if (filter.to !== undefined && (!Number.isSafeInteger(filter.to) || filter.to < from)) throw new DomainError('BAD_REQUEST', 'to must be a position at or after from');
    const head = await this.store.head();
    return {
      filter,
      from,
      to: Math.min(filter.to ?? head.position, head.position),
      chainHead: { position: head.position, hash: head.hash },
      contiguous: !filter.repository && !filter.types?.length,
    };
  }

  /** The events of the plan, in position order, one batch read at a time. */
  async *events(plan: ExportPlan): AsyncGenerator<RecordedEvent> {
    const { repository, types } = plan.filter;
    for (let position = plan.from; position <= plan.to; ) {
      const batch = await this.store.readAll(position, Math.min(BATCH, plan.to - position + 1));
      if (batch.length === 0) return;
      for (const e of batch) {
        if (e.position > plan.to) return;
        if (repository && !touches(e, repository)) continue;
        if (types?.length && !types.includes(e.type)) continue;
        yield e;
      }
      position = batch[batch.length - 1].position + 1;
    }
  }

  /** The export as a byte stream; `onEvent` sees each exported event (progress). */
  stream(plan: ExportPlan, format: ExportFormat, onEvent?: (e: RecordedEvent) => void): Readable {
    const events = this.events(plan);
    async function* lines(): AsyncGenerator<string> {
      let count = 0;
      let lastHash: string | null = null;
      if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
      else yield `${JSON.stringify({ export: { version: EXPORT_FORMAT_VERSION, ...plan } })}\n`;
      for await (const e of events) {
        count += 1;
        lastHash = e.hash;
        onEvent?.(e);
        if (format === 'jsonl') yield `${JSON.stringify(e)}\n`;
        else {
          const m = e.metadata;
          const row = [e.position, e.recordedAt, e.streamId, e.streamVersion, e.type, e.schemaVersion, m.actor, m.authMethod, m.clientIp, e.prevHash, e.hash, canonicalJson(e.data), canonicalJson(e.metadata)];
          yield `${row.map(csvCell).join(',')}\n`;
        }
      }
      if (format === 'jsonl') yield `${JSON.stringify({ trailer: { version: EXPORT_FORMAT_VERSION, ...plan, events: count, lastHash } })}\n`;
    }
    return Readable.from(lines(), { objectMode: false, highWaterMark: 64 * 1024 });
  }
}
