import { authorize } from '../../auth/index.js';
import type { RepositoryView } from '../../domain/index.js';
import { principalOf } from '../../format-kit/index.js';
import { authorizeFor, sendJson, type NpmContext } from './npm-context.js';
import type { SearchRow } from './npm-queries.js';

export interface SearchQuery {
  terms: string[];
  keywords: string[];
  scope?: string;
}

/** npm's search text: words, plus the `keywords:a,b` and `scope:x` qualifiers; other qualifiers are ignored. */
export function parseSearchText(text: string): SearchQuery {
  const query: SearchQuery = { terms: [], keywords: [] };
  for (const word of text.trim().split(/\s+/).filter(Boolean).slice(0, 20)) {
    const m = /^([a-z-]+):(.*)$/.exec(word);
    if (!m) query.terms.push(word);
    else if (m[1] === 'keywords') query.keywords.push(...m[2].split(',').filter(Boolean));
    else if (m[1] === 'scope' && m[2]) query.scope = m[2].replace(/^@/, '');
  }
  return query;
}

/** Relevance in 0..1: exact name, name prefix, name part, then description or keywords. */
export function relevance(row: Pick<SearchRow, 'name'>, query: SearchQuery): number {
  const name = row.name.toLowerCase();
  const bare = name.replace(/^@[^/]+\//, '');
  const phrase = query.terms.join(' ').toLowerCase();
  if (!phrase) return 1;
  if (name === phrase || bare === phrase) return 1;
  if (bare.startsWith(phrase) || name.startsWith(phrase)) return 0.9;
  if (query.terms.every((t) => name.includes(t.toLowerCase()))) return 0.8;
  return 0.5;
}

const int = (v: unknown, fallback: number) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : fallback);

/** A search as npm sends it: `text`, `size` (1..250, default 20), `from`. */
export interface SearchRequest {
  text: string;
  size: number;
  from: number;
}

export function searchRequest(ctx: NpmContext): SearchRequest {
  const text = typeof ctx.req.query.text === 'string' ? ctx.req.query.text.slice(0, 256) : '';
  return { text, size: Math.min(Math.max(int(ctx.req.query.size, 20), 1), 250), from: int(ctx.req.query.from, 0) };
}

/** One result in the public registry's shape. */
export type SearchObject = { package: { name: string } & Record<string, unknown>; searchScore: number } & Record<string, unknown>;

/** May the caller read this package of `repository` (name-pattern grants apply)? */
export function mayRead(ctx: NpmContext, repository: RepositoryView, name: string): boolean {
  try {
    authorize(principalOf(ctx.req), repository, 'read', name);
    return true;
  } catch {
    return false;
  }
}

/** The packages of a hosted repository matching a search, best first, only those the caller may read. */
export async function hostedSearch(ctx: NpmContext, repository: RepositoryView, text: string): Promise<SearchObject[]> {
  const query = parseSearchText(text);
  const terms = query.scope ? [...query.terms, `@${query.scope}/`] : query.terms;
  const readable = (await ctx.queries.search(repository.name, terms, query.keywords)).filter((row) => mayRead(ctx, repository, row.name));
  const ranked = readable.map((row) => ({ row, score: relevance(row, query) })).sort((a, b) => b.score - a.score || a.row.name.localeCompare(b.row.name));
  return ranked.map(({ row, score }) => ({
    package: {
      name: row.name,
      scope: row.name.startsWith('@') ? row.name.slice(1, row.name.indexOf('/')) : 'unscoped',
      version: row.latest,
      description: row.description,
      keywords: row.keywords,
      date: row.modified.toISOString(),
      links: {},
      publisher: { username: row.publisher ?? '', email: '' },
      maintainers: row.maintainers.map((username) => ({ username, email: '' })),
    },
    flags: {},
    // Strata measures no quality, popularity or maintenance: every detail is the text relevance
    score: { final: score, detail: { quality: score, popularity: score, maintenance: score } },
    searchScore: score,
  }));
}

/** Sends one page of results (`from`, `size`) with the total, in the public registry's response shape. */
export function sendSearch(ctx: NpmContext, ranked: SearchObject[], request: SearchRequest, total = ranked.length): void {
  sendJson(ctx, 200, { objects: ranked.slice(request.from, request.from + request.size), total, time: new Date().toUTCString() });
}

/**
 * GET /-/v1/search?text=&size=&from=: `npm search`, in the public registry's response shape
 * (objects of package, score and searchScore; total; time). Only packages the caller may read.
 * https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md#get-v1search
 */
export async function searchPackages(ctx: NpmContext): Promise<void> {
  authorizeFor(ctx, 'read');
  const request = searchRequest(ctx);
  sendSearch(ctx, await hostedSearch(ctx, ctx.repository, request.text), request);
}
