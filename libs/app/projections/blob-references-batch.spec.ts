import type { RecordedEvent } from '../../domain/index.js';
import type { Sql } from '../../ports/index.js';
import { freshPgliteSchema } from '../../../test/support/pglite.js';
import { blobReferencesProjection } from './blob-references.projection.js';
import { loadProjectionDdl } from './ddl.js';

/** A deterministic pseudo-random sequence (so a failure can be replayed). */
function random(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function history(seed: number, n: number): RecordedEvent[] {
  const rnd = random(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const artifacts = [['r1', 'npm', 'a', '1.0.0'], ['r1', 'npm', 'a', '1.1.0'], ['r2', 'pypi', 'b', '2.0'], ['r2', 'oci', 'img', 'sha256:m']];
  const digests = ['sha256:d1', 'sha256:d2', 'sha256:d3', 'sha256:d4', 'sha256:d5'];
  const events: RecordedEvent[] = [];
  for (let i = 1; i <= n; i++) {
    const [repository, format, name, version] = pick(artifacts);
    const files = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
      const digest = pick(digests);
      return { path: `${name}-${digest.slice(-2)}-${Math.floor(rnd() * 2)}`, digest, size: Number(digest.slice(-1)) * 100, mediaType: 'x' };
    });
    const type = pick(['ArtifactPublished', 'ArtifactFilesAdded', 'ManifestPushed', 'UpstreamFetched', 'ArtifactDeleted', 'ArtifactDeleted', 'BlobPurged']);
    const data = type === 'BlobPurged' ? { digest: pick(digests), size: 1, reason: 'test' } : { repository, format, name, version, files, metadata: {}, url: 'u' };
    events.push({ position: i, streamId: 's', streamVersion: i, type, schemaVersion: 1, data, metadata: {} as never, recordedAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(), prevHash: '', hash: '' } as RecordedEvent);
  }
  return events;
}

describe('blob-references: applyBatch leaves exactly the rows that apply does one event at a time', () => {
  let sql: Sql;
  let drop: () => Promise<void>;
  beforeAll(async () => ({ sql, drop } = await freshPgliteSchema()));
  afterAll(() => drop());

  const table = async (name: string) => {
    await sql.query(`DROP TABLE IF EXISTS ${name}`);
    for (const statement of await loadProjectionDdl(blobReferencesProjection.ddl, name)) await sql.query(statement);
  };
  const rows = async (name: string) =>
    (await sql.query(`SELECT digest, repository, format, name, version, path, size, deleted_at, purged FROM ${name} ORDER BY digest, repository, format, name, version, path`)).rows;

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('random history %i, split into random batches', async (seed) => {
    const events = history(seed, 120);
    await table('one_by_one');
    await table('batched');
    await sql.transaction(async (tx) => {
      for (const e of events) await blobReferencesProjection.apply(e, tx, 'one_by_one');
    });
    const rnd = random(seed * 7919);
    for (let i = 0; i < events.length; ) {
      const size = 1 + Math.floor(rnd() * 40);
      await sql.transaction((tx) => blobReferencesProjection.applyBatch!(events.slice(i, i + size), tx, 'batched'));
      i += size;
    }
    const expected = await rows('one_by_one');
    expect(expected.length).toBeGreaterThan(3);
    expect(await rows('batched')).toEqual(expected);
  });
});
