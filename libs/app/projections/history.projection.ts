import type { ArtifactPromoted, RecordedEvent } from '../../domain/index.js';
import type { Projection, SqlExecutor } from '../../ports/index.js';

/** The event types the history shows, and where each one belongs. */
const REPOSITORY_EVENTS = ['RepositoryCreated', 'RepositoryConfigured', 'RepositoryDeleted', 'PermissionGranted', 'PermissionRevoked'];
const PACKAGE_EVENTS = [
  'ArtifactPublished', 'ArtifactFilesAdded', 'ArtifactDeleted', 'ArtifactDeprecated', 'ArtifactYanked',
  'ArtifactPromoted', 'ArtifactRestored', 'TagSet', 'TagRemoved', 'ManifestPushed', 'UpstreamFetched',
];

async function insert(tx: SqlExecutor, table: string, e: RecordedEvent, repository: string, pkg: string, direction: string | null): Promise<void> {
  await tx.query(
    `INSERT INTO ${table} (position, repository, package, type, actor, recorded_at, direction, stream_id, data, metadata)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
    [e.position, repository, pkg, e.type, e.metadata.actor, e.recordedAt, direction, e.streamId, JSON.stringify(e.data), JSON.stringify(e.metadata)],
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
  async apply(event, tx, table) {
    const d = event.data as { repository?: string; name?: string };
    if (typeof d.repository !== 'string') return;
    if (REPOSITORY_EVENTS.includes(event.type)) return insert(tx, table, event, d.repository, '', null);
    if (typeof d.name !== 'string') return;
    if (event.type === 'ArtifactPromoted') {
      const p = event.data as ArtifactPromoted['data'];
      await insert(tx, table, event, p.to, p.name, 'in');
      await insert(tx, table, event, p.from, p.name, 'out');
      return;
    }
    await insert(tx, table, event, d.repository, d.name, null);
  },
};
