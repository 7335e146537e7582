import type { Request, Response } from 'express';
import { canSee } from '../../auth/index.js';
import { DomainError, type RepositoryView } from '../../domain/index.js';
import { eventMetadata, principalOf, serveRemoteFile, type FormatServices } from '../../format-kit/index.js';
import type { GenericQueries } from './generic-queries.js';
import { GENERIC } from './generic.projection.js';

const describe = { contentType: 'application/octet-stream', cacheControl: 'private, max-age=0, must-revalidate' };

/** GET /generic/<remote>/<path>: the upstream's `<upstream url>/<path>`, fetched once and kept. */
export async function serveFromRemote(services: FormatServices, req: Request, res: Response, repository: RepositoryView, path: string): Promise<void> {
  if (!path || req.originalUrl.split('?')[0].endsWith('/')) throw new DomainError('NOT_FOUND', 'remote repositories serve files, not folder listings');
  const url = path.split('/').map(encodeURIComponent).join('/');
  const file = await services.remote.file(repository, { path, url, name: path, version: '', mediaType: 'application/octet-stream' }, eventMetadata(req));
  const sent = await serveRemoteFile(req, res, services.blobs, file, (f) => ({
    ...describe,
    ...(f.mediaType ? { contentType: f.mediaType } : {}),
    headers: { 'x-checksum-sha1': f.sha1, 'x-checksum-md5': f.md5 },
  }));
  services.traffic.bytesOut(GENERIC, sent);
}

/**
 * GET /generic/<virtual>/<path>: the first member (in order, among those the caller may read)
 * that has the file. A path that a hosted member holds is never looked up in a remote member
 * (the dependency-confusion guard).
 */
export async function serveFromVirtual(
  services: FormatServices,
  queries: GenericQueries,
  req: Request,
  res: Response,
  repository: RepositoryView,
  path: string,
  serveHosted: (member: RepositoryView) => Promise<boolean>,
): Promise<void> {
  const principal = principalOf(req);
  const members = await services.virtual.members(repository, path, async (hosted) => !!(await queries.file(hosted.name, path)));
  let failure: unknown;
  for (const member of members.filter((m) => canSee(principal, m))) {
    if (member.type === 'hosted') {
      if (await serveHosted(member)) return;
      continue;
    }
    try {
      await serveFromRemote(services, req, res, member, path);
      return;
    } catch (e) {
      if (res.headersSent) throw e;
      failure = e instanceof DomainError && e.code === 'NOT_FOUND' ? failure : e;
    }
  }
  throw failure ?? new DomainError('NOT_FOUND', `no member of "${repository.name}" has ${path}`);
}
