import { DomainError, type RepositoryView } from '../../domain/index.js';
import { readableMembers } from '../../format-kit/index.js';
import type { PypiContext } from './pypi-context.js';
import { mergePages, rewriteJsonApi } from './proxied-pages.js';
import { remoteIndex, remoteJsonApi, remotePage, repositoryBase, serveRemoteDownload, unavailable } from './pypi-remote.js';
import { withBase } from './json-api.js';
import { downloadFile, hostedJsonDocument } from './simple-reads.js';
import { page, type RenderedPage } from './simple-pages.js';
import { parseProjectJson, type SimpleProject } from './upstream-pages.js';

/** Hosted pages hold relative URLs; they are rewritten anyway, so any base resolves them. */
const HOSTED_PAGE_BASE = 'http://hosted.invalid/simple/project/';

/**
 * The members of the virtual repository to consult for `project`, in order: nested virtual
 * repositories flattened and the dependency-confusion guard applied by the core (a project a
 * hosted member has ever had is never looked up in a remote member), and members the caller may
 * not read for this project left out.
 */
export function membersFor(ctx: PypiContext, project: string): Promise<RepositoryView[]> {
  return readableMembers(ctx.services.virtual, ctx.req, ctx.repository, project, (hosted) => ctx.queries.exists(hosted.name, project));
}

/**
 * GET /pypi/<virtual>/simple/<project>/: the members' pages merged (see mergePages). A remote
 * member whose upstream cannot be asked (and has no cached page) is passed over; when no member
 * has the project it is a 404, or that upstream's 502.
 */
export async function virtualPage(ctx: PypiContext, project: string): Promise<SimpleProject> {
  const pages: SimpleProject[] = [];
  let failure: unknown;
  for (const member of await membersFor(ctx, project)) {
    if (member.type === 'hosted') {
      const stored = await ctx.queries.page(member.name, project, 'json');
      if (stored) pages.push(parseProjectJson(stored.body, HOSTED_PAGE_BASE, project));
      continue;
    }
    try {
      const found = await remotePage(ctx, member, project);
      if (found) pages.push(found);
    } catch (e) {
      if (!unavailable(e)) throw e;
      failure ??= e;
    }
  }
  if (pages.length === 0) throw failure ?? new DomainError('NOT_FOUND', `no project "${project}" in this repository`);
  return mergePages(project, pages);
}

const passOver = (e: unknown) => e instanceof DomainError && (e.code === 'NOT_FOUND' || e.code === 'UPSTREAM_UNAVAILABLE');

/**
 * GET /pypi/<virtual>/files/<project>/<file>: from the first member (same order and guard as the
 * page, so the member whose file the merged page lists) that has it.
 */
export async function serveVirtualDownload(ctx: PypiContext, project: string, file: string): Promise<void> {
  let failure: unknown;
  for (const member of await membersFor(ctx, project)) {
    const memberCtx: PypiContext = { ...ctx, repository: member };
    if (member.type === 'hosted') {
      if (await ctx.queries.download(member.name, project, file)) return downloadFile(memberCtx, project, file);
      continue;
    }
    try {
      return await serveRemoteDownload(memberCtx, member, project, file);
    } catch (e) {
      if (ctx.res.headersSent || !passOver(e)) throw e;
      failure = (e as DomainError).code === 'NOT_FOUND' ? failure : e;
    }
  }
  throw failure ?? new DomainError('NOT_FOUND', `no file ${file} in project "${project}"`);
}

/** GET /pypi/<virtual>/simple/: the projects of the members the caller may read, each name once. */
export async function virtualIndex(ctx: PypiContext): Promise<{ name: string; displayName: string }[]> {
  const members = await readableMembers(ctx.services.virtual, ctx.req, ctx.repository, undefined, async () => false);
  const all = new Map<string, { name: string; displayName: string }>();
  for (const member of members) {
    const projects = member.type === 'hosted' ? await ctx.queries.projects(member.name) : await remoteIndex(ctx, member).catch((e) => (unavailable(e) ? [] : Promise.reject(e)));
    for (const p of projects) if (!all.has(p.name)) all.set(p.name, p);
  }
  return [...all.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * PyPI's JSON API of a virtual repository: the document of the first member (in guarded order)
 * that has the project, its URLs on the virtual repository. Not merged across members.
 */
export async function virtualJsonApi(ctx: PypiContext, project: string, version: string | undefined): Promise<RenderedPage | null> {
  const repoBase = repositoryBase(ctx, ctx.repository.name);
  for (const member of await membersFor(ctx, project)) {
    if (member.type === 'remote') {
      const doc = await remoteJsonApi(ctx, member, project, version, repoBase).catch((e) => (passOver(e) ? null : Promise.reject(e)));
      if (doc) return doc;
      continue;
    }
    const stored = await hostedJsonDocument(ctx, member.name, project, version);
    const body = stored && rewriteJsonApi(withBase(stored.body, ctx.services.baseUrl(ctx.req)), repoBase, project);
    if (body) return page(body);
  }
  return null;
}
