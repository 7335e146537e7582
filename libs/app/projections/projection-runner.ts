import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { DomainError } from '../../domain/index.js';
import { projectionTable, type EventStore, type Projection, type Sql } from '../../ports/index.js';
import { loadProjectionDdl } from './ddl.js';
import { ProjectionRebuilder } from './projection-rebuilder.js';
import { RecentEvents } from './recent-events.js';
import { applyAllPresented, concerns } from './event-presentation.js';

const BATCH = 500;
const LEASE_SECONDS = 15;
const INIT_LOCK = 7_451_103_523;

export interface ProjectionStatus {
  name: string;
  version: number;
  table: string;
  position: number;
  head: number;
  lag: number;
  state: 'live' | 'rebuilding' | 'catching-up' | 'standby';
  rebuild?: { position: number; head: number };
}

/** A mutex per projection: the live loop, a rebuild's swap and a verify never interleave. */
class Gate {
  private tail = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }
}

/**
 * Applies projections from the event log (DESIGN.md section 7). Each batch runs in one
 * transaction that locks the projection's checkpoint row, applies only events beyond it and
 * stores the new checkpoint, so every event takes effect exactly once, even if two processes
 * race. Live tailing wakes on the store's notifications with polling as a fallback.
 */
export class ProjectionRunner {
  private readonly holder = randomUUID();
  private readonly progress = new EventEmitter().setMaxListeners(0);
  private readonly positions = new Map<string, number>();
  private readonly gates = new Map<string, Gate>();
  private readonly leased = new Set<string>();
  private readonly leaseTakenAt = new Map<string, number>();
  private readonly rebuilder: ProjectionRebuilder;
  /** every projection's loop reads the live edge of the log from here: one store read per new event */
  private readonly recent: RecentEvents;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private wakers = new Set<() => void>();
  private offAppended?: () => void;

  constructor(
    private readonly sql: Sql,
    private readonly store: EventStore,
    readonly projections: readonly Projection[],
    private readonly options: { pollMs?: number } = {},
  ) {
    const names = new Set<string>();
    for (const p of projections) {
      if (names.has(p.name)) throw new Error(`two projections are named ${p.name}`);
      names.add(p.name);
      this.gates.set(p.name, new Gate());
    }
    this.rebuilder = new ProjectionRebuilder(sql, store);
    this.recent = new RecentEvents(store);
  }

  /**
   * Creates each projection's table and checkpoint row if missing, under an advisory lock so that
   * several nodes starting together do not race on the DDL.
   */
  async init(): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [INIT_LOCK]);
      for (const p of this.projections) {
        const table = projectionTable(p);
        const exists = (await tx.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table])).rows[0].t;
        if (!exists) for (const statement of await loadProjectionDdl(p.ddl, table)) await tx.query(statement);
        await tx.query('INSERT INTO projection_checkpoints (name, version) VALUES ($1, $2) ON CONFLICT DO NOTHING', [p.name, p.version]);
      }
    });
  }

  /** Starts one live loop per projection. */
  start(): void {
    this.offAppended = this.store.onAppended(() => this.wakers.forEach((w) => w()));
    this.loops = this.projections.map((p) => this.loop(p));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.offAppended?.();
    this.wakers.forEach((w) => w());
    await Promise.all(this.loops);
    await Promise.all(
      [...this.leased].map((name) =>
        this.sql.query('UPDATE projection_checkpoints SET holder = NULL, lease_until = NULL WHERE name = $1 AND holder = $2', [name, this.holder]),
      ),
    ).catch(() => undefined);
  }

  /** Brings one projection up to the current head now (used by tests, rebuild and startup). */
  async catchUp(name: string): Promise<number> {
    const p = this.get(name);
    let applied = 0;
    for (;;) {
      const n = await this.gate(p).run(() => this.applyBatch(p));
      applied += n;
      if (n === 0) return applied;
    }
  }

  /**
   * Resolves once every named projection (default: all) has applied `position`, or throws
   * TIMEOUT after `timeoutMs`. Works across processes: it also polls the stored checkpoints.
   */
  async waitFor(position: number, names: readonly string[] = this.projections.map((p) => p.name), timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const done = () => names.every((n) => (this.positions.get(n) ?? 0) >= position);
    while (!done()) {
      if (Date.now() > deadline) throw new DomainError('TIMEOUT', `projections did not reach position ${position} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, 25);
        function finish() {
          clearTimeout(timer);
          off();
          resolve();
        }
        const listener = () => done() && finish();
        this.progress.on('advanced', listener);
        const off = () => this.progress.off('advanced', listener);
      });
      if (!done()) await this.refreshPositions();
    }
  }

  async status(): Promise<ProjectionStatus[]> {
    await this.refreshPositions();
    const head = (await this.store.head()).position;
    return this.projections.map((p) => {
      const position = this.positions.get(p.name) ?? 0;
      const rebuild = this.rebuilder.progressOf(p.name);
      return {
        name: p.name,
        version: p.version,
        table: projectionTable(p),
        position,
        head,
        lag: head - position,
        state: rebuild ? 'rebuilding' : position < head ? 'catching-up' : 'live',
        ...(rebuild ? { rebuild } : {}),
      };
    });
  }

  /** Rebuilds into a shadow table from position 1, then swaps it in (by rename) under the gate. */
  rebuild(name: string): Promise<void> {
    const p = this.get(name);
    return this.rebuilder.rebuild(p, (swap) => this.gate(p).run(swap));
  }

  /** Rebuilds into a shadow table up to the live checkpoint and compares the rows. */
  verify(name: string) {
    const p = this.get(name);
    return this.rebuilder.verify(p, (compare) => this.gate(p).run(compare));
  }

  isRebuilding(name: string): boolean {
    return !!this.rebuilder.progressOf(name);
  }

  get(name: string): Projection {
    const p = this.projections.find((x) => x.name === name);
    if (!p) throw new DomainError('NOT_FOUND', `no projection named ${name}`);
    return p;
  }

  private gate(p: Projection): Gate {
    return this.gates.get(p.name)!;
  }

  private async loop(p: Projection): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    while (!this.stopping) {
      try {
        const mine = await this.takeLease(p);
        const applied = mine ? await this.gate(p).run(() => this.applyBatch(p)) : 0;
        if (!mine) await this.refreshPositions();
        if (applied < BATCH && !this.stopping) await this.sleep(mine ? pollMs : LEASE_SECONDS * 200);
      } catch (e) {
        if (this.stopping) return;
        process.emitWarning(`projection ${p.name} failed: ${(e as Error).message}`);
        await this.sleep(pollMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private async takeLease(p: Projection): Promise<boolean> {
    // a held lease is renewed only a few times per lease period: idle loops stay cheap
    const held = this.leaseTakenAt.get(p.name);
    if (held !== undefined && Date.now() - held < (LEASE_SECONDS * 1000) / 3) return true;
    const r = await this.sql.query(
      `UPDATE projection_checkpoints SET holder = $3, lease_until = now() + make_interval(secs => $4)
        WHERE name = $1 AND version = $2 AND (holder IS NULL OR holder = $3 OR lease_until < now())`,
      [p.name, p.version, this.holder, LEASE_SECONDS],
    );
    if (r.rowCount === 1) {
      this.leased.add(p.name);
      this.leaseTakenAt.set(p.name, Date.now());
    } else {
      this.leased.delete(p.name);
      this.leaseTakenAt.delete(p.name);
    }
    return r.rowCount === 1;
  }

  /** Applies the next batch; returns how many events it covered (0 when caught up). */
  private async applyBatch(p: Projection): Promise<number> {
    const known = this.positions.get(p.name) ?? 0;
    const events = await this.recent.read(known + 1, BATCH);
    if (events.length === 0) return 0;
    if (!events.some((e) => concerns(p, e))) {
      // nothing here for this read model: move its checkpoint in one statement (never backwards)
      const last = events[events.length - 1].position;
      await this.sql.query(
        'UPDATE projection_checkpoints SET position = $3, updated_at = now() WHERE name = $1 AND version = $2 AND position < $3',
        [p.name, p.version, last],
      );
      this.advance(p.name, last);
      return events.length;
    }
    const table = projectionTable(p);
    const reached = await this.sql.transaction(async (tx) => {
      const row = (await tx.query<{ position: number }>('SELECT position FROM projection_checkpoints WHERE name = $1 AND version = $2 FOR UPDATE', [p.name, p.version])).rows[0];
      const from = Number(row.position);
      const fresh = events.filter((e) => e.position > from);
      await applyAllPresented(p, fresh, tx, table);
      const last = fresh.length > 0 ? fresh[fresh.length - 1].position : from;
      if (last > from) await tx.query('UPDATE projection_checkpoints SET position = $3, updated_at = now() WHERE name = $1 AND version = $2', [p.name, p.version, last]);
      return last;
    });
    this.advance(p.name, reached);
    return events.length;
  }

  private advance(name: string, position: number): void {
    if (position > (this.positions.get(name) ?? 0)) {
      this.positions.set(name, position);
      this.progress.emit('advanced');
    }
  }

  private async refreshPositions(): Promise<void> {
    const rows = (await this.sql.query<{ name: string; version: number; position: number }>('SELECT name, version, position FROM projection_checkpoints')).rows;
    for (const p of this.projections) {
      const row = rows.find((r) => r.name === p.name && r.version === p.version);
      if (row) this.advance(p.name, Number(row.position));
    }
  }
}
