import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../config/paths.js';
import { splitStatements } from '../migrations.js';

/** The DDL statements of a projection file under projections/, for the given table name. */
export async function loadProjectionDdl(ddlPath: string, table: string): Promise<string[]> {
  if (!/^[a-z0-9_-]+\/v\d+\.sql$/.test(ddlPath)) throw new Error(`bad projection ddl path ${ddlPath}`);
  const text = await readFile(join(projectRoot(), 'projections', ddlPath), 'utf8');
  return splitStatements(text.replaceAll('{{table}}', table));
}
