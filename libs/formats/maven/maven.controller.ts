import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../domain/index.js';
import { FORMAT_SERVICES, rawPathAfter, type FormatServices } from '../../format-kit/index.js';
import { browseFolder, deleteVersion } from './browse.js';
import { deployPath } from './deploy.js';
import type { MavenContext } from './maven-context.js';
import { parseMavenPath, parseVersionFolder } from './maven-path.js';
import { MavenQueries } from './maven-queries.js';
import { MAVEN } from './maven-state.js';
import { downloadPath } from './reads.js';

/**
 * Hosted Maven repositories at `/maven/<repo>/`, in the Maven 2 repository layout
 * (https://maven.apache.org/repository/layout.html) that `mvn deploy`, Maven Resolver and
 * Gradle's `maven-publish` and dependency resolution speak: PUT to deploy, GET/HEAD to resolve,
 * GET on a folder to browse, DELETE on a version folder to delete a version.
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
      case 'HEAD': {
        const target = parseMavenPath(rest);
        if (target.kind === 'folder') return browseFolder(ctx, target.prefix);
        return downloadPath(ctx, target.path, target.checksum);
      }
      case 'PUT': {
        const done = this.services.traffic.uploadStarted(MAVEN);
        try {
          return await deployPath(ctx, parseMavenPath(rest));
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
}
