import { projectionTable, type SqlExecutor } from '../../ports/index.js';
import { OCI } from './oci-names.js';
import { ociManifestsProjection, ociTagsProjection } from './oci.projection.js';

const MANIFESTS = projectionTable(ociManifestsProjection);
const TAGS = projectionTable(ociTagsProjection);
// the core read model of blob references (libs/app): a format reads it, never writes it
const REFS = projectionTable({ name: 'blob-references', version: 1 });

export interface ManifestRow {
  digest: string;
  sha256: string;
  media_type: string;
  size: string;
  artifact_type: string | null;
  annotations: Record<string, string> | null;
  chart: Record<string, string> | null;
}

export interface UploadSession {
  id: string;
  repository: string;
  name: string;
}

/** Reads of the OCI read models and of the upload state (upload sessions, blob links). */
export class OciQueries {
  constructor(private readonly sql: SqlExecutor) {}

  async manifest(repository: string, name: string, reference: string, byDigest: boolean): Promise<ManifestRow | undefined> {
    const digest = byDigest ? reference : (await this.sql.query<{ digest: string }>(`SELECT digest FROM ${TAGS} WHERE repository = $1 AND name = $2 AND tag = $3`, [repository, name, reference])).rows[0]?.digest;
    if (!digest) return undefined;
    return (await this.sql.query<ManifestRow>(`SELECT digest, sha256, media_type, size::text, artifact_type, annotations, chart FROM ${MANIFESTS} WHERE repository = $1 AND name = $2 AND digest = $3`, [repository, name, digest])).rows[0];
  }

  /** A blob this image name may serve: uploaded or mounted into it, or referenced by one of its live manifests. */
  async blob(repository: string, name: string, digest: string): Promise<{ sha256: string; size: number } | undefined> {
    const row = (
      await this.sql.query<{ sha256: string; size: string }>(
        `SELECT sha256, size::text FROM oci_blob_links WHERE repository = $1 AND name = $2 AND digest = $3
         UNION ALL
         SELECT substr(digest, 8), size::text FROM ${REFS} WHERE repository = $1 AND format = '${OCI}' AND name = $2 AND path = $3 AND deleted_at IS NULL
         LIMIT 1`,
        [repository, name, digest],
      )
    ).rows[0];
    return row ? { sha256: row.sha256, size: Number(row.size) } : undefined;
  }

  async link(repository: string, name: string, digest: string, sha256: string, size: number): Promise<void> {
    await this.sql.query(
      `INSERT INTO oci_blob_links (repository, name, digest, sha256, size) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (repository, name, digest) DO UPDATE SET linked_at = now()`,
      [repository, name, digest, sha256, size],
    );
  }

  async unlink(repository: string, name: string, digest: string): Promise<boolean> {
    return (await this.sql.query('DELETE FROM oci_blob_links WHERE repository = $1 AND name = $2 AND digest = $3', [repository, name, digest])).rowCount > 0;
  }

  async tags(repository: string, name: string, n: number | undefined, last: string | undefined): Promise<string[]> {
    const rows = await this.sql.query<{ tag: string }>(
      `SELECT tag FROM ${TAGS} WHERE repository = $1 AND name = $2 AND ($3::text IS NULL OR tag > $3) ORDER BY tag COLLATE "C" LIMIT $4`,
      [repository, name, last ?? null, n ?? null],
    );
    return rows.rows.map((r) => r.tag);
  }

  async tagsOf(repository: string, name: string, digest: string): Promise<string[]> {
    return (await this.sql.query<{ tag: string }>(`SELECT tag FROM ${TAGS} WHERE repository = $1 AND name = $2 AND digest = $3`, [repository, name, digest])).rows.map((r) => r.tag);
  }

  async nameExists(repository: string, name: string): Promise<boolean> {
    const row = await this.sql.query(`SELECT 1 FROM ${MANIFESTS} WHERE repository = $1 AND name = $2 LIMIT 1`, [repository, name]);
    return row.rowCount > 0;
  }

  /** `<repo>/<name>` of every image name with a live manifest, in the given repositories. */
  async catalog(repositories: string[], n: number | undefined, last: string | undefined): Promise<string[]> {
    const rows = await this.sql.query<{ image: string }>(
      `SELECT image FROM (SELECT DISTINCT repository || '/' || name AS image FROM ${MANIFESTS} WHERE repository = ANY($1)) names
       WHERE ($2::text IS NULL OR image > $2 COLLATE "C") ORDER BY image COLLATE "C" LIMIT $3`,
      [repositories, last ?? null, n ?? null],
    );
    return rows.rows.map((r) => r.image);
  }

  async referrers(repository: string, name: string, subject: string, artifactType: string | undefined): Promise<ManifestRow[]> {
    return (
      await this.sql.query<ManifestRow>(
        `SELECT digest, sha256, media_type, size::text, artifact_type, annotations, chart FROM ${MANIFESTS}
         WHERE repository = $1 AND name = $2 AND subject = $3 AND ($4::text IS NULL OR artifact_type = $4) ORDER BY digest`,
        [repository, name, subject, artifactType ?? null],
      )
    ).rows;
  }

  /** Helm charts pushed as OCI artifacts in a repository, with their chart metadata and the tags on each. */
  async charts(repository: string): Promise<{ name: string; digest: string; chart: Record<string, string>; tags: string[]; pushed_at: Date }[]> {
    return (
      await this.sql.query<{ name: string; digest: string; chart: Record<string, string>; tags: string[]; pushed_at: Date }>(
        `SELECT m.name, m.digest, m.chart, m.pushed_at, coalesce(array_agg(t.tag ORDER BY t.tag) FILTER (WHERE t.tag IS NOT NULL), '{}') AS tags
           FROM ${MANIFESTS} m LEFT JOIN ${TAGS} t ON t.repository = m.repository AND t.name = m.name AND t.digest = m.digest
          WHERE m.repository = $1 AND m.chart IS NOT NULL GROUP BY m.name, m.digest, m.chart, m.pushed_at ORDER BY m.name, m.pushed_at`,
        [repository],
      )
    ).rows;
  }

  async createSession(id: string, repository: string, name: string, actor: string): Promise<void> {
    await this.sql.query('INSERT INTO oci_upload_sessions (id, repository, name, created_by) VALUES ($1, $2, $3, $4)', [id, repository, name, actor]);
  }

  async session(id: string): Promise<UploadSession | undefined> {
    return (await this.sql.query<UploadSession>('SELECT id, repository, name FROM oci_upload_sessions WHERE id = $1', [id])).rows[0];
  }

  async touchSession(id: string): Promise<void> {
    await this.sql.query('UPDATE oci_upload_sessions SET updated_at = now() WHERE id = $1', [id]);
  }

  async endSession(id: string): Promise<void> {
    await this.sql.query('DELETE FROM oci_upload_sessions WHERE id = $1', [id]);
  }

  /** Ids of sessions idle longer than `ms`, removed from the table (their bytes are the caller's to drop). */
  async expireSessions(ms: number): Promise<string[]> {
    return (await this.sql.query<{ id: string }>(`DELETE FROM oci_upload_sessions WHERE updated_at < now() - ($1::bigint * interval '1 millisecond') RETURNING id`, [ms])).rows.map((r) => r.id);
  }
}
