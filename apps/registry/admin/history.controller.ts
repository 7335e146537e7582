import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { authorize } from '../../../libs/auth/index.js';
import { DomainError, assertRepositoryName, type RepositoryView } from '../../../libs/domain/index.js';
import { eventMetadata, principalOf, rawPathAfter } from '../../../libs/format-kit/index.js';
import type { HistoryFilter } from '../../../libs/app/index.js';
import { RegistryServices } from '../registry-services.js';
import { intParam, listParam } from './query-params.js';

type HistoryQuery = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The package name (slashes kept, each segment decoded) and the other captures of a `.../packages/...` path, from the raw URL. */
function packagePart(req: Request, repo: string, shape: RegExp): string[] {
  const m = shape.exec(rawPathAfter(req, `/api/v1/repositories/${repo}/packages/`));
  if (!m) throw new DomainError('NOT_FOUND', 'no such route');
  try {
    return [m[1].split('/').map(decodeURIComponent).join('/'), ...m.slice(2).map(decodeURIComponent)];
  } catch {
    throw new DomainError('INVALID_PATH', 'malformed percent-encoding in path');
  }
}

/**
 * Repository and package history (issue 8), served from the history-events projection: every event
 * that touched them with who, when and from where. Filters: `since`, `until` (RFC 3339), `actor`,
 * `type` (comma-separated or repeated); pages by position: `after`, `limit` (default 100, at most
 * 1000); `next` is the link to the following page. Restores live here too (.../restore).
 */
@Controller('api/v1/repositories/:name')
export class HistoryController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  /** GET /api/v1/repositories/<repo>/history */
  @Get('history')
  async repositoryHistory(@Param('name') name: string, @Query() query: HistoryQuery, @Req() req: Request) {
    await this.assertHistoryReader(req, name);
    return this.page(req, { repository: name }, query);
  }

  /** GET .../packages/<name>/history (names may contain `/`; segments are percent-encoded). */
  @Get('packages/*pkg/history')
  async packageHistory(@Param('name') name: string, @Query() query: HistoryQuery, @Req() req: Request) {
    const pkg = packagePart(req, name, /^(.+)\/history$/)[0];
    await this.assertHistoryReader(req, name);
    const page = await this.page(req, { repository: name, package: pkg }, query);
    if (page.items.length === 0 && !query.after && !(await this.s.history.history.page({ repository: name, package: pkg, limit: 1 })).items.length) {
      throw new DomainError('NOT_FOUND', `no history for ${pkg} in ${name}`);
    }
    return page;
  }

  /**
   * POST .../packages/<name>/versions/<version>/restore: an admin's undo of a delete
   * (ArtifactRestored). Routed as `packages/*rest` because a generic file's version is empty
   * (`.../versions//restore`), which a `:version` parameter cannot match.
   */
  @Post('packages/*rest')
  @HttpCode(201)
  async restore(@Param('name') name: string, @Req() req: Request) {
    const [pkg, version] = packagePart(req, name, /^(.+)\/versions\/([^/]*)\/restore$/);
    const repo = await this.s.repositories.get(name);
    authorize(principalOf(req), repo, 'admin');
    const { position } = await this.s.history.promotions.restore(repo, pkg, version, eventMetadata(req));
    return { repository: name, name: pkg, version, position };
  }

  /** Repository admins (registry admins for a repository that no longer exists). */
  private async assertHistoryReader(req: Request, name: string): Promise<RepositoryView | null> {
    assertRepositoryName(name);
    const repo = await this.s.repositories.find(name);
    authorize(principalOf(req), repo, 'admin');
    if (!repo && !(await this.s.history.history.known(name))) throw new DomainError('REPOSITORY_NOT_FOUND', `repository "${name}" has no history`);
    return repo;
  }

  private async page(req: Request, where: Pick<HistoryFilter, 'repository' | 'package'>, query: HistoryQuery) {
    const limit = Math.max(1, intParam(one(query.limit), 'limit', 100, 1000));
    const after = intParam(one(query.after), 'after', 0, Number.MAX_SAFE_INTEGER);
    const { items, next } = await this.s.history.history.page({
      ...where,
      since: one(query.since),
      until: one(query.until),
      actor: one(query.actor),
      types: listParam(query.type),
      after,
      limit,
    });
    let link: string | null = null;
    if (next !== null) {
      const url = new URL(req.originalUrl, 'http://x');
      url.searchParams.set('after', String(next));
      link = `${url.pathname}${url.search}`;
    }
    return { items, next: link, nextAfter: next };
  }
}
