import type { RepositoryDeleted, UpstreamFetched } from '../../domain/index.js';
import type { Projection } from '../../ports/index.js';

/** What each remote repository has cached: its path → the stored file and where it came from. */
export const remoteFilesProjection: Projection = {
  name: 'remote-files',
  version: 1,
  handles: ['UpstreamFetched', 'RepositoryDeleted'],
  ddl: 'remote-files/v1.sql',
  async apply(event, tx, table) {
    if (event.type === 'RepositoryDeleted') {
      await tx.query(`DELETE FROM ${table} WHERE repository = $1`, [(event.data as RepositoryDeleted['data']).repository]);
      return;
    }
    const d = event.data as UpstreamFetched['data'];
    for (const f of d.files) {
      await tx.query(
        `INSERT INTO ${table} (repository, path, format, name, version, file, url, etag, fetched_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (repository, path) DO UPDATE SET file = EXCLUDED.file, url = EXCLUDED.url, etag = EXCLUDED.etag, fetched_at = EXCLUDED.fetched_at`,
        [d.repository, f.path, d.format, d.name, d.version, JSON.stringify(f), d.url, d.etag ?? null, event.recordedAt],
      );
    }
  },
};
