import type { ArtifactDeleted, ArtifactFilesAdded, ArtifactPublished, ArtifactYanked, RecordedEvent } from '../../domain/index.js';
import type { Projection, SqlExecutor } from '../../ports/index.js';
import { foldBatch } from '../../format-kit/index.js';
import { baseOf, projectDocument, releaseDocument } from './json-api.js';
import { page, renderProjectHtml, renderProjectJson, versionsOf } from './simple-pages.js';
import { downloadsOf, emptyProject, PYPI, withFiles, withoutVersion, withYank, type PypiEventMetadata, type PypiProjectState } from './pypi-state.js';

type ArtifactEvent = ArtifactPublished | ArtifactFilesAdded | ArtifactDeleted | ArtifactYanked;

async function load(tx: SqlExecutor, table: string, repository: string, name: string): Promise<PypiProjectState | null> {
  const row = (await tx.query<{ state: string }>(`SELECT state FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows[0];
  return row ? (JSON.parse(row.state) as PypiProjectState) : null;
}

/** Stores the state with both renderings of its simple page and its JSON API documents (none while no file is live). */
async function save(tx: SqlExecutor, table: string, repository: string, s: PypiProjectState, event: RecordedEvent): Promise<void> {
  const versions = versionsOf(s);
  const live = versions.length > 0;
  const html = live ? renderProjectHtml(s) : undefined;
  const json = live ? renderProjectJson(s) : undefined;
  const input = { state: s, position: event.position, base: baseOf(repository) };
  const doc = live ? projectDocument(input) : undefined;
  const api = doc === undefined ? undefined : page(doc);
  const releases = Object.fromEntries(versions.map((v) => [v, page(releaseDocument(input, v))]));
  await tx.query(
    `INSERT INTO ${table} (repository, name, display_name, state, html, html_etag, json, json_etag, json_api, json_api_etag, json_api_releases, downloads, modified, position)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (repository, name) DO UPDATE SET display_name = EXCLUDED.display_name, state = EXCLUDED.state, html = EXCLUDED.html, html_etag = EXCLUDED.html_etag,
       json = EXCLUDED.json, json_etag = EXCLUDED.json_etag, json_api = EXCLUDED.json_api, json_api_etag = EXCLUDED.json_api_etag, json_api_releases = EXCLUDED.json_api_releases,
       downloads = EXCLUDED.downloads, modified = EXCLUDED.modified, position = EXCLUDED.position`,
    [
      repository, s.name, s.displayName, JSON.stringify(s), html?.body ?? null, html?.etag ?? null, json?.body ?? null, json?.etag ?? null,
      api?.body ?? null, api?.etag ?? null, JSON.stringify(releases), JSON.stringify(downloadsOf(s)), event.recordedAt, event.position,
    ],
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
 * representations (DESIGN.md section 7), its JSON API documents, and the paths it serves files from.
 */
export const pypiProjectsProjection: Projection = {
  name: 'pypi-projects',
  // v2: the JSON API (files keep md5, blake2_256 and python tag, releases their core metadata)
  version: 2,
  handles: ['ArtifactPublished', 'ArtifactFilesAdded', 'ArtifactDeleted', 'ArtifactYanked', 'RepositoryDeleted'],
  ddl: 'pypi-projects/v2.sql',
  apply: (event, tx, table) => applyEvents([event], tx, table),
  applyBatch: applyEvents,
};

/** Folds a run of events over the projects they touch, each loaded and stored once (see foldBatch). */
function applyEvents(events: RecordedEvent[], tx: SqlExecutor, table: string): Promise<void> {
  const storage = {
    load: (repository: string, name: string) => load(tx, table, repository, name),
    save: (repository: string, state: PypiProjectState, event: RecordedEvent) => save(tx, table, repository, state, event),
    dropRepository: async (repository: string) => void (await tx.query(`DELETE FROM ${table} WHERE repository = $1`, [repository])),
  };
  return foldBatch<PypiProjectState>(events, storage, async (event, session) => {
    const d = event.data as ArtifactEvent['data'];
    if (d.format !== PYPI) return;
    const current = (await session.get(d.repository, d.name)) ?? (event.type === 'ArtifactPublished' ? emptyProject(d.name) : null);
    if (current) session.put(d.repository, d.name, evolve(current, event as RecordedEvent<ArtifactEvent>), event);
  });
}
