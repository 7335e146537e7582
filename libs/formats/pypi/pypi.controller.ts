import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, isDomainError } from '../../domain/index.js';
import { FORMAT_SERVICES, rawPathAfter, type FormatServices } from '../../format-kit/index.js';
import type { PypiContext } from './pypi-context.js';
import { setReasonPhrase } from './pypi-errors.js';
import { PypiQueries } from './pypi-queries.js';
import { handleProxied } from './pypi-proxy.js';
import { parsePypiRoute, type PypiRoute } from './pypi-route.js';
import { PYPI } from './pypi-state.js';
import { deleteRelease, yankRelease } from './release-changes.js';
import { downloadFile, jsonApi, listProjects, projectPage } from './simple-reads.js';
import { uploadFile } from './upload.js';

/**
 * PyPI repositories at `/pypi/<repo>/`: the legacy upload API twine speaks at `/pypi/<repo>/`
 * (https://docs.pypi.org/api/upload/), the simple repository API pip reads at `/simple/`
 * (https://packaging.python.org/en/latest/specifications/simple-repository-api/), files at
 * `/files/<project>/<file>`, PyPI's JSON API at `/pypi/<project>/json`
 * (https://docs.pypi.org/api/json/), and yank/delete of releases. `parsePypiRoute` names the operation.
 * Remote (a caching proxy of another index) and virtual (members merged) repositories answer reads
 * in `handleProxied`; their writes are refused (remote) or sent to the publish target (virtual).
 */
@Controller('pypi')
export class PypiController {
  private readonly queries: PypiQueries;

  constructor(@Inject(FORMAT_SERVICES) private readonly services: FormatServices) {
    this.queries = new PypiQueries(services.sql);
  }

  @All(['*path'])
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const route = parsePypiRoute(req.method, rawPathAfter(req, '/pypi/'));
      if (!route) throw new DomainError('NOT_FOUND', `no PyPI endpoint ${req.method} ${req.path}`);
      const repository = await this.services.repository(route.repo, PYPI);
      await this.dispatch({ req, res, repository, services: this.services, queries: this.queries }, route);
    } catch (e) {
      // twine shows the reason phrase of a refusal, as PyPI sets it
      if (isDomainError(e)) setReasonPhrase(res, e);
      throw e;
    }
  }

  private async dispatch(ctx: PypiContext, route: PypiRoute): Promise<void> {
    if (await handleProxied(ctx, route)) return;
    switch (route.op) {
      case 'upload':
        return this.upload(ctx);
      case 'index':
        return listProjects(ctx);
      case 'project':
        return projectPage(ctx, route.project);
      case 'redirect': {
        const query = ctx.req.originalUrl.includes('?') ? ctx.req.originalUrl.slice(ctx.req.originalUrl.indexOf('?')) : '';
        ctx.res.redirect(301, `/pypi/${route.location}${query}`);
        return;
      }
      case 'download':
        return downloadFile(ctx, route.project, route.file);
      case 'jsonApi':
        return jsonApi(ctx, route.project, route.version);
      case 'yank':
        return yankRelease(ctx, route.project, route.version, route.yanked);
      case 'deleteRelease':
        return deleteRelease(ctx, route.project, route.version);
    }
  }

  private async upload(ctx: PypiContext): Promise<void> {
    const done = this.services.traffic.uploadStarted(PYPI);
    try {
      await uploadFile(ctx);
    } finally {
      done();
    }
  }
}
