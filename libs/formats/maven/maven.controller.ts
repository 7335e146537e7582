import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../domain/index.js';
import { FORMAT_SERVICES, rawPathAfter, type FormatServices } from '../../format-kit/index.js';
import { browseFolder, deleteVersion } from './browse.js';
import { deployPath } from './deploy.js';
import type { MavenContext } from './maven-context.js';
import { parseMavenPath, parseVersionFolder } from './maven-path.js';
import { MavenQueries } from './maven-queries.js';
import { readRemote } from './maven-remote.js';
import { readVirtual } from './maven-virtual.js';
import { MAVEN } from './maven-state.js';
import { downloadPath } from './reads.js';

/**
 * Maven repositories at `/maven/<repo>/`, in the Maven 2 repository layout
 * (https://maven.apache.org/repository/layout.html) that `mvn deploy`, Maven Resolver and
 * Gradle's `maven-publish` and dependency resolution speak. Hosted: PUT to deploy, GET/HEAD to
 * resolve, GET on a folder to browse, DELETE on a version folder to delete a version. Remote
 * (a caching proxy of an upstream layout) and virtual (members in order, metadata merged): GET/HEAD;
 * a deploy to a virtual repository goes to its publish target, one to a remote repository is 405.
 */
@Controller('maven')
export class MavenController {
  private readonly queries: MavenQueries;

  constructor(@Inject(FORMAT_SERVICES) private readonly services: FormatServices) {
    this.queries = new MavenQueries(services.sql);
  }

  @All(['*path'])
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    const raw = rawPathAfter(req, '/maven/');
    const slash = raw.indexOf('/');
    if (slash <= 0) throw new DomainError('NOT_FOUND', 'a Maven repository is served at /maven/<repo>/');
    const repoName = decodeURIComponent(raw.slice(0, slash));
    const rest = raw.slice(slash + 1);
    const repository = await this.services.repository(repoName, MAVEN);
    const ctx: MavenContext = { req, res, repository, services: this.services, queries: this.queries };
    switch (req.method) {
      case 'GET':
      case 'HEAD':
        return this.read(ctx, rest);
      case 'PUT': {
        const done = this.services.traffic.uploadStarted(MAVEN);
        try {
          // a deploy to a virtual repository goes to its hosted publish target, with the caller's rights there
          const target = ctx.repository.type === 'virtual' ? { ...ctx, repository: await this.services.virtual.publishTarget(ctx.repository) } : ctx;
          return await deployPath(target, parseMavenPath(rest));
        } finally {
          done();
        }
      }
      case 'DELETE': {
        const { groupId, artifactId, version } = parseVersionFolder(rest);
        return deleteVersion(ctx, groupId, artifactId, version);
      }
      default:
        throw new DomainError('METHOD_NOT_ALLOWED', `${req.method} is not supported on a Maven repository`);
    }
  }

  /** A file, metadata or checksum; a folder with its slash; a folder without it redirects (301) to it. */
  private async read(ctx: MavenContext, rest: string): Promise<void> {
    if (ctx.repository.type === 'remote') return readRemote(ctx, parseMavenPath(rest));
    if (ctx.repository.type === 'virtual') return readVirtual(ctx, parseMavenPath(rest));
    try {
      const target = parseMavenPath(rest);
      if (target.kind === 'folder') return await browseFolder(ctx, target.prefix);
      return await downloadPath(ctx, target.path, target.checksum);
    } catch (e) {
      // only on a miss: is it a folder asked for without its trailing slash?
      if (!(e instanceof DomainError && (e.code === 'NOT_FOUND' || e.code === 'INVALID_PATH')) || rest.endsWith('/') || rest === '') throw e;
      let folder: string;
      try {
        folder = `${rest.split('/').map(decodeURIComponent).join('/')}/`;
      } catch {
        throw e;
      }
      if ((await ctx.queries.under(ctx.repository.name, folder, 1)).length === 0) throw e;
      ctx.res.redirect(301, `${ctx.req.originalUrl.split('?')[0]}/`);
    }
  }
}
