import { EventEmitter } from 'node:events';
import { DomainError, type EventMetadata, type RecordedEvent } from '../../domain/index.js';
import {
  catchUpSubscription,
  eventHash,
  GENESIS_HASH,
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type Sql,
  type Subscription,
} from '../../ports/index.js';

/** Every append takes this transaction-scoped advisory lock: positions are then gap-free and in commit order. */
const APPEND_LOCK = 7_451_103_522;
const CHANNEL = 'strata_events';
const UNIQUE_VIOLATION = '23505';

interface EventRow {
  position: number;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
}

const COLUMNS = 'position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash';

/**
 * The event store on PostgreSQL (a server through `pg`, or embedded PGlite): see
 * migrations/001_event_store.sql and DESIGN.md section 6. Requires the migrations to have run.
 */
export class PostgresEventStore implements EventStore {
  private readonly appended = new EventEmitter().setMaxListeners(0);
  private unlisten?: () => Promise<void>;

  constructor(private readonly sql: Sql) {}

  /** Starts listening for appends made by other processes (wake-up hints only). */
  async start(): Promise<void> {
    this.unlisten = await this.sql.listen(CHANNEL, (payload) => this.appended.emit('position', Number(payload)));
  }

  async append(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    try {
      const result = await this.sql.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
        const current = (await tx.query<{ v: number }>('SELECT coalesce(max(stream_version), 0)::int AS v FROM events WHERE stream_id = $1', [streamId])).rows[0].v;
        if (expectedVersion !== 'any' && current !== expectedVersion) {
          throw new DomainError('CONCURRENCY_CONFLICT', `stream ${streamId} is at version ${current}, expected ${expectedVersion}`);
        }
        const head = (await tx.query<{ position: number; hash: string }>('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1')).rows[0];
        let position = head?.position ?? 0;
        let prevHash = head?.hash ?? GENESIS_HASH;
        const recordedAt = new Date().toISOString();
        const params: unknown[] = [];
        const values: string[] = [];
        events.forEach((e, i) => {
          position += 1;
          const recorded = {
            position,
            streamId,
            streamVersion: current + i + 1,
            type: e.type,
            schemaVersion: e.schemaVersion,
            // what the row will hold once read back: hashing the JSON round trip keeps verification exact
            data: JSON.parse(JSON.stringify(e.data)) as unknown,
            metadata: JSON.parse(JSON.stringify(e.metadata)) as EventMetadata,
            recordedAt,
          };
          const hash = eventHash(prevHash, recorded as Omit<RecordedEvent, 'hash' | 'prevHash'>);
          const base = params.length;
          values.push(`(${Array.from({ length: 10 }, (_, k) => `$${base + k + 1}`).join(', ')})`);
          params.push(position, streamId, recorded.streamVersion, e.type, e.schemaVersion, JSON.stringify(recorded.data), JSON.stringify(recorded.metadata), recordedAt, prevHash, hash);
          prevHash = hash;
        });
        await tx.query(`INSERT INTO events (${COLUMNS}) VALUES ${values.join(', ')}`, params);
        await tx.query('SELECT pg_notify($1, $2)', [CHANNEL, String(position)]);
        return { position, streamVersion: current + events.length };
      });
      this.appended.emit('position', result.position);
      return result;
    } catch (e) {
      if ((e as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new DomainError('CONCURRENCY_CONFLICT', `stream ${streamId} was changed concurrently`);
      }
      throw e;
    }
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    const r = await this.sql.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`, [streamId]);
    return r.rows.map(toRecorded);
  }

  async readAll(fromPosition: number, limit: number): Promise<RecordedEvent[]> {
    const r = await this.sql.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE position >= $1 ORDER BY position LIMIT $2`,
      [Math.max(1, Math.floor(fromPosition)), Math.max(1, Math.min(10_000, Math.floor(limit)))],
    );
    return r.rows.map(toRecorded);
  }

  subscribe(fromPosition: number, handler: (event: RecordedEvent) => Promise<void>, onError?: (e: unknown) => void): Subscription {
    return catchUpSubscription(this, fromPosition, handler, onError);
  }

  async head(): Promise<{ position: number; hash: string }> {
    const row = (await this.sql.query<{ position: number; hash: string }>('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1')).rows[0];
    return row ?? { position: 0, hash: GENESIS_HASH };
  }

  onAppended(listener: (position: number) => void): () => void {
    this.appended.on('position', listener);
    return () => this.appended.off('position', listener);
  }

  async close(): Promise<void> {
    await this.unlisten?.();
    this.appended.removeAllListeners();
  }
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    position: Number(row.position),
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.type as RecordedEvent['type'],
    schemaVersion: row.schema_version,
    data: row.data as RecordedEvent['data'],
    metadata: row.metadata,
    recordedAt: new Date(row.recorded_at).toISOString(),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
