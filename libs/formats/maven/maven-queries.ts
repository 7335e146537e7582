import { projectionTable, type SqlExecutor } from '../../ports/index.js';
import type { MavenArtifactState } from './maven-state.js';
import { mavenPathsProjection } from './maven.projection.js';

const table = projectionTable(mavenPathsProjection);

/** One servable path: a deployed file, the plain `-SNAPSHOT` alias of one, or a metadata document. */
export interface MavenPathRow {
  kind: 'file' | 'alias' | 'metadata';
  artifact: string | null;
  version: string | null;
  sha256: string;
  size: number;
  sha1: string | null;
  md5: string | null;
  sha512: string | null;
  mediaType: string;
  body: string | null;
  modified: Date;
}

/** Reads the Maven read model; every GET is one indexed row. */
export class MavenQueries {
  constructor(private readonly sql: SqlExecutor) {}

  /** The row of a path, or null (also for metadata whose every version was deleted). */
  async path(repository: string, path: string): Promise<MavenPathRow | null> {
    const row = (
      await this.sql.query<MavenPathRow>(
        `SELECT kind, artifact, version, sha256, size, sha1, md5, sha512, media_type AS "mediaType", body, modified FROM ${table} WHERE repository = $1 AND path = $2`,
        [repository, path],
      )
    ).rows[0];
    if (!row || (row.kind === 'metadata' && row.body === null)) return null;
    return { ...row, size: Number(row.size) };
  }

  /** The state an artifact's metadata is rendered from; null when nothing was deployed. */
  async artifact(repository: string, groupId: string, artifactId: string): Promise<MavenArtifactState | null> {
    const path = `${groupId.replace(/\./g, '/')}/${artifactId}/maven-metadata.xml`;
    const row = (await this.sql.query<{ state: string | null }>(`SELECT state FROM ${table} WHERE repository = $1 AND path = $2`, [repository, path])).rows[0];
    return row?.state ? (JSON.parse(row.state) as MavenArtifactState) : null;
  }

  /** Servable paths under a folder prefix (at most `limit`), in path order. */
  async under(repository: string, prefix: string, limit: number): Promise<{ path: string; kind: string; artifact: string | null; size: number | null; modified: Date }[]> {
    // a range on the C-collated primary key: `prefix` <= path < `prefix` + U+FFFF
    const rows = await this.sql.query<{ path: string; kind: string; artifact: string | null; size: string | null; modified: Date }>(
      `SELECT path, kind, artifact, size, modified FROM ${table} WHERE repository = $1 AND path >= $2 AND path < $3 AND (kind <> 'metadata' OR body IS NOT NULL) ORDER BY path LIMIT $4`,
      [repository, prefix, `${prefix}\uffff`, limit],
    );
    return rows.rows.map((r) => ({ ...r, size: r.size === null ? null : Number(r.size) }));
  }
}
