import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { INestApplication, LoggerService } from '@nestjs/common';
import express from 'express';
import type { Logger } from 'pino';
import type { StrataConfig } from '../../libs/config/config.js';
import type { Infrastructure } from '../../libs/config/infrastructure.js';
import type { FormatPlugin, FormatServices } from '../../libs/format-kit/index.js';
import { ErrorFilter, expressErrorHandler } from './errors.js';
import { ENABLED_FORMATS } from './formats.js';
import { buildServices, type BuildOptions } from './build-services.js';
import { formatIdentity } from './format-identity.js';
import { authentication, requestLogging, requestMetrics } from './middleware.js';
import { pointInTimeRewrite, pointInTimeViews } from './point-in-time.js';
import { currentView, PointInTimeViews, RepositoryQueries, repositoriesProjection, viewAwareSql } from '../../libs/app/index.js';
import { DomainError } from '../../libs/domain/index.js';
import { RegistryModule } from './registry.module.js';
import type { RegistryServices } from './registry-services.js';

export interface Registry {
  app: INestApplication;
  services: RegistryServices;
  /** the bootstrap admin token (tests and the first start need it; never logged) */
  adminToken: string;
  close(): Promise<void>;
}

export { allProjections } from './build-services.js';

/** Builds the registry on opened infrastructure: projections, services, HTTP app. Does not listen. */
export async function createRegistry(config: StrataConfig, infra: Infrastructure, logger: Logger, formats: readonly FormatPlugin[] = ENABLED_FORMATS, options: BuildOptions = {}): Promise<Registry> {
  const { services, adminToken } = await buildServices(config, infra, logger, formats, options);
  const { runner, artifactCommands: artifacts, repositories, metrics } = services;

  // format routes read through the point-in-time view a request asks for (`/@<point>/...`), if any
  const viewSql = viewAwareSql(infra.sql);
  const viewedRepositories = new RepositoryQueries(viewSql);
  const views = new PointInTimeViews(infra.sql, infra.eventStore, (format) => [repositoriesProjection, ...(formats.find((f) => f.format === format)?.projections ?? [])], {
    maxViews: config.pointInTimeViews,
  });
  const reuseAfterDelete = (format: string) => formats.find((f) => f.format === format)?.allowReuseAfterDelete ?? false;
  const formatServices: FormatServices = {
    repository: (name, format) => (currentView() ? viewedRepositories : repositories).getOfFormat(name, format),
    publish: (request, metadata) => artifacts.publish({ ...request, allowReuseAfterDelete: reuseAfterDelete(request.format) }, metadata),
    storeFile: (repository, file) => artifacts.storeFile(repository, file),
    addFiles: (request, metadata) => artifacts.addFiles({ ...request, allowReuseAfterDelete: reuseAfterDelete(request.format) }, metadata),
    deleteArtifact: (repository, format, name, version, metadata, pickLatest) => artifacts.delete(repository, format, name, version, metadata, pickLatest),
    setTag: (target, tag, version, metadata) => artifacts.setTag(target, tag, version, metadata),
    removeTag: (target, tag, metadata, protectedTags) => artifacts.removeTag(target, tag, metadata, protectedTags),
    deprecate: (target, version, message, metadata) => artifacts.deprecate(target, version, message, metadata),
    yank: (target, version, yanked, reason, metadata) => artifacts.yank(target, version, yanked, reason, metadata),
    pushManifest: (target, digest, files, manifest, tag, metadata) => artifacts.pushManifest(target, digest, files, manifest, tag, metadata),
    uploads: infra.blobStore,
    blobs: viewedBlobs(infra.blobStore),
    remote: services.remote,
    virtual: services.virtual,
    sql: viewSql,
    identity: formatIdentity(services),
    baseUrl: (req) => (config.baseUrl ?? `${req.protocol}://${req.get('host') ?? `localhost:${config.port}`}`).replace(/\/+$/, '') + (currentView()?.prefix ?? ''),
    traffic: {
      bytesIn: (format, n) => metrics.bytesIn.inc({ format }, n),
      bytesOut: (format, n) => metrics.bytesOut.inc({ format }, n),
      uploadStarted: (format) => metrics.uploadStarted(format),
    },
  };

  const server = express();
  server.disable('x-powered-by');
  server.set('trust proxy', 'loopback');
  server.use(requestLogging(logger));
  server.use(pointInTimeRewrite());
  server.use(requestMetrics(metrics, formats));
  server.use(authentication(services.identity.authenticator, formats));
  server.use(pointInTimeViews(views, repositories, formats));
  // JSON bodies only on the admin API: format routes stream their bodies untouched
  server.use('/api', express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  const app = await NestFactory.create(RegistryModule.forRoot(services, formatServices, formats), new ExpressAdapter(server), {
    bodyParser: false,
    logger: nestLogger(logger),
  });
  app.useGlobalFilters(new ErrorFilter(formats, logger));
  await app.init();
  server.use(expressErrorHandler(formats, logger));

  return {
    app,
    services,
    adminToken,
    async close() {
      await app.close();
      await runner.stop();
    },
  };
}

/** In a point-in-time view, a file whose bytes were purged since is 410 Gone, not 404. */
function viewedBlobs(blobs: Infrastructure['blobStore']): FormatServices['blobs'] {
  const gone = (e: unknown) => {
    if (currentView() && e instanceof DomainError && e.code === 'NOT_FOUND') throw new DomainError('GONE', 'the bytes of this file were purged after this point in time');
    throw e;
  };
  return {
    get: (digest, range) => blobs.get(digest, range).catch(gone),
    stat: (digest) => blobs.stat(digest),
  };
}

function nestLogger(logger: Logger): LoggerService {
  const child = logger.child({ component: 'nest' });
  return {
    log: (m: unknown) => child.debug(String(m)),
    error: (m: unknown, trace?: unknown) => child.error({ trace }, String(m)),
    warn: (m: unknown) => child.warn(String(m)),
    debug: (m: unknown) => child.debug(String(m)),
    verbose: (m: unknown) => child.trace(String(m)),
  };
}
