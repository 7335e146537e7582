import { DomainError } from '../../domain/index.js';
import { principalOf } from '../../format-kit/index.js';
import { authorizeFor, type PypiContext } from './pypi-context.js';
import { remoteIndex, remoteJsonApi, remotePage, repositoryBase, sendProject, serveRemoteDownload } from './pypi-remote.js';
import type { PypiRoute } from './pypi-route.js';
import { serveVirtualDownload, virtualIndex, virtualJsonApi, virtualPage } from './pypi-virtual.js';
import { sendIndex, sendPage } from './simple-reads.js';

/** Operations that change a project: refused by remote repositories, sent to a virtual repository's publish target. */
const WRITES = new Set<PypiRoute['op']>(['upload', 'yank', 'deleteRelease']);

/**
 * Remote and virtual PyPI repositories, in front of the hosted handlers. Reads (the project list,
 * project pages, files and their PEP 658 metadata, the JSON API) are answered here, returning
 * true. Writes to a remote repository are refused (405); writes to a virtual repository go to its
 * publish target (`ctx.repository` changes; the caller's rights there apply) and are left to the
 * hosted handlers (false), as are redirects to normalised names.
 */
export async function handleProxied(ctx: PypiContext, route: PypiRoute): Promise<boolean> {
  const { repository } = ctx;
  if (repository.type === 'hosted') return false;
  if (WRITES.has(route.op)) {
    if (repository.type === 'remote') throw new DomainError('METHOD_NOT_ALLOWED', `repository "${repository.name}" is a read-only proxy of its upstream; upload to a hosted PyPI repository`);
    ctx.repository = await ctx.services.virtual.publishTarget(repository);
    return false;
  }
  const remote = repository.type === 'remote' ? repository : undefined;
  switch (route.op) {
    case 'index':
      // https://peps.python.org/pep-0503/ (root URL): anonymous callers without read get the 401 challenge
      if (!principalOf(ctx.req)) authorizeFor(ctx, 'read');
      sendIndex(ctx, remote ? await remoteIndex(ctx, remote) : await virtualIndex(ctx));
      return true;
    case 'project': {
      authorizeFor(ctx, 'read', route.project);
      const page = remote ? await remotePage(ctx, remote, route.project) : await virtualPage(ctx, route.project);
      if (!page) throw new DomainError('NOT_FOUND', `no project "${route.project}" in this repository (nor in its upstream)`);
      sendProject(ctx, page);
      return true;
    }
    case 'download':
      authorizeFor(ctx, 'read', route.project);
      await (remote ? serveRemoteDownload(ctx, remote, route.project, route.file) : serveVirtualDownload(ctx, route.project, route.file));
      return true;
    case 'jsonApi': {
      authorizeFor(ctx, 'read', route.project);
      const doc = remote ? await remoteJsonApi(ctx, remote, route.project, route.version, repositoryBase(ctx, remote.name)) : await virtualJsonApi(ctx, route.project, route.version);
      if (!doc) throw new DomainError('NOT_FOUND', route.version === undefined ? `no JSON API document for "${route.project}" here` : `${route.project} has no release ${route.version} here`);
      sendPage(ctx, doc, 'application/json');
      return true;
    }
    default:
      return false;
  }
}
