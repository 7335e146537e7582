import { DomainError } from '../../domain/index.js';
import { eventMetadata, principalOf } from '../../format-kit/index.js';
import { authorizeFor, requireHosted, type MavenContext } from './maven-context.js';
import { CHECKSUMS } from './maven-path.js';
import { artifactName, MAVEN } from './maven-state.js';
import { compareMavenVersions } from './maven-version.js';

/** listings stop after this many paths under the folder (a root listing of a huge repository is cut short) */
const LISTING_SCAN = 20_000;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Entry {
  name: string;
  folder: boolean;
  size?: number;
  modified?: string;
}

function mayRead(ctx: MavenContext, artifact: string | null): boolean {
  try {
    authorizeFor(ctx, 'read', artifact ?? undefined);
    return true;
  } catch {
    return false;
  }
}

/**
 * GET on a folder (`/maven/<repo>/<folders>/`): its entries, as JSON when the client accepts
 * `application/json` first, else as the HTML index page Maven repositories traditionally serve
 * (each file also lists its `.md5`/`.sha1`/`.sha256`/`.sha512`). Only what the caller may read.
 */
export async function browseFolder(ctx: MavenContext, prefix: string): Promise<void> {
  if (!principalOf(ctx.req)) authorizeFor(ctx, 'read');
  const rows = await ctx.queries.under(ctx.repository.name, prefix, LISTING_SCAN);
  const entries = new Map<string, Entry>();
  for (const r of rows) {
    if (!mayRead(ctx, r.artifact)) continue;
    const rest = r.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash >= 0) entries.set(`${rest.slice(0, slash)}/`, { name: rest.slice(0, slash), folder: true });
    else {
      entries.set(rest, { name: rest, folder: false, ...(r.size !== null ? { size: r.size } : {}), modified: new Date(r.modified).toISOString() });
      for (const algo of CHECKSUMS) entries.set(`${rest}.${algo}`, { name: `${rest}.${algo}`, folder: false });
    }
  }
  if (entries.size === 0 && prefix !== '') throw new DomainError('NOT_FOUND', `no folder ${prefix}`);
  const sorted = [...entries.values()].sort((a, b) => (a.folder !== b.folder ? (a.folder ? -1 : 1) : a.folder ? compareMavenVersions(a.name, b.name) || (a.name < b.name ? -1 : 1) : a.name < b.name ? -1 : 1));
  const accept = ctx.req.get('accept') ?? '';
  const json = /application\/json/.test(accept) && !/text\/html/.test(accept.split('application/json')[0]);
  ctx.res.set({ vary: 'Accept', 'cache-control': 'private, max-age=0, must-revalidate' });
  if (json) {
    ctx.res.status(200).json({ repository: ctx.repository.name, path: prefix, entries: sorted.map((e) => ({ name: e.folder ? `${e.name}/` : e.name, type: e.folder ? 'folder' : 'file', ...(e.size !== undefined ? { size: e.size } : {}), ...(e.modified ? { modified: e.modified } : {}) })), truncated: rows.length >= LISTING_SCAN });
    return;
  }
  const title = `${ctx.repository.name}/${prefix}`;
  const items = sorted.map((e) => {
    const href = e.folder ? `${encodeURIComponent(e.name)}/` : encodeURIComponent(e.name);
    return `<li><a href="${esc(href)}">${esc(e.folder ? `${e.name}/` : e.name)}</a>${e.size !== undefined ? ` ${e.size} bytes` : ''}</li>`;
  });
  const up = prefix ? '<li><a href="../">../</a></li>\n' : '';
  ctx.res.status(200).type('text/html; charset=utf-8').send(`<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${esc(title)}</title></head>\n<body><h1>${esc(title)}</h1>\n<ul>\n${up}${items.join('\n')}\n</ul></body></html>\n`);
}

/**
 * DELETE /maven/<repo>/<group folders>/<artifactId>/<version>/: deletes a version with all its
 * files (ArtifactDeleted); the metadata is rendered again without it. Needs the delete right.
 */
export async function deleteVersion(ctx: MavenContext, groupId: string, artifactId: string, version: string): Promise<void> {
  const name = artifactName(groupId, artifactId);
  authorizeFor(ctx, 'delete', name);
  requireHosted(ctx.repository);
  const state = await ctx.queries.artifact(ctx.repository.name, groupId, artifactId);
  if (!state?.versions[version]) throw new DomainError('NOT_FOUND', `${name} has no version ${version}`);
  await ctx.services.deleteArtifact(ctx.repository.name, MAVEN, name, version, eventMetadata(ctx.req));
  ctx.res.status(204).end();
}
