import { DomainError, type EventMetadata } from '../domain/index.js';
import { projectionTable, type Sql } from '../ports/index.js';
import { historyProjection } from './projections/history.projection.js';

export interface HistoryFilter {
  repository: string;
  /** one package; undefined: the whole repository (its own events and every package's) */
  package?: string;
  /** ISO times, inclusive bounds */
  since?: string;
  until?: string;
  actor?: string;
  types?: string[];
  /** position cursor: entries after this one */
  after?: number;
  limit: number;
}

export interface HistoryEntry {
  position: number;
  type: string;
  repository: string;
  package: string | null;
  /** promotions: `in` (this repository is the target) or `out` (the source) */
  direction?: 'in' | 'out';
  streamId: string;
  recordedAt: string;
  data: unknown;
  metadata: EventMetadata;
}

interface Row {
  position: string;
  type: string;
  repository: string;
  package: string;
  direction: 'in' | 'out' | null;
  stream_id: string;
  recorded_at: Date;
  data: unknown;
  metadata: EventMetadata;
}

const table = projectionTable(historyProjection);

const time = (value: string | undefined, name: string) => {
  if (value === undefined) return undefined;
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new DomainError('BAD_REQUEST', `${name} must be an RFC 3339 time`);
  return t.toISOString();
};

/** Reads the history index (never the log): one indexed query per page. */
export class HistoryQueries {
  constructor(private readonly sql: Sql) {}

  async page(f: HistoryFilter): Promise<{ items: HistoryEntry[]; next: number | null }> {
    const where = ['repository = $1'];
    const params: unknown[] = [f.repository];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (f.package !== undefined) add('package = ?', f.package);
    const since = time(f.since, 'since');
    const until = time(f.until, 'until');
    if (since) add('recorded_at >= ?', since);
    if (until) add('recorded_at <= ?', until);
    if (f.actor) add('actor = ?', f.actor);
    if (f.types?.length) add('type = ANY(?)', f.types);
    if (f.after) add('position > ?', f.after);
    params.push(f.limit + 1);
    const rows = (
      await this.sql.query<Row>(`SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY position, package LIMIT $${params.length}`, params)
    ).rows;
    const more = rows.length > f.limit;
    const items = rows.slice(0, f.limit).map(
      (r): HistoryEntry => ({
        position: Number(r.position),
        type: r.type,
        repository: r.repository,
        package: r.package === '' ? null : r.package,
        ...(r.direction ? { direction: r.direction } : {}),
        streamId: r.stream_id,
        recordedAt: new Date(r.recorded_at).toISOString(),
        data: r.data,
        metadata: r.metadata,
      }),
    );
    return { items, next: more ? items[items.length - 1].position : null };
  }

  /** Has anything ever touched this repository (so an empty page of a deleted one is not a 404)? */
  async known(repository: string): Promise<boolean> {
    return (await this.sql.query(`SELECT 1 FROM ${table} WHERE repository = $1 LIMIT 1`, [repository])).rows.length > 0;
  }
}
