import type { ArtifactDeleted, ArtifactFilesAdded, ArtifactPublished, BlobPurged, ManifestPushed, UpstreamFetched } from '../../domain/index.js';
import type { Projection } from '../../ports/index.js';
import { applyBlobReferencesBatch } from './blob-references-batch.js';

/** Reference counts of blobs, as a projection of the log: what GC may and may not remove. */
export const blobReferencesProjection: Projection = {
  name: 'blob-references',
  version: 1,
  // ManifestPushed (OCI) references its manifest, config, layers and child manifests like a publish
  handles: ['ArtifactPublished', 'ArtifactFilesAdded', 'ManifestPushed', 'UpstreamFetched', 'ArtifactDeleted', 'BlobPurged'],
  ddl: 'blob-references/v1.sql',
  applyBatch: applyBlobReferencesBatch,
  async apply(event, tx, table) {
    // a file a remote repository cached from its upstream is referenced like a file added to its version
    if (event.type === 'ArtifactPublished' || event.type === 'ArtifactFilesAdded' || event.type === 'ManifestPushed' || event.type === 'UpstreamFetched') {
      const d = event.data as ArtifactPublished['data'] | ArtifactFilesAdded['data'] | ManifestPushed['data'] | UpstreamFetched['data'];
      if (event.type !== 'ArtifactFilesAdded' && event.type !== 'UpstreamFetched') {
        // a redeploy replaces the version's files: the old ones count as deleted from now on
        await tx.query(
          `UPDATE ${table} SET deleted_at = $5 WHERE repository = $1 AND format = $2 AND name = $3 AND version = $4 AND deleted_at IS NULL`,
          [d.repository, d.format, d.name, d.version, event.recordedAt],
        );
      }
      // every file the event names is referenced: all of a publish's, or those added to the version
      for (const f of d.files) {
        await tx.query(
          `INSERT INTO ${table} (digest, repository, format, name, version, path, size) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (digest, repository, format, name, version, path) DO UPDATE SET deleted_at = NULL, purged = false`,
          [f.digest, d.repository, d.format, d.name, d.version, f.path, f.size],
        );
      }
    } else if (event.type === 'ArtifactDeleted') {
      const d = event.data as ArtifactDeleted['data'];
      await tx.query(
        `UPDATE ${table} SET deleted_at = $5 WHERE repository = $1 AND format = $2 AND name = $3 AND version = $4 AND deleted_at IS NULL`,
        [d.repository, d.format, d.name, d.version, event.recordedAt],
      );
    } else if (event.type === 'BlobPurged') {
      const d = event.data as BlobPurged['data'];
      await tx.query(`UPDATE ${table} SET purged = true WHERE digest = $1`, [d.digest]);
    }
  },
};
