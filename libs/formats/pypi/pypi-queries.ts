import { projectionTable, type SqlExecutor } from '../../ports/index.js';
import type { RenderedPage } from './simple-pages.js';
import { pypiProjectsProjection } from './pypi.projection.js';

const table = projectionTable(pypiProjectsProjection);

/** Reads the PyPI read model; a page or a file lookup is one indexed row. */
export class PypiQueries {
  constructor(private readonly sql: SqlExecutor) {}

  /** The stored simple page of a project; null when it has no live file. */
  async page(repository: string, name: string, kind: 'html' | 'json'): Promise<RenderedPage | null> {
    const cols = kind === 'html' ? 'html AS body, html_etag AS etag' : 'json AS body, json_etag AS etag';
    const row = (await this.sql.query<RenderedPage>(`SELECT ${cols} FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows[0];
    return row?.body ? row : null;
  }

  /** The stored JSON API document of a project, or of one of its releases (the exact version as stored). */
  async jsonApi(repository: string, name: string, version?: string): Promise<RenderedPage | null> {
    if (version === undefined) {
      const row = (await this.sql.query<{ body: string | null; etag: string | null }>(`SELECT json_api AS body, json_api_etag AS etag FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows[0];
      return row?.body && row.etag ? { body: row.body, etag: row.etag } : null;
    }
    const row = (await this.sql.query<{ d: RenderedPage | null }>(`SELECT json_api_releases -> $3::text AS d FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name, version])).rows[0];
    return row?.d ?? null;
  }

  /** The live releases of a project (those with files; each has a JSON API document): one jsonb key list, no state parsed. */
  async releases(repository: string, name: string): Promise<string[]> {
    return (await this.sql.query<{ v: string }>(`SELECT jsonb_object_keys(json_api_releases) AS v FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows.map((r) => r.v);
  }

  /** A live file or its core metadata (`<file>.metadata`) by name. */
  async download(repository: string, name: string, path: string): Promise<{ sha256: string; size: number; kind: 'file' | 'metadata' } | null> {
    const row = (
      await this.sql.query<{ d: { sha256: string; size: number; kind: 'file' | 'metadata' } | null }>(`SELECT downloads -> $3::text AS d FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name, path])
    ).rows[0];
    return row?.d ? { ...row.d, size: Number(row.d.size) } : null;
  }

  /** Has the repository ever had the project (a row, live files or not)? What the dependency-confusion guard asks of hosted members. */
  async exists(repository: string, name: string): Promise<boolean> {
    return (await this.sql.query(`SELECT 1 FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows.length > 0;
  }

  /** Projects with at least one live file, by normalised name. */
  async projects(repository: string): Promise<{ name: string; displayName: string }[]> {
    return (
      await this.sql.query<{ name: string; displayName: string }>(`SELECT name, display_name AS "displayName" FROM ${table} WHERE repository = $1 AND html IS NOT NULL ORDER BY name`, [repository])
    ).rows;
  }
}
