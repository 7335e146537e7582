import type { EventStore, Projection, Sql, SqlExecutor } from '../../ports/index.js';
import { projectionTable } from '../../ports/index.js';
import { DomainError, type RecordedEvent } from '../../domain/index.js';
import { loadProjectionDdl } from './ddl.js';
import { applyAllPresented } from './event-presentation.js';

const BATCH = 1000;

export interface VerifyResult {
  name: string;
  ok: boolean;
  position: number;
  rows: number;
  shadowRows: number;
  /** rows in the rebuilt table that the live table lacks */
  missing: number;
  /** rows in the live table that a rebuild does not produce */
  extra: number;
}

/**
 * Rebuilds a projection into a shadow table, from position 1, without stopping the live table.
 * The final catch-up and the swap (or the comparison) run under the projection's gate so the
 * live loop is paused only for that short step.
 */
export class ProjectionRebuilder {
  private readonly running = new Map<string, { position: number; head: number }>();

  constructor(private readonly sql: Sql, private readonly store: EventStore) {}

  progressOf(name: string): { position: number; head: number } | undefined {
    const p = this.running.get(name);
    return p ? { ...p } : undefined;
  }

  async rebuild(p: Projection, underGate: (fn: () => Promise<void>) => Promise<void>): Promise<void> {
    const live = projectionTable(p);
    const shadow = `${live}_rebuild`;
    await this.exclusive(p, async (progress) => {
      let position = await this.build(p, shadow, Infinity, progress);
      await underGate(async () => {
        // PGlite serialises everything through one connection, so events are read before the
        // transaction; the row lock then proves the checkpoint did not move in between.
        const target = Math.max(await this.checkpoint(p), position);
        const rest = await this.readRange(position, target);
        await this.sql.transaction(async (tx) => {
          const row = (await tx.query<{ position: number }>('SELECT position FROM projection_checkpoints WHERE name = $1 AND version = $2 FOR UPDATE', [p.name, p.version])).rows[0];
          if (Number(row.position) > target) throw new DomainError('CONCURRENCY_CONFLICT', `projection ${p.name} moved during the swap; run the rebuild again`);
          await this.applyEvents(p, tx, shadow, rest);
          await tx.query(`DROP TABLE IF EXISTS ${live}`);
          await tx.query(`ALTER TABLE ${shadow} RENAME TO ${live}`);
          await tx.query('UPDATE projection_checkpoints SET position = $3, updated_at = now() WHERE name = $1 AND version = $2', [p.name, p.version, target]);
        });
        progress.position = target;
      });
    });
  }

  async verify(p: Projection, underGate: (fn: () => Promise<VerifyResult>) => Promise<VerifyResult>): Promise<VerifyResult> {
    const live = projectionTable(p);
    const shadow = `${live}_verify`;
    let result: VerifyResult | undefined;
    await this.exclusive(p, async (progress) => {
      try {
        const built = await this.build(p, shadow, Infinity, progress);
        result = await underGate(async () => {
          const target = await this.checkpoint(p);
          // the live table may be behind the shadow: then rebuild the shadow to exactly its checkpoint
          if (built > target) await this.build(p, shadow, target, progress);
          else {
            const rest = await this.readRange(built, target);
            await this.sql.transaction((tx) => this.applyEvents(p, tx, shadow, rest));
          }
          const count = async (q: string) => Number((await this.sql.query<{ n: number }>(q)).rows[0].n);
          const rows = await count(`SELECT count(*)::int AS n FROM ${live}`);
          const shadowRows = await count(`SELECT count(*)::int AS n FROM ${shadow}`);
          const missing = await count(`SELECT count(*)::int AS n FROM (SELECT * FROM ${shadow} EXCEPT ALL SELECT * FROM ${live}) d`);
          const extra = await count(`SELECT count(*)::int AS n FROM (SELECT * FROM ${live} EXCEPT ALL SELECT * FROM ${shadow}) d`);
          return { name: p.name, ok: missing === 0 && extra === 0, position: target, rows, shadowRows, missing, extra };
        });
      } finally {
        await this.sql.query(`DROP TABLE IF EXISTS ${shadow}`);
      }
    });
    return result!;
  }

  private async exclusive(p: Projection, fn: (progress: { position: number; head: number }) => Promise<void>): Promise<void> {
    if (this.running.has(p.name)) throw new DomainError('ALREADY_EXISTS', `a rebuild or verify of ${p.name} is already running`);
    const progress = { position: 0, head: (await this.store.head()).position };
    this.running.set(p.name, progress);
    try {
      await fn(progress);
    } finally {
      this.running.delete(p.name);
    }
  }

  /** Creates `table` fresh and applies events 1..upTo in batched transactions; returns the last position applied. */
  private async build(p: Projection, table: string, upTo: number, progress: { position: number; head: number }): Promise<number> {
    await this.sql.query(`DROP TABLE IF EXISTS ${table}`);
    for (const statement of await loadProjectionDdl(p.ddl, table)) await this.sql.query(statement);
    let position = 0;
    for (;;) {
      const head = (await this.store.head()).position;
      progress.head = head;
      const target = Math.min(head, upTo);
      if (position >= target) return position;
      const events = await this.store.readAll(position + 1, Math.min(BATCH, target - position));
      if (events.length === 0) return position;
      await this.sql.transaction((tx) => this.applyEvents(p, tx, table, events));
      position = events[events.length - 1].position;
      progress.position = position;
    }
  }

  private async checkpoint(p: Projection): Promise<number> {
    const row = (await this.sql.query<{ position: number }>('SELECT position FROM projection_checkpoints WHERE name = $1 AND version = $2', [p.name, p.version])).rows[0];
    return Number(row?.position ?? 0);
  }

  private async readRange(after: number, upTo: number) {
    const out = [];
    let position = after;
    while (position < upTo) {
      const events = await this.store.readAll(position + 1, Math.min(BATCH, upTo - position));
      if (events.length === 0) break;
      out.push(...events);
      position = events[events.length - 1].position;
    }
    return out;
  }

  private async applyEvents(p: Projection, tx: SqlExecutor, table: string, events: RecordedEvent[]): Promise<void> {
    await applyAllPresented(p, events, tx, table);
  }
}
