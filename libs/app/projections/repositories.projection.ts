import type { RepositoryConfigured, RepositoryCreated, RepositoryDeleted } from '../../domain/index.js';
import type { Projection } from '../../ports/index.js';

/** The repositories the registry serves, as the admin API and every format read them. */
export const repositoriesProjection: Projection = {
  name: 'repositories',
  version: 1,
  handles: ['RepositoryCreated', 'RepositoryConfigured', 'RepositoryDeleted'],
  ddl: 'repositories/v1.sql',
  async apply(event, tx, table) {
    switch (event.type) {
      case 'RepositoryCreated': {
        const d = event.data as RepositoryCreated['data'];
        await tx.query(
          `INSERT INTO ${table} (name, format, repository_type, config, created_at, updated_at, position) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
          [d.repository, d.format, d.repositoryType, JSON.stringify(d.config), event.recordedAt, event.position],
        );
        break;
      }
      case 'RepositoryConfigured': {
        const d = event.data as RepositoryConfigured['data'];
        await tx.query(`UPDATE ${table} SET config = $2, updated_at = $3, position = $4 WHERE name = $1`, [d.repository, JSON.stringify(d.config), event.recordedAt, event.position]);
        break;
      }
      case 'RepositoryDeleted': {
        const d = event.data as RepositoryDeleted['data'];
        await tx.query(`DELETE FROM ${table} WHERE name = $1`, [d.repository]);
        break;
      }
    }
    // every node drops its cached copy (RepositoryQueries)
    await tx.query("SELECT pg_notify('strata_repositories', $1)", [String(event.position)]);
  },
};
