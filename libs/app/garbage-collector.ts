import type { EventMetadata, RepositoryConfig } from '../domain/index.js';
import { projectionTable, type BlobStore, type EventStore, type Sql } from '../ports/index.js';
import { blobReferencesProjection } from './projections/blob-references.projection.js';
import { repositoriesProjection } from './projections/repositories.projection.js';
import { restoreWindowMs } from './promotion-commands.js';
import type { StreamWriter } from './stream-writer.js';

export interface GcDecision {
  digest: string;
  size: number;
  reason: string;
}

export interface GcReport {
  dryRun: boolean;
  scanned: number;
  removed: GcDecision[];
  kept: GcDecision[];
  bytesFreed: number;
  temporaryRemoved: number;
}

const refs = projectionTable(blobReferencesProjection);
const repos = projectionTable(repositoriesProjection);

/**
 * Blob GC (DESIGN.md section 5). A blob is removed only when no live artifact references it, no
 * deleted artifact that references it is still inside the undo window, and it is older than the
 * grace period (which covers the gap between a blob's commit and its event). Removing a blob that
 * the log ever referenced appends BlobPurged, so history can answer 410 Gone for it.
 */
export class GarbageCollector {
  constructor(
    private readonly sql: Sql,
    private readonly blobs: BlobStore,
    private readonly store: EventStore,
    private readonly writer: StreamWriter,
    private readonly options: {
      graceMs: number;
      undoWindowMs: number;
      /** other keepers of blobs that no artifact references (export files in their retention period) */
      keeps?: (sha256: string) => Promise<boolean>;
    },
  ) {}

  async run(dryRun: boolean, metadata: EventMetadata): Promise<GcReport> {
    const report: GcReport = { dryRun, scanned: 0, removed: [], kept: [], bytesFreed: 0, temporaryRemoved: 0 };
    if (!dryRun) report.temporaryRemoved = await this.blobs.cleanTemporary(this.options.graceMs);
    await this.writer.settle((await this.store.head()).position);
    const now = Date.now();
    for await (const blob of this.blobs.list()) {
      report.scanned += 1;
      const digest = `sha256:${blob.sha256}`;
      const verdict = await this.judge(digest, blob.modifiedAt, now);
      const decision = { digest, size: blob.size, reason: verdict.reason };
      if (!verdict.remove) {
        report.kept.push(decision);
        continue;
      }
      if (!dryRun) {
        // re-check just before deleting: an upload of the same content may have refreshed it
        const fresh = await this.blobs.stat(blob.sha256);
        if (!fresh || now - fresh.modifiedAt.getTime() < this.options.graceMs) {
          report.kept.push({ ...decision, reason: 'refreshed by a new upload during collection' });
          continue;
        }
        await this.blobs.delete(blob.sha256);
        if (verdict.everReferenced) {
          await this.writer.execute('blobs', () => null, () => [{ type: 'BlobPurged', schemaVersion: 1, data: { digest, size: blob.size, reason: verdict.reason } }], metadata);
        }
      }
      report.removed.push(decision);
      report.bytesFreed += blob.size;
    }
    return report;
  }

  /**
   * Per repository that referenced the blob: a live reference keeps it; a legal hold keeps it; a
   * deleted one keeps it until the repository's restore window (restoreWindowDays, default the
   * server's undo window) has passed since the deletion. A deleted repository uses the default.
   */
  private async judge(digest: string, modifiedAt: Date, now: number): Promise<{ remove: boolean; reason: string; everReferenced?: boolean }> {
    const rows = (
      await this.sql.query<{ repository: string; live: number; last_deleted: Date | null; config: RepositoryConfig | null }>(
        `SELECT r.repository, count(*) FILTER (WHERE r.deleted_at IS NULL)::int AS live, max(r.deleted_at) AS last_deleted, p.config
           FROM ${refs} r LEFT JOIN ${repos} p ON p.name = r.repository WHERE r.digest = $1 GROUP BY r.repository, p.config`,
        [digest],
      )
    ).rows;
    const live = rows.reduce((n, r) => n + r.live, 0);
    if (live > 0) return { remove: false, reason: `referenced by ${live} live artifact file(s)` };
    const held = rows.find((r) => r.config?.legalHold);
    if (held) return { remove: false, reason: `under the legal hold of repository ${held.repository}` };
    if (this.options.keeps && (await this.options.keeps(digest.replace(/^sha256:/, '')))) return { remove: false, reason: 'an export file inside its retention period' };
    const age = now - modifiedAt.getTime();
    if (rows.length > 0) {
      const until = Math.max(...rows.map((r) => (r.last_deleted ? new Date(r.last_deleted).getTime() : 0) + restoreWindowMs({ config: r.config ?? ({} as RepositoryConfig) }, this.options.undoWindowMs)));
      if (until > now) return { remove: false, reason: `referenced by deleted artifacts still inside the undo window (until ${new Date(until).toISOString()})` };
      return { remove: true, reason: 'referenced only by deleted artifacts whose undo window has passed', everReferenced: true };
    }
    if (age < this.options.graceMs) return { remove: false, reason: `unreferenced but younger than the grace period (${Math.round(age / 1000)} s old)` };
    return { remove: true, reason: 'unreferenced by any event and older than the grace period', everReferenced: false };
  }
}
