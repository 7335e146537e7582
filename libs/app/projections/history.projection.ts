import type { ArtifactPromoted, RecordedEvent } from '../../domain/index.js';
import type { Projection, SqlExecutor } from '../../ports/index.js';

/** The event types the history shows, and where each one belongs. */
const REPOSITORY_EVENTS = ['RepositoryCreated', 'RepositoryConfigured', 'RepositoryDeleted', 'PermissionGranted', 'PermissionRevoked'];
const PACKAGE_EVENTS = [
  'ArtifactPublished', 'ArtifactFilesAdded', 'ArtifactDeleted', 'ArtifactDeprecated', 'ArtifactYanked',
  'ArtifactPromoted', 'ArtifactRestored', 'TagSet', 'TagRemoved', 'ManifestPushed', 'UpstreamFetched',
];

type HistoryRow = [RecordedEvent, string, string, string | null];

/** The rows an event adds: one per repository/package it touched (a promotion: its target and its source). */
function rowsOf(event: RecordedEvent): HistoryRow[] {
  const d = event.data as { repository?: string; name?: string };
  if (typeof d.repository !== 'string') return [];
  if (REPOSITORY_EVENTS.includes(event.type)) return [[event, d.repository, '', null]];
  if (typeof d.name !== 'string') return [];
  if (event.type === 'ArtifactPromoted') {
    const p = event.data as ArtifactPromoted['data'];
    return [[event, p.to, p.name, 'in'], [event, p.from, p.name, 'out']];
  }
  return [[event, d.repository, d.name, null]];
}

/** Inserts a run of events' rows in one statement. */
async function insertAll(tx: SqlExecutor, table: string, events: readonly RecordedEvent[]): Promise<void> {
  const rows = events.flatMap(rowsOf);
  if (rows.length === 0) return;
  const col = <T>(f: (r: HistoryRow) => T) => rows.map(f);
  await tx.query(
    `INSERT INTO ${table} (position, repository, package, type, actor, recorded_at, direction, stream_id, data, metadata)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::jsonb[], $10::jsonb[])
     ON CONFLICT DO NOTHING`,
    [
      col((r) => r[0].position), col((r) => r[1]), col((r) => r[2]), col((r) => r[0].type), col((r) => r[0].metadata.actor),
      col((r) => r[0].recordedAt), col((r) => r[3]), col((r) => r[0].streamId), col((r) => JSON.stringify(r[0].data)), col((r) => JSON.stringify(r[0].metadata)),
    ],
  );
}

/**
 * The history of repositories and packages (GET .../history): an index of (repository, package,
 * position, type, actor, time) over the log, so a page of a long history is one indexed query
 * instead of a scan of the log. Lists event types itself, so it sees promotions and restores as
 * they are (not presented as publishes).
 */
export const historyProjection: Projection = {
  name: 'history-events',
  version: 1,
  handles: [...REPOSITORY_EVENTS, ...PACKAGE_EVENTS],
  ddl: 'history-events/v1.sql',
  apply: (event, tx, table) => insertAll(tx, table, [event]),
  applyBatch: (events, tx, table) => insertAll(tx, table, events),
};
