import { projectionTable, type SqlExecutor } from '../../ports/index.js';
import type { NpmPackageState } from './npm-state.js';
import { npmPackagesProjection } from './npm.projection.js';

export interface StoredDocument {
  body: string;
  etag: string;
}

export interface SearchRow {
  name: string;
  latest: string;
  description: string;
  keywords: string[];
  maintainers: string[];
  publisher: string | null;
  modified: Date;
}

const table = projectionTable(npmPackagesProjection);
/** search reads at most this many candidates before ranking (a small registry's search, not a search engine) */
export const SEARCH_CANDIDATES = 1000;

const likeTerm = (t: string) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Reads the npm read model; every document read is one indexed row. */
export class NpmQueries {
  constructor(private readonly sql: SqlExecutor) {}

  /** The full packument or the abbreviated document, as stored; null when the package has no live version. */
  async document(repository: string, name: string, kind: 'full' | 'abbreviated'): Promise<StoredDocument | null> {
    const cols = kind === 'full' ? 'full_doc AS body, full_etag AS etag' : 'abbrev_doc AS body, abbrev_etag AS etag';
    const row = (await this.sql.query<StoredDocument>(`SELECT ${cols} FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows[0];
    return row?.body ? row : null;
  }

  /** The state a package is rendered from, with its current `_rev`; null when the package was never published. */
  async state(repository: string, name: string): Promise<{ state: NpmPackageState; rev: string | null } | null> {
    const row = (await this.sql.query<{ state: string; rev: string | null }>(`SELECT state, rev FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows[0];
    return row ? { state: JSON.parse(row.state) as NpmPackageState, rev: row.rev } : null;
  }

  /** Has the package ever been published here (even if every version was unpublished since)? The guard's "holds". */
  async exists(repository: string, name: string): Promise<boolean> {
    return (await this.sql.query(`SELECT 1 FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows.length > 0;
  }

  /** A live version's tarball by its file name. */
  async tarball(repository: string, name: string, file: string): Promise<{ version: string; sha256: string; size: number } | null> {
    const row = (await this.sql.query<{ t: { version: string; sha256: string; size: number } | null }>(`SELECT tarballs -> $3::text AS t FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name, file])).rows[0];
    return row?.t ? { ...row.t, size: Number(row.t.size) } : null;
  }

  /** Live packages whose name, description or keywords contain every term (case-insensitive). */
  async search(repository: string, terms: string[], keywords: string[]): Promise<SearchRow[]> {
    const params: unknown[] = [repository];
    const where = ['repository = $1', 'full_doc IS NOT NULL'];
    for (const t of terms) {
      params.push(likeTerm(t.toLowerCase()));
      const p = `$${params.length}`;
      where.push(`(lower(name) LIKE ${p} OR lower(description) LIKE ${p} OR EXISTS (SELECT 1 FROM unnest(keywords) k WHERE lower(k) LIKE ${p}))`);
    }
    for (const k of keywords) {
      params.push(k.toLowerCase());
      where.push(`EXISTS (SELECT 1 FROM unnest(keywords) k WHERE lower(k) = $${params.length})`);
    }
    const rows = (
      await this.sql.query<Omit<SearchRow, 'modified'> & { modified: Date | string }>(
        `SELECT name, latest, description, keywords, maintainers, publisher, modified FROM ${table} WHERE ${where.join(' AND ')} ORDER BY name LIMIT ${SEARCH_CANDIDATES}`,
        params,
      )
    ).rows;
    return rows.map((r) => ({ ...r, modified: new Date(r.modified) }));
  }
}
