import type { RecordedEvent } from '../domain/index.js';
import type { SqlExecutor } from './sql.js';

/**
 * A projection is data. Its read-model table is `rm_<name>_v<version>`; `ddl` is the path of the
 * SQL file under `projections/` that creates it, with `{{table}}` standing for the table name
 * (rebuilds create the same DDL under a shadow name and swap it in by rename).
 *
 * `apply` runs inside the transaction that also stores the projection's checkpoint, so each event
 * takes effect exactly once. It must be deterministic: the same events give the same rows.
 */
export interface Projection {
  name: string;
  version: number;
  handles: readonly string[];
  /**
   * Optional: the formats whose events concern this read model. Events carrying another
   * `data.format` are then not handed to it (its checkpoint just moves past them) and writes of
   * other formats do not wait for it. Absent: every event of the handled types.
   */
  formats?: readonly string[];
  ddl: string;
  apply(event: RecordedEvent, tx: SqlExecutor, table: string): Promise<void>;
  /**
   * Optional: applies a run of events (in position order, all of types it handles) in fewer
   * round trips. Must leave exactly the rows that applying them one by one with `apply` leaves;
   * the runner, rebuilds and point-in-time views use it when present.
   */
  applyBatch?(events: RecordedEvent[], tx: SqlExecutor, table: string): Promise<void>;
}

export const projectionTable = (p: Pick<Projection, 'name' | 'version'>) => `rm_${p.name.replace(/-/g, '_')}_v${p.version}`;
