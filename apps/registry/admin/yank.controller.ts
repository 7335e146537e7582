import { Body, Controller, Delete, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { authorize } from '../../../libs/auth/index.js';
import { DomainError } from '../../../libs/domain/index.js';
import { eventMetadata, FORMAT_SERVICES, principalOf, rawPathAfter, type FormatServices } from '../../../libs/format-kit/index.js';
import { RegistryServices } from '../registry-services.js';
import { parseBody } from './body.js';

const YankBody = z.object({ yanked: z.boolean().default(true), reason: z.string().max(1000).optional() }).strict();

/**
 * Yank and un-yank, format-neutral (`strata yank` / `strata unyank`): the ArtifactYanked event
 * that PyPI serves as PEP 592 `yanked` (https://peps.python.org/pep-0592/). The name and version
 * are the artifact's as the registry keeps them (PyPI: the normalised project name, e.g.
 * `bars-hello`, and the release as listed). Needs `delete` on the name, as a format's own yank does.

 *
 * Registered before HistoryController, whose `POST packages/*rest` (restore) takes every other POST there.
 */
@Controller('api/v1/repositories/:name')
export class YankController {
  constructor(
    @Inject(RegistryServices) private readonly s: RegistryServices,
    @Inject(FORMAT_SERVICES) private readonly formats: FormatServices,
  ) {}

  /** POST /api/v1/repositories/<repo>/packages/<name>/versions/<version>/yank `{"yanked": true|false, "reason"?}` */
  @Post('packages/*pkg/versions/:version/yank')
  async yank(@Param('name') name: string, @Body() body: unknown, @Req() req: Request) {
    const { pkg, version } = packageAndVersion(req, name, /^(.+)\/versions\/([^/]+)\/yank$/);
    const { yanked, reason } = parseBody(YankBody, body);
    const repo = await this.hostedForDelete(req, name, pkg);
    const why = yanked ? reason?.trim() || undefined : undefined;
    const { position } = await this.formats.yank({ repository: name, format: repo.format, name: pkg }, version, yanked, why, eventMetadata(req));
    return { repository: name, name: pkg, version, yanked, ...(why ? { reason: why } : {}), position };
  }

  /**
   * DELETE /api/v1/repositories/<repo>/packages/<name>/versions/<version> (`strata delete`): the
   * version with all its files (ArtifactDeleted), format-neutral; each format's read models drop
   * it (Maven renders its maven-metadata.xml again). A tag on it is removed (npm's own unpublish
   * moves `latest` instead). Needs `delete` on the name.
   */
  @Delete('packages/*pkg/versions/:version')
  @HttpCode(200)
  async deleteVersion(@Param('name') name: string, @Req() req: Request) {
    const { pkg, version } = packageAndVersion(req, name, /^(.+)\/versions\/([^/]+)$/);
    const repo = await this.hostedForDelete(req, name, pkg);
    const { position } = await this.formats.deleteArtifact(name, repo.format, pkg, version, eventMetadata(req));
    return { repository: name, name: pkg, version, deleted: true, position };
  }

  /** The repository, which must be hosted, once the caller's `delete` on the name is checked. */
  private async hostedForDelete(req: Request, name: string, pkg: string) {
    const repo = await this.s.repositories.get(name);
    authorize(principalOf(req), repo, 'delete', pkg);
    if (repo.type !== 'hosted') throw new DomainError('METHOD_NOT_ALLOWED', `repository "${name}" is ${repo.type}; only hosted repositories accept changes`);
    return repo;
  }
}

/** The package name (slashes kept, each part decoded) and version of a `.../packages/<name>/versions/<version>...` path. */
function packageAndVersion(req: Request, repo: string, shape: RegExp): { pkg: string; version: string } {
  const m = shape.exec(rawPathAfter(req, `/api/v1/repositories/${repo}/packages/`));
  if (!m) throw new DomainError('NOT_FOUND', 'no such route');
  try {
    return { pkg: m[1].split('/').map(decodeURIComponent).join('/'), version: decodeURIComponent(m[2]) };
  } catch {
    throw new DomainError('INVALID_PATH', 'malformed percent-encoding in path');
  }
}
