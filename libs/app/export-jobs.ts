import { randomUUID } from 'node:crypto';
import { DomainError } from '../domain/index.js';
import type { BlobStore, Queue, Sql } from '../ports/index.js';
import type { EventExporter, ExportFilter, ExportFormat } from './event-export.js';

/** How long a finished export's file is kept (GC keeps its blob until then). */
export const EXPORT_RETENTION_DAYS = 7;

export interface ExportJobView {
  id: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  format: ExportFormat;
  filter: ExportFilter;
  requestedBy: string;
  /** positions covered so far of from..to */
  progress: { from: number; to: number; position: number; exported: number; ratio: number };
  chainHead?: { position: number; hash: string };
  size?: number;
  sha256?: string;
  error?: string;
  createdAt: string;
  finishedAt?: string;
  expiresAt?: string;
}

interface Row {
  id: string;
  requested_by: string;
  format: ExportFormat;
  filter: ExportFilter;
  state: ExportJobView['state'];
  from_position: string;
  to_position: string;
  position: string;
  exported: string;
  digest: string | null;
  size: string | null;
  chain_head: { position: number; hash: string } | null;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const QUEUE_NAME = 'event-export';
const PROGRESS_EVERY_MS = 500;

function toView(r: Row): ExportJobView {
  const from = Number(r.from_position);
  const to = Number(r.to_position);
  const position = Number(r.position);
  const span = to - from + 1;
  const ratio = r.state === 'done' ? 1 : span > 0 && position >= from ? Math.min(1, (position - from + 1) / span) : 0;
  return {
    id: r.id,
    state: r.state,
    format: r.format,
    filter: r.filter,
    requestedBy: r.requested_by,
    progress: { from, to, position, exported: Number(r.exported), ratio: Math.round(ratio * 1000) / 1000 },
    ...(r.chain_head ? { chainHead: r.chain_head } : {}),
    ...(r.size !== null ? { size: Number(r.size) } : {}),
    ...(r.digest ? { sha256: r.digest } : {}),
    ...(r.error ? { error: r.error } : {}),
    createdAt: new Date(r.created_at).toISOString(),
    ...(r.finished_at ? { finishedAt: new Date(r.finished_at).toISOString(), expiresAt: new Date(new Date(r.finished_at).getTime() + EXPORT_RETENTION_DAYS * 86_400_000).toISOString() } : {}),
  };
}

/**
 * Long exports as background jobs on the Queue port (DESIGN.md section 8: the queue carries work,
 * the job table the truth). The file goes to the blob store, so any node can serve the download.
 */
export class ExportJobs {
  constructor(
    private readonly sql: Sql,
    private readonly queue: Queue,
    private readonly blobs: BlobStore,
    private readonly exporter: EventExporter,
  ) {}

  /** Registers the job handler (run by whichever node takes the job). */
  async start(): Promise<void> {
    await this.queue.process<{ id: string }>(QUEUE_NAME, (job) => this.run(job.id));
  }

  async request(filter: ExportFilter, format: ExportFormat, requestedBy: string): Promise<ExportJobView> {
    const plan = await this.exporter.plan(filter); // refuses a bad filter now, not in the job
    const id = randomUUID();
    await this.sql.query(
      `INSERT INTO export_jobs (id, requested_by, format, filter, state, from_position, to_position, position) VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7)`,
      [id, requestedBy, format, JSON.stringify(filter), plan.from, plan.to, plan.from - 1],
    );
    await this.queue.enqueue(QUEUE_NAME, { id }, { jobId: `export-${id}`, attempts: 2 });
    return this.get(id);
  }

  async get(id: string): Promise<ExportJobView> {
    const row = (await this.sql.query<Row>('SELECT * FROM export_jobs WHERE id = $1', [id])).rows[0];
    if (!row) throw new DomainError('NOT_FOUND', `no export job ${id}`);
    return toView(row);
  }

  async list(): Promise<ExportJobView[]> {
    return (await this.sql.query<Row>('SELECT * FROM export_jobs ORDER BY created_at DESC LIMIT 100')).rows.map(toView);
  }

  /** Is this blob an export file still inside its retention period (GC must keep it)? */
  async keeps(sha256: string): Promise<boolean> {
    const r = await this.sql.query(
      `SELECT 1 FROM export_jobs WHERE digest = $1 AND (finished_at IS NULL OR finished_at > now() - make_interval(days => $2)) LIMIT 1`,
      [sha256, EXPORT_RETENTION_DAYS],
    );
    return r.rows.length > 0;
  }

  private async run(id: string): Promise<void> {
    const job = (await this.sql.query<Row>('SELECT * FROM export_jobs WHERE id = $1', [id])).rows[0];
    if (!job || job.state === 'done') return;
    await this.sql.query(`UPDATE export_jobs SET state = 'running', exported = 0, error = NULL WHERE id = $1`, [id]);
    try {
      const plan = await this.exporter.plan({ ...job.filter, to: Number(job.to_position) });
      let exported = 0;
      let reported = Date.now();
      let pending: Promise<unknown> = Promise.resolve();
      const body = this.exporter.stream(plan, job.format, (e) => {
        exported += 1;
        if (Date.now() - reported < PROGRESS_EVERY_MS) return;
        reported = Date.now();
        pending = pending.then(() => this.sql.query('UPDATE export_jobs SET position = $2, exported = $3 WHERE id = $1', [id, e.position, exported]));
      });
      const stored = await this.blobs.put(body);
      await pending;
      await this.sql.query(
        `UPDATE export_jobs SET state = 'done', position = to_position, exported = $2, digest = $3, size = $4, chain_head = $5, finished_at = now() WHERE id = $1`,
        [id, exported, stored.sha256, stored.size, JSON.stringify(plan.chainHead)],
      );
    } catch (e) {
      await this.sql.query(`UPDATE export_jobs SET state = 'failed', error = $2, finished_at = now() WHERE id = $1`, [id, (e as Error).message.slice(0, 1000)]);
    }
  }
}
