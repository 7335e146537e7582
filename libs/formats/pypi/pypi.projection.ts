import type { ArtifactDeleted, ArtifactFilesAdded, ArtifactPublished, ArtifactYanked, RecordedEvent, RepositoryDeleted } from '../../domain/index.js';
import type { Projection, SqlExecutor } from '../../ports/index.js';
import { renderProjectHtml, renderProjectJson, versionsOf } from './simple-pages.js';
import { downloadsOf, emptyProject, PYPI, withFiles, withoutVersion, withYank, type PypiEventMetadata, type PypiProjectState } from './pypi-state.js';

type ArtifactEvent = ArtifactPublished | ArtifactFilesAdded | ArtifactDeleted | ArtifactYanked;

async function load(tx: SqlExecutor, table: string, repository: string, name: string): Promise<PypiProjectState | null> {
  const row = (await tx.query<{ state: string }>(`SELECT state FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows[0];
  return row ? (JSON.parse(row.state) as PypiProjectState) : null;
}

/** Stores the state with both renderings of its simple page (none while no file is live). */
async function save(tx: SqlExecutor, table: string, repository: string, s: PypiProjectState, event: RecordedEvent): Promise<void> {
  const live = versionsOf(s).length > 0;
  const html = live ? renderProjectHtml(s) : undefined;
  const json = live ? renderProjectJson(s) : undefined;
  await tx.query(
    `INSERT INTO ${table} (repository, name, display_name, state, html, html_etag, json, json_etag, downloads, modified, position)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (repository, name) DO UPDATE SET display_name = EXCLUDED.display_name, state = EXCLUDED.state, html = EXCLUDED.html, html_etag = EXCLUDED.html_etag,
       json = EXCLUDED.json, json_etag = EXCLUDED.json_etag, downloads = EXCLUDED.downloads, modified = EXCLUDED.modified, position = EXCLUDED.position`,
    [repository, s.name, s.displayName, JSON.stringify(s), html?.body ?? null, html?.etag ?? null, json?.body ?? null, json?.etag ?? null, JSON.stringify(downloadsOf(s)), event.recordedAt, event.position],
  );
}

function evolve(s: PypiProjectState, event: RecordedEvent<ArtifactEvent>): PypiProjectState {
  switch (event.type) {
    case 'ArtifactPublished':
    case 'ArtifactFilesAdded': {
      const d = event.data as ArtifactPublished['data'];
      return withFiles(s, d.version, d.files, d.metadata as unknown as PypiEventMetadata, event.recordedAt, event.type === 'ArtifactPublished');
    }
    case 'ArtifactDeleted':
      return withoutVersion(s, (event.data as ArtifactDeleted['data']).version);
    case 'ArtifactYanked': {
      const d = event.data as ArtifactYanked['data'];
      return withYank(s, d.version, d.yanked, d.reason);
    }
  }
  return s;
}

/**
 * PyPI projects: one row per project with its simple page stored ready to serve in both
 * representations (DESIGN.md section 7), and the paths it serves files from.
 */
export const pypiProjectsProjection: Projection = {
  name: 'pypi-projects',
  version: 1,
  handles: ['ArtifactPublished', 'ArtifactFilesAdded', 'ArtifactDeleted', 'ArtifactYanked', 'RepositoryDeleted'],
  ddl: 'pypi-projects/v1.sql',
  async apply(event, tx, table) {
    if (event.type === 'RepositoryDeleted') {
      await tx.query(`DELETE FROM ${table} WHERE repository = $1`, [(event.data as RepositoryDeleted['data']).repository]);
      return;
    }
    const d = event.data as ArtifactEvent['data'];
    if (d.format !== PYPI) return;
    const current = (await load(tx, table, d.repository, d.name)) ?? (event.type === 'ArtifactPublished' ? emptyProject(d.name) : null);
    if (!current) return;
    await save(tx, table, d.repository, evolve(current, event as RecordedEvent<ArtifactEvent>), event);
  },
};
