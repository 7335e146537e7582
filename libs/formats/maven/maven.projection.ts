import type { ArtifactDeleted, ArtifactFilesAdded, ArtifactPublished, RecordedEvent, RepositoryDeleted } from '../../domain/index.js';
import type { Projection, SqlExecutor } from '../../ports/index.js';
import { digestsOf, pluginOf, renderArtifactMetadata, renderGroupMetadata, renderSnapshotMetadata, type PluginEntry } from './maven-metadata.js';
import { METADATA_FILE } from './maven-path.js';
import { emptyArtifact, isSnapshotVersion, MAVEN, newestFiles, withFiles, withoutVersion, type MavenArtifactState, type MavenEventMetadata } from './maven-state.js';

type ArtifactEvent = ArtifactPublished | ArtifactFilesAdded | ArtifactDeleted;

const XML = 'text/xml; charset=utf-8';
const folderOf = (s: { groupId: string; artifactId: string }) => `${s.groupId.replace(/\./g, '/')}/${s.artifactId}`;

async function loadState(tx: SqlExecutor, table: string, repository: string, path: string): Promise<MavenArtifactState | null> {
  const row = (await tx.query<{ state: string | null }>(`SELECT state FROM ${table} WHERE repository = $1 AND path = $2`, [repository, path])).rows[0];
  return row?.state ? (JSON.parse(row.state) as MavenArtifactState) : null;
}

const UPSERT = (table: string) => `INSERT INTO ${table} (repository, path, kind, artifact, version, group_id, sha256, size, sha1, md5, sha512, media_type, body, state, plugin, modified, position)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
  ON CONFLICT (repository, path) DO UPDATE SET kind = EXCLUDED.kind, artifact = EXCLUDED.artifact, version = EXCLUDED.version, group_id = EXCLUDED.group_id,
    sha256 = EXCLUDED.sha256, size = EXCLUDED.size, sha1 = EXCLUDED.sha1, md5 = EXCLUDED.md5, sha512 = EXCLUDED.sha512, media_type = EXCLUDED.media_type,
    body = EXCLUDED.body, state = EXCLUDED.state, plugin = EXCLUDED.plugin, modified = EXCLUDED.modified, position = EXCLUDED.position`;

interface Row {
  path: string;
  kind: 'file' | 'alias' | 'metadata';
  artifact: string | null;
  version: string | null;
  groupId?: string | null;
  body?: string | null;
  state?: string | null;
  plugin?: PluginEntry | null;
  file?: { sha256: string; size: number; sha1?: string; md5?: string; sha512?: string; mediaType: string };
}

async function upsert(tx: SqlExecutor, table: string, repository: string, row: Row, event: RecordedEvent): Promise<void> {
  const d = row.body ? { ...digestsOf(row.body), mediaType: XML } : row.file;
  await tx.query(UPSERT(table), [
    repository, row.path, row.kind, row.artifact, row.version, row.groupId ?? null,
    d?.sha256 ?? null, d?.size ?? null, d?.sha1 ?? null, d?.md5 ?? null, d?.sha512 ?? null, d?.mediaType ?? XML,
    row.body ?? null, row.state ?? null, row.plugin ? JSON.stringify(row.plugin) : null, event.recordedAt, event.position,
  ]);
}

/** Re-renders what depends on one version of an artifact: its files' rows, SNAPSHOT aliases and metadata. */
async function renderVersion(tx: SqlExecutor, table: string, repository: string, name: string, s: MavenArtifactState, version: string, event: RecordedEvent): Promise<void> {
  await tx.query(`DELETE FROM ${table} WHERE repository = $1 AND artifact = $2 AND version = $3 AND kind IN ('file', 'alias')`, [repository, name, version]);
  const v = s.versions[version];
  const snapshotMetaPath = `${folderOf(s)}/${version}/${METADATA_FILE}`;
  if (!v) {
    await tx.query(`DELETE FROM ${table} WHERE repository = $1 AND path = $2`, [repository, snapshotMetaPath]);
    return;
  }
  for (const f of v.files) await upsert(tx, table, repository, { path: f.path, kind: 'file', artifact: name, version, file: f }, event);
  if (!isSnapshotVersion(version)) return;
  for (const { aliasPath, file } of newestFiles(version, v)) {
    await upsert(tx, table, repository, { path: aliasPath, kind: 'alias', artifact: name, version, file }, event);
  }
  const body = renderSnapshotMetadata(s, version);
  if (body) await upsert(tx, table, repository, { path: snapshotMetaPath, kind: 'metadata', artifact: name, version, body }, event);
  else await tx.query(`DELETE FROM ${table} WHERE repository = $1 AND path = $2`, [repository, snapshotMetaPath]);
}

/** The artifact-level metadata row (holding the state), then the group's plugin metadata. */
async function renderArtifact(tx: SqlExecutor, table: string, repository: string, name: string, s: MavenArtifactState, event: RecordedEvent): Promise<void> {
  const plugin = pluginOf(s);
  const body = renderArtifactMetadata(s);
  await upsert(tx, table, repository, { path: `${folderOf(s)}/${METADATA_FILE}`, kind: 'metadata', artifact: name, version: null, groupId: s.groupId, body, state: JSON.stringify(s), plugin: body ? plugin : null }, event);
  const plugins = (await tx.query<{ plugin: PluginEntry }>(`SELECT plugin FROM ${table} WHERE repository = $1 AND group_id = $2 AND plugin IS NOT NULL`, [repository, s.groupId])).rows.map((r) => r.plugin);
  const groupPath = `${s.groupId.replace(/\./g, '/')}/${METADATA_FILE}`;
  const groupBody = renderGroupMetadata(plugins);
  if (groupBody) await upsert(tx, table, repository, { path: groupPath, kind: 'metadata', artifact: null, version: null, body: groupBody }, event);
  else await tx.query(`DELETE FROM ${table} WHERE repository = $1 AND path = $2 AND artifact IS NULL`, [repository, groupPath]);
}

/**
 * Maven repositories: every servable path of the layout, with the metadata documents rendered
 * from the deployed versions and stored ready to serve (DESIGN.md section 7).
 */
export const mavenPathsProjection: Projection = {
  name: 'maven-paths',
  version: 1,
  handles: ['ArtifactPublished', 'ArtifactFilesAdded', 'ArtifactDeleted', 'RepositoryDeleted'],
  ddl: 'maven-paths/v1.sql',
  async apply(event, tx, table) {
    if (event.type === 'RepositoryDeleted') {
      await tx.query(`DELETE FROM ${table} WHERE repository = $1`, [(event.data as RepositoryDeleted['data']).repository]);
      return;
    }
    const d = event.data as ArtifactEvent['data'];
    if (d.format !== MAVEN) return;
    const current = emptyArtifact(d.name);
    const s = (await loadState(tx, table, d.repository, `${folderOf(current)}/${METADATA_FILE}`)) ?? current;
    let next: MavenArtifactState;
    if (event.type === 'ArtifactDeleted') next = withoutVersion(s, d.version);
    else {
      const data = d as ArtifactPublished['data'];
      next = withFiles(s, d.version, data.files, data.metadata as MavenEventMetadata, event.recordedAt, event.type === 'ArtifactPublished');
    }
    await renderVersion(tx, table, d.repository, d.name, next, d.version, event);
    await renderArtifact(tx, table, d.repository, d.name, next, event);
  },
};
