import type { ArtifactDeleted, ArtifactPublished, BlobPurged, RecordedEvent, StoredFile } from '../../domain/index.js';
import type { SqlExecutor } from '../../ports/index.js';

interface Row {
  digest: string;
  repository: string;
  format: string;
  name: string;
  version: string;
  path: string;
  size: number;
  deleted_at: string | null;
  purged: boolean;
}

type ArtifactData = Pick<ArtifactPublished['data'], 'repository' | 'format' | 'name' | 'version'> & { files?: StoredFile[] };

const artifactKey = (d: ArtifactData) => JSON.stringify([d.repository, d.format, d.name, d.version]);
const rowKey = (r: Pick<Row, 'digest' | 'repository' | 'format' | 'name' | 'version' | 'path'>) => JSON.stringify([r.digest, r.repository, r.format, r.name, r.version, r.path]);

/** Events that replace a version's files (the old ones count as deleted from then on). */
const REPLACING = new Set(['ArtifactPublished', 'ManifestPushed']);

/**
 * blob-references for a run of events in two round trips: load every row the events can touch
 * (the rows of each artifact they name and of each purged digest), fold the events over them in
 * memory in log order exactly as `apply` would one by one, and write back the rows that changed.
 */
export async function applyBlobReferencesBatch(events: RecordedEvent[], tx: SqlExecutor, table: string): Promise<void> {
  const artifacts = new Map<string, ArtifactData>();
  const digests = new Set<string>();
  for (const e of events) {
    if (e.type === 'BlobPurged') digests.add((e.data as BlobPurged['data']).digest);
    else artifacts.set(artifactKey(e.data as ArtifactData), e.data as ArtifactData);
  }
  const list = [...artifacts.values()];
  const loaded = await tx.query<Omit<Row, 'deleted_at'> & { deleted_at: Date | string | null }>(
    `SELECT * FROM ${table}
      WHERE (repository, format, name, version) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]))
         OR digest = ANY($5::text[])`,
    [list.map((a) => a.repository), list.map((a) => a.format), list.map((a) => a.name), list.map((a) => a.version), [...digests]],
  );
  const rows = new Map<string, Row>();
  const byArtifact = new Map<string, Set<string>>();
  const changed = new Set<string>();
  const remember = (row: Row) => {
    const key = rowKey(row);
    rows.set(key, row);
    const a = artifactKey(row);
    if (!byArtifact.has(a)) byArtifact.set(a, new Set());
    byArtifact.get(a)!.add(key);
    return key;
  };
  for (const r of loaded.rows) remember({ ...r, size: Number(r.size), deleted_at: r.deleted_at === null ? null : new Date(r.deleted_at).toISOString() });

  const deleteArtifact = (d: ArtifactData, at: string) => {
    for (const key of byArtifact.get(artifactKey(d)) ?? []) {
      const row = rows.get(key)!;
      if (row.deleted_at !== null) continue;
      row.deleted_at = at;
      changed.add(key);
    }
  };
  for (const e of events) {
    if (e.type === 'BlobPurged') {
      const digest = (e.data as BlobPurged['data']).digest;
      for (const [key, row] of rows) if (row.digest === digest) (row.purged = true), changed.add(key);
      continue;
    }
    const d = e.data as ArtifactData;
    if (e.type === 'ArtifactDeleted') {
      deleteArtifact(d as ArtifactDeleted['data'], e.recordedAt);
      continue;
    }
    if (REPLACING.has(e.type)) deleteArtifact(d, e.recordedAt);
    for (const f of d.files ?? []) {
      const key = rowKey({ digest: f.digest, repository: d.repository, format: d.format, name: d.name, version: d.version, path: f.path });
      const existing = rows.get(key);
      if (existing) {
        existing.deleted_at = null;
        existing.purged = false;
        changed.add(key);
      } else {
        changed.add(remember({ digest: f.digest, repository: d.repository, format: d.format, name: d.name, version: d.version, path: f.path, size: f.size, deleted_at: null, purged: false }));
      }
    }
  }
  if (changed.size === 0) return;
  const out = [...changed].map((k) => rows.get(k)!);
  await tx.query(
    `INSERT INTO ${table} (digest, repository, format, name, version, path, size, deleted_at, purged)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::timestamptz[], $9::boolean[])
     ON CONFLICT (digest, repository, format, name, version, path) DO UPDATE SET deleted_at = EXCLUDED.deleted_at, purged = EXCLUDED.purged`,
    [
      out.map((r) => r.digest), out.map((r) => r.repository), out.map((r) => r.format), out.map((r) => r.name), out.map((r) => r.version),
      out.map((r) => r.path), out.map((r) => r.size), out.map((r) => r.deleted_at), out.map((r) => r.purged),
    ],
  );
}
