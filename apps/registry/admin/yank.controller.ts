import { Body, Controller, Inject, Param, Post, Req } from '@nestjs/common';
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
 * Registered before HistoryController, whose `POST packages/*rest` takes every other POST there.
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
    const rest = rawPathAfter(req, `/api/v1/repositories/${name}/packages/`);
    const m = /^(.+)\/versions\/([^/]+)\/yank$/.exec(rest);
    if (!m) throw new DomainError('NOT_FOUND', 'no such route');
    let pkg: string;
    let version: string;
    try {
      [pkg, version] = [m[1].split('/').map(decodeURIComponent).join('/'), decodeURIComponent(m[2])];
    } catch {
      throw new DomainError('INVALID_PATH', 'malformed percent-encoding in path');
    }
    const { yanked, reason } = parseBody(YankBody, body);
    const repo = await this.s.repositories.get(name);
    authorize(principalOf(req), repo, 'delete', pkg);
    if (repo.type !== 'hosted') throw new DomainError('METHOD_NOT_ALLOWED', `repository "${name}" is ${repo.type}; only hosted repositories accept changes`);
    const why = yanked ? reason?.trim() || undefined : undefined;
    const { position } = await this.formats.yank({ repository: name, format: repo.format, name: pkg }, version, yanked, why, eventMetadata(req));
    return { repository: name, name: pkg, version, yanked, ...(why ? { reason: why } : {}), position };
  }
}
