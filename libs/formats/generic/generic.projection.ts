import type { ArtifactDeleted, ArtifactPublished, RepositoryDeleted } from '../../domain/index.js';
import type { Projection } from '../../ports/index.js';

export const GENERIC = 'generic';

/** Files in generic repositories: one row per live path (artifact name = path, version = ''). */
export const genericFilesProjection: Projection = {
  name: 'generic-files',
  version: 1,
  handles: ['ArtifactPublished', 'ArtifactDeleted', 'RepositoryDeleted'],
  ddl: 'generic-files/v1.sql',
  async apply(event, tx, table) {
    if (event.type === 'ArtifactPublished') {
      const d = event.data as ArtifactPublished['data'];
      if (d.format !== GENERIC) return;
      const f = d.files[0];
      await tx.query(
        `INSERT INTO ${table} (repository, path, sha256, sha1, md5, size, media_type, published_at, published_by, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (repository, path) DO UPDATE SET sha256 = EXCLUDED.sha256, sha1 = EXCLUDED.sha1, md5 = EXCLUDED.md5, size = EXCLUDED.size,
           media_type = EXCLUDED.media_type, published_at = EXCLUDED.published_at, published_by = EXCLUDED.published_by, position = EXCLUDED.position`,
        [d.repository, d.name, f.digest.replace(/^sha256:/, ''), f.sha1 ?? '', f.md5 ?? '', f.size, f.mediaType, event.recordedAt, event.metadata.actor, event.position],
      );
    } else if (event.type === 'ArtifactDeleted') {
      const d = event.data as ArtifactDeleted['data'];
      if (d.format !== GENERIC) return;
      await tx.query(`DELETE FROM ${table} WHERE repository = $1 AND path = $2`, [d.repository, d.name]);
    } else if (event.type === 'RepositoryDeleted') {
      const d = event.data as RepositoryDeleted['data'];
      await tx.query(`DELETE FROM ${table} WHERE repository = $1`, [d.repository]);
    }
  },
};
