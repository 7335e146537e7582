import { projectionTable, type SqlExecutor } from '../../ports/index.js';
import type { RenderedPage } from './simple-pages.js';
import type { PypiProjectState } from './pypi-state.js';
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

  /** The state a project is rendered from; null when nothing was ever uploaded. */
  async project(repository: string, name: string): Promise<PypiProjectState | null> {
    const row = (await this.sql.query<{ state: string }>(`SELECT state FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name])).rows[0];
    return row ? (JSON.parse(row.state) as PypiProjectState) : null;
  }

  /** A live file or its core metadata (`<file>.metadata`) by name. */
  async download(repository: string, name: string, path: string): Promise<{ sha256: string; size: number; kind: 'file' | 'metadata' } | null> {
    const row = (
      await this.sql.query<{ d: { sha256: string; size: number; kind: 'file' | 'metadata' } | null }>(`SELECT downloads -> $3::text AS d FROM ${table} WHERE repository = $1 AND name = $2`, [repository, name, path])
    ).rows[0];
    return row?.d ? { ...row.d, size: Number(row.d.size) } : null;
  }

  /** Projects with at least one live file, by normalised name. */
  async projects(repository: string): Promise<{ name: string; displayName: string }[]> {
    return (
      await this.sql.query<{ name: string; displayName: string }>(`SELECT name, display_name AS "displayName" FROM ${table} WHERE repository = $1 AND html IS NOT NULL ORDER BY name`, [repository])
    ).rows;
  }
}
