import { projectionTable, type SqlExecutor } from '../../ports/index.js';
import { genericFilesProjection } from './generic.projection.js';

export interface GenericFile {
  path: string;
  sha256: string;
  sha1: string;
  md5: string;
  size: number;
  mediaType: string;
  publishedAt: Date;
}

export interface FolderEntry {
  name: string;
  type: 'file' | 'folder';
  size?: number;
  sha256?: string;
  lastModified?: string;
}

const table = projectionTable(genericFilesProjection);
const LISTING_LIMIT = 10_000;

const likePrefix = (prefix: string) => prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';

/** Reads the generic read model. */
export class GenericQueries {
  constructor(private readonly sql: SqlExecutor) {}

  async file(repository: string, path: string): Promise<GenericFile | null> {
    const r = (
      await this.sql.query<{ path: string; sha256: string; sha1: string; md5: string; size: number; media_type: string; published_at: Date }>(
        `SELECT path, sha256, sha1, md5, size, media_type, published_at FROM ${table} WHERE repository = $1 AND path = $2`,
        [repository, path],
      )
    ).rows[0];
    return r ? { path: r.path, sha256: r.sha256, sha1: r.sha1, md5: r.md5, size: Number(r.size), mediaType: r.media_type, publishedAt: new Date(r.published_at) } : null;
  }

  /** Direct children of a folder ('' is the root); null when nothing lives under it. */
  async folder(repository: string, folder: string): Promise<FolderEntry[] | null> {
    const prefix = folder ? `${folder}/` : '';
    const rows = (
      await this.sql.query<{ path: string; size: number; sha256: string; published_at: Date }>(
        `SELECT path, size, sha256, published_at FROM ${table} WHERE repository = $1 AND path LIKE $2 ORDER BY path LIMIT ${LISTING_LIMIT}`,
        [repository, likePrefix(prefix)],
      )
    ).rows;
    if (rows.length === 0) return folder ? null : [];
    const entries = new Map<string, FolderEntry>();
    for (const r of rows) {
      const rest = r.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) {
        entries.set(rest, { name: rest, type: 'file', size: Number(r.size), sha256: r.sha256, lastModified: new Date(r.published_at).toISOString() });
      } else if (!entries.has(rest.slice(0, slash))) {
        entries.set(rest.slice(0, slash), { name: rest.slice(0, slash), type: 'folder' });
      }
    }
    return [...entries.values()];
  }
}
