import { DomainError, type RepositoryConfig, type RepositoryType, type RepositoryView } from '../domain/index.js';
import { projectionTable, type Sql } from '../ports/index.js';
import { AccessCache } from '../auth/access-cache.js';
import { repositoriesProjection } from './projections/repositories.projection.js';


interface Row {
  name: string;
  format: string;
  repository_type: RepositoryType;
  config: RepositoryConfig;
  created_at: Date;
  updated_at: Date;
}

const table = projectionTable(repositoriesProjection);
const toView = (r: Row): RepositoryView => ({
  name: r.name,
  format: r.format,
  type: r.repository_type,
  config: r.config,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** The channel the repositories read model announces its changes on (every node drops its cache). */
export const REPOSITORIES_CHANNEL = 'strata_repositories';

/**
 * Reads repositories from their read model (never from the log). With `cacheTtlMs`, a
 * repository looked up by name is kept for that long: every request of every format looks one
 * up, and they change rarely. Changes clear the cache at once (`forget`, called after a local
 * write settles and on the NOTIFY every node listens to, see `watch`).
 */
export class RepositoryQueries {
  private readonly cache?: AccessCache<RepositoryView | null>;

  constructor(private readonly sql: Sql, options: { cacheTtlMs?: number } = {}) {
    if (options.cacheTtlMs) this.cache = new AccessCache(options.cacheTtlMs);
  }

  forget(): void {
    this.cache?.clear();
  }

  watch(): Promise<() => Promise<void>> {
    return this.sql.listen(REPOSITORIES_CHANNEL, () => this.forget());
  }

  async list(): Promise<RepositoryView[]> {
    return (await this.sql.query<Row>(`SELECT * FROM ${table} ORDER BY name`)).rows.map(toView);
  }

  async find(name: string): Promise<RepositoryView | null> {
    const load = async () => {
      const row = (await this.sql.query<Row>(`SELECT * FROM ${table} WHERE name = $1`, [name])).rows[0];
      return row ? toView(row) : null;
    };
    return this.cache ? this.cache.load(name, load) : load();
  }

  async get(name: string): Promise<RepositoryView> {
    const repo = await this.find(name);
    if (!repo) throw new DomainError('REPOSITORY_NOT_FOUND', `repository "${name}" does not exist`);
    return repo;
  }

  /** The repository, which must exist and be of `format`. */
  async getOfFormat(name: string, format: string): Promise<RepositoryView> {
    const repo = await this.get(name);
    if (repo.format !== format) throw new DomainError('WRONG_FORMAT', `repository "${name}" is a ${repo.format} repository, not ${format}`);
    return repo;
  }
}
