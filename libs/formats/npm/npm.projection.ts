import {
  grantCovers,
  type ArtifactDeleted,
  type ArtifactDeprecated,
  type ArtifactPublished,
  type PermissionGranted,
  type PermissionRevoked,
  type RecordedEvent,
  type TagRemoved,
  type TagSet,
} from '../../domain/index.js';
import type { Projection, SqlExecutor } from '../../ports/index.js';
import { foldBatch } from '../../format-kit/index.js';
import { emptyPackage, withDeleted, withDeprecation, withOwner, withPublished, withTag, type NpmPackageState } from './npm-state.js';
import { renderPackument } from './packument.js';

export const NPM = 'npm';

type ArtifactEvent = ArtifactPublished | ArtifactDeleted | TagSet | TagRemoved | ArtifactDeprecated;

async function load(tx: SqlExecutor, table: string, repository: string, name: string): Promise<NpmPackageState | null> {
  const row = (await tx.query<{ state: string }>(`SELECT state FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows[0];
  return row ? (JSON.parse(row.state) as NpmPackageState) : null;
}

/** Stores the state with both documents rendered from it (one row per package). */
async function save(tx: SqlExecutor, table: string, repository: string, s: NpmPackageState, position: number): Promise<void> {
  const docs = renderPackument(repository, s);
  const latest = docs?.latest ? s.versions[docs.latest]?.manifest : undefined;
  const description = typeof latest?.description === 'string' ? latest.description.slice(0, 1000) : '';
  const tarballs = Object.fromEntries(Object.entries(s.versions).map(([version, v]) => [v.file, { version, sha256: v.sha256, size: v.size }]));
  const keywords = Array.isArray(latest?.keywords) ? latest.keywords.filter((k): k is string => typeof k === 'string').slice(0, 50) : [];
  await tx.query(
    `INSERT INTO ${table} (repository, name, state, rev, full_doc, full_etag, abbrev_doc, abbrev_etag, latest, description, keywords, maintainers, publisher, owner_grants, tarballs, modified, position)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (repository, name) DO UPDATE SET state = EXCLUDED.state, rev = EXCLUDED.rev, full_doc = EXCLUDED.full_doc, full_etag = EXCLUDED.full_etag,
       abbrev_doc = EXCLUDED.abbrev_doc, abbrev_etag = EXCLUDED.abbrev_etag, latest = EXCLUDED.latest, description = EXCLUDED.description,
       keywords = EXCLUDED.keywords, maintainers = EXCLUDED.maintainers, publisher = EXCLUDED.publisher, owner_grants = EXCLUDED.owner_grants, tarballs = EXCLUDED.tarballs, modified = EXCLUDED.modified, position = EXCLUDED.position`,
    [
      repository, s.name, JSON.stringify(s), docs?.rev ?? null, docs?.full.body ?? null, docs?.full.etag ?? null, docs?.abbreviated.body ?? null,
      docs?.abbreviated.etag ?? null, docs?.latest ?? null, description, keywords,
      [...new Set(Object.values(s.owners))].sort(), docs?.latest ? s.versions[docs.latest].publisher : null, Object.keys(s.owners), JSON.stringify(tarballs), s.modified, position,
    ],
  );
}

function evolve(s: NpmPackageState, event: RecordedEvent<ArtifactEvent>): NpmPackageState {
  const at = event.recordedAt;
  switch (event.type) {
    case 'ArtifactPublished':
      return withPublished(s, event as RecordedEvent<ArtifactPublished>);
    case 'ArtifactDeleted':
      return withDeleted(s, (event.data as ArtifactDeleted['data']).version, at);
    case 'ArtifactDeprecated': {
      const d = event.data as ArtifactDeprecated['data'];
      return withDeprecation(s, d.version, d.message, at);
    }
    case 'TagSet': {
      const d = event.data as TagSet['data'];
      return withTag(s, d.tag, d.version, at);
    }
    case 'TagRemoved':
      return withTag(s, (event.data as TagRemoved['data']).tag, undefined, at);
  }
  return s;
}

/** An owner grant: a user's write grant on exactly one package name of one repository. */
const ownerGrant = (d: PermissionGranted['data']) =>
  d.subject.type === 'user' && d.repository !== '*' && !!d.pattern && !d.pattern.includes('*') && grantCovers(d.actions, 'write');

/**
 * npm packages: one row per package holding the state it is rendered from and both packument
 * documents, ready to serve (DESIGN.md section 7). Owners (`maintainers`) are the users holding a
 * write grant on exactly the package name, granted while the package exists.
 */
export const npmPackagesProjection: Projection = {
  name: 'npm-packages',
  version: 1,
  handles: ['ArtifactPublished', 'ArtifactDeleted', 'TagSet', 'TagRemoved', 'ArtifactDeprecated', 'PermissionGranted', 'PermissionRevoked', 'RepositoryDeleted'],
  ddl: 'npm-packages/v1.sql',
  apply: (event, tx, table) => applyEvents([event], tx, table),
  applyBatch: applyEvents,
};

/** Folds a run of events over the packages they touch, each loaded and stored once (see foldBatch). */
function applyEvents(events: RecordedEvent[], tx: SqlExecutor, table: string): Promise<void> {
  const storage = {
    load: (repository: string, name: string) => load(tx, table, repository, name),
    save: (repository: string, state: NpmPackageState, event: RecordedEvent) => save(tx, table, repository, state, event.position),
    dropRepository: async (repository: string) => void (await tx.query(`DELETE FROM ${table} WHERE repository = $1`, [repository])),
  };
  return foldBatch<NpmPackageState>(events, storage, async (event, session) => {
    if (event.type === 'PermissionGranted') {
      const d = event.data as PermissionGranted['data'];
      if (!ownerGrant(d)) return;
      const s = await session.get(d.repository, d.pattern!);
      if (s) session.put(d.repository, s.name, withOwner(s, d.grantId, d.subject.id, event.recordedAt), event);
      return;
    }
    if (event.type === 'PermissionRevoked') {
      const d = event.data as PermissionRevoked['data'];
      await session.flush();
      const rows = (await tx.query<{ state: string }>(`SELECT state FROM ${table} WHERE repository = $1 AND $2 = ANY(owner_grants)`, [d.repository, d.grantId])).rows;
      for (const row of rows) {
        const s = JSON.parse(row.state) as NpmPackageState;
        session.put(d.repository, s.name, withOwner(s, d.grantId, undefined, event.recordedAt), event);
      }
      return;
    }
    const d = event.data as ArtifactEvent['data'];
    if (d.format !== NPM) return;
    const current = (await session.get(d.repository, d.name)) ?? (event.type === 'ArtifactPublished' ? emptyPackage(d.name, event.recordedAt) : null);
    if (current) session.put(d.repository, d.name, evolve(current, event as RecordedEvent<ArtifactEvent>), event);
  });
}
