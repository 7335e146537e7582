import type { ArtifactDeleted, ManifestPushed, RepositoryDeleted, TagRemoved, TagSet } from '../../domain/index.js';
import type { Projection } from '../../ports/index.js';
import { OCI, type ManifestEventMetadata } from './oci-names.js';

/**
 * OCI manifests (DESIGN.md section 7): per image name, each live manifest with its media type,
 * size, artifactType, subject (for the referrers API) and Helm chart metadata. A promotion or
 * restore of an OCI version is presented as an ArtifactPublished carrying the same metadata.
 */
export const ociManifestsProjection: Projection = {
  name: 'oci-manifests',
  version: 1,
  handles: ['ManifestPushed', 'ArtifactPublished', 'ArtifactDeleted', 'RepositoryDeleted'],
  ddl: 'oci-manifests/v1.sql',
  async apply(event, tx, table) {
    if (event.type === 'RepositoryDeleted') {
      await tx.query(`DELETE FROM ${table} WHERE repository = $1`, [(event.data as RepositoryDeleted['data']).repository]);
      return;
    }
    const d = event.data as ManifestPushed['data'] | ArtifactDeleted['data'];
    if (d.format !== OCI) return;
    if (event.type === 'ArtifactDeleted') {
      await tx.query(`DELETE FROM ${table} WHERE repository = $1 AND name = $2 AND digest = $3`, [d.repository, d.name, d.version]);
      return;
    }
    const m = (d as ManifestPushed['data']).metadata as unknown as ManifestEventMetadata;
    await tx.query(
      `INSERT INTO ${table} (repository, name, digest, sha256, media_type, size, artifact_type, subject, annotations, chart, pushed_at, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (repository, name, digest) DO UPDATE SET position = EXCLUDED.position`,
      [d.repository, d.name, d.version, m.sha256, m.mediaType, m.size, m.artifactType ?? null, m.subject ?? null,
        m.annotations ? JSON.stringify(m.annotations) : null, m.chart ? JSON.stringify(m.chart) : null, event.recordedAt, event.position],
    );
  },
};

/** OCI tags: tag -> manifest digest per image name (TagSet / TagRemoved of the `oci` format). */
export const ociTagsProjection: Projection = {
  name: 'oci-tags',
  version: 1,
  handles: ['TagSet', 'TagRemoved', 'RepositoryDeleted'],
  ddl: 'oci-tags/v1.sql',
  async apply(event, tx, table) {
    if (event.type === 'RepositoryDeleted') {
      await tx.query(`DELETE FROM ${table} WHERE repository = $1`, [(event.data as RepositoryDeleted['data']).repository]);
      return;
    }
    const d = event.data as TagSet['data'] | TagRemoved['data'];
    if (d.format !== OCI) return;
    if (event.type === 'TagSet') {
      await tx.query(
        `INSERT INTO ${table} (repository, name, tag, digest) VALUES ($1, $2, $3, $4) ON CONFLICT (repository, name, tag) DO UPDATE SET digest = EXCLUDED.digest`,
        [d.repository, d.name, d.tag, (d as TagSet['data']).version],
      );
    } else {
      await tx.query(`DELETE FROM ${table} WHERE repository = $1 AND name = $2 AND tag = $3`, [d.repository, d.name, d.tag]);
    }
  },
};
