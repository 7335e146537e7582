import { createHash } from 'node:crypto';
import { DomainError, type RecordedEvent } from '../../domain/index.js';
import { projectionTable, type EventStore, type Projection, type Sql, type SqlExecutor } from '../../ports/index.js';
import { loadProjectionDdl } from '../projections/ddl.js';
import { applyAllPresented } from '../projections/event-presentation.js';
import type { ViewPoint } from './view-point.js';

const BATCH = 1000;
const TOUCH_EVERY_MS = 60_000;
const ORPHAN_AFTER_MS = 3600_000;
/** how far in the past a time must be before no new event can still be recorded at or before it */
const SETTLED_AFTER_MS = 5_000;

export interface PointInTimeOptions {
  /** how many built views are kept (least recently used are dropped) */
  maxViews: number;
}

export interface OpenedView {
  schema: string;
  /** the last event that touched the repository at or before the point (0: none) */
  position: number;
}

/** Did this event change what `repository` serves? (promotions count for their target) */
function touches(event: RecordedEvent, repository: string): boolean {
  const data = event.data as { repository?: unknown; to?: unknown } | null;
  return data?.repository === repository || data?.to === repository;
}

/** Named for the registry's own schema too: registries sharing a database never share views. */
const schemaFor = (home: string, repository: string, position: number) =>
  `pit_${createHash('sha256').update(`${home}\n${repository}`).digest('hex').slice(0, 16)}_${position}`;

/**
 * Serves any repository as it was at a moment of the log. A view is the repository's read
 * models (the repositories projection plus its format's projections) built from the events up to
 * that moment into a schema of their own, which requests then read through `viewAwareSql`.
 *
 * Views are keyed by the last event that touched the repository, so every moment between two
 * of its events shares one view; they are built once (concurrent builders race on a private
 * schema each and exactly one is renamed into place), cached in SQL for every node, and the
 * least recently used beyond `maxViews` are dropped. The cost of a first build is one pass over
 * the log up to that moment (bench/RESULTS.md, "Point-in-time views").
 */
export class PointInTimeViews {
  /** `${repository}\n${point}` → the view position, for points that can no longer change */
  private readonly resolved = new Map<string, number>();
  private readonly building = new Map<string, Promise<void>>();
  private readonly touched = new Map<string, number>();
  private home?: Promise<string>;

  constructor(
    private readonly sql: Sql,
    private readonly store: EventStore,
    private readonly projectionsOf: (format: string) => readonly Projection[],
    private readonly options: PointInTimeOptions,
  ) {}

  /** The log position a point names: a position must exist; a time gives the last event recorded at or before it. */
  async positionOf(point: ViewPoint): Promise<{ position: number; head: number }> {
    const head = (await this.store.head()).position;
    if ('position' in point) {
      if (point.position > head) throw new DomainError('NOT_FOUND', `the log has no event ${point.position} yet (its head is ${head})`);
      return { position: point.position, head };
    }
    // recorded times rise with positions (they are taken under the append lock): binary search
    const at = point.time.getTime();
    let lo = 0;
    let hi = head;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const [event] = await this.store.readAll(mid, 1);
      if (event && new Date(event.recordedAt).getTime() <= at) lo = mid;
      else hi = mid - 1;
    }
    return { position: lo, head };
  }

  /** Opens (building if needed) the view of `repository` (of `format`) at `point`. */
  async open(repository: string, format: string, point: ViewPoint): Promise<OpenedView> {
    // A position, or a time already past, names the same events forever (later events get later
    // positions and times), so what it resolves to is remembered; a time still to come is not.
    const settled = 'position' in point || point.time.getTime() < Date.now() - SETTLED_AFTER_MS;
    const pointKey = `${repository}\n${'position' in point ? point.position : point.time.toISOString()}`;
    let position = settled ? this.resolved.get(pointKey) : undefined;
    if (position === undefined) {
      const { position: upTo } = await this.positionOf(point);
      position = await this.lastTouch(repository, upTo);
      if (settled) this.remember(pointKey, position);
    }
    this.home ??= this.sql.query<{ s: string }>('SELECT current_schema() AS s').then((r) => r.rows[0].s);
    const schema = schemaFor(await this.home, repository, position);
    if (!(await this.exists(schema))) await this.buildOnce(schema, repository, format, position);
    await this.touch(schema);
    return { schema, position };
  }

  /** Drops every view (after a projection changes shape, say). */
  async clear(): Promise<number> {
    const rows = (await this.sql.query<{ schema_name: string }>('SELECT schema_name FROM point_in_time_views')).rows;
    for (const r of rows) await this.drop(r.schema_name);
    this.resolved.clear();
    return rows.length;
  }

  private async lastTouch(repository: string, upTo: number): Promise<number> {
    let last = 0;
    await this.scan(upTo, async (events) => {
      for (const e of events) if (touches(e, repository)) last = e.position;
    });
    return last;
  }

  private async scan(upTo: number, onBatch: (events: RecordedEvent[]) => Promise<void>): Promise<number> {
    let position = 0;
    let seen = 0;
    while (position < upTo) {
      const events = await this.store.readAll(position + 1, Math.min(BATCH, upTo - position));
      if (events.length === 0) break;
      await onBatch(events);
      seen += events.length;
      position = events[events.length - 1].position;
    }
    return seen;
  }

  private buildOnce(schema: string, repository: string, format: string, position: number): Promise<void> {
    let pending = this.building.get(schema);
    if (!pending) {
      pending = this.build(schema, repository, format, position).finally(() => this.building.delete(schema));
      this.building.set(schema, pending);
    }
    return pending;
  }

  /**
   * Builds into a private schema in batches (PGlite has one connection, so events are read
   * between transactions, never inside one), then renames it into place unless another builder
   * got there first.
   */
  private async build(schema: string, repository: string, format: string, position: number): Promise<void> {
    const started = Date.now();
    const scratch = `${schema}_b${started.toString(36)}${Math.floor(Math.random() * 1296).toString(36).padStart(2, '0')}`;
    const projections = this.projectionsOf(format);
    try {
      await this.inSchema(scratch, async (tx) => {
        for (const p of projections) for (const statement of await loadProjectionDdl(p.ddl, projectionTable(p))) await tx.query(statement);
      }, true);
      let applied = 0;
      await this.scan(position, async (events) => {
        const mine = events.filter((e) => touches(e, repository));
        if (mine.length === 0) return;
        applied += mine.length;
        await this.inSchema(scratch, async (tx) => {
          for (const p of projections) await applyAllPresented(p, mine, tx, projectionTable(p));
        });
      });
      await this.sql.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [schema]);
        const taken = (await tx.query('SELECT 1 FROM point_in_time_views WHERE schema_name = $1', [schema])).rows.length > 0;
        if (taken) return;
        await tx.query(`ALTER SCHEMA ${scratch} RENAME TO ${schema}`);
        await tx.query(
          'INSERT INTO point_in_time_views (schema_name, repository, position, events, build_ms) VALUES ($1, $2, $3, $4, $5)',
          [schema, repository, position, applied, Date.now() - started],
        );
      });
    } finally {
      await this.sql.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`);
    }
    await this.evict();
  }

  /** Runs `fn` in a transaction whose unqualified table names resolve into `schema` first. */
  private inSchema(schema: string, fn: (tx: SqlExecutor) => Promise<void>, create = false): Promise<void> {
    return this.sql.transaction(async (tx) => {
      if (create) await tx.query(`CREATE SCHEMA ${schema}`);
      await tx.query(`SELECT set_config('search_path', $1 || ',' || current_setting('search_path'), true)`, [schema]);
      await fn(tx);
    });
  }

  private async exists(schema: string): Promise<boolean> {
    return (await this.sql.query('SELECT 1 FROM point_in_time_views WHERE schema_name = $1', [schema])).rows.length > 0;
  }

  private async touch(schema: string): Promise<void> {
    const now = Date.now();
    if (now - (this.touched.get(schema) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(schema, now);
    await this.sql.query('UPDATE point_in_time_views SET last_used_at = now() WHERE schema_name = $1', [schema]);
  }

  /** Drops the least recently used views beyond the limit, and scratch schemas of builds that died. */
  private async evict(): Promise<void> {
    const stale = await this.sql.query<{ schema_name: string }>(
      'SELECT schema_name FROM point_in_time_views ORDER BY last_used_at DESC, created_at DESC OFFSET $1',
      [this.options.maxViews],
    );
    for (const r of stale.rows) await this.drop(r.schema_name);
    const scratches = await this.sql.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname ~ '^pit_[0-9a-f]{16}_[0-9]+_b[0-9a-z]+$'`,
    );
    for (const { nspname } of scratches.rows) {
      const born = parseInt(nspname.slice(nspname.lastIndexOf('_b') + 2, -2), 36);
      if (Date.now() - born > ORPHAN_AFTER_MS) await this.sql.query(`DROP SCHEMA IF EXISTS ${nspname} CASCADE`);
    }
  }

  private async drop(schema: string): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [schema]);
      await tx.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await tx.query('DELETE FROM point_in_time_views WHERE schema_name = $1', [schema]);
    });
    this.touched.delete(schema);
  }

  private remember(key: string, position: number): void {
    if (this.resolved.size >= 10_000) this.resolved.delete(this.resolved.keys().next().value as string);
    this.resolved.set(key, position);
  }
}
