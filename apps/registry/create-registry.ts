import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { INestApplication, LoggerService } from '@nestjs/common';
import express from 'express';
import type { Logger } from 'pino';
import {
  ArtifactCommands,
  blobReferencesProjection,
  GarbageCollector,
  ProjectionRunner,
  repositoriesProjection,
  RepositoryCommands,
  RepositoryQueries,
  StreamWriter,
} from '../../libs/app/index.js';
import { bootstrapAdminToken, TokenService } from '../../libs/auth/index.js';
import type { StrataConfig } from '../../libs/config/config.js';
import type { Infrastructure } from '../../libs/config/infrastructure.js';
import type { FormatPlugin, FormatServices } from '../../libs/format-kit/index.js';
import { projectionTable, type Projection } from '../../libs/ports/index.js';
import { ErrorFilter, expressErrorHandler } from './errors.js';
import { ENABLED_FORMATS } from './formats.js';
import { RegistryMetrics } from './metrics.js';
import { authentication, requestLogging, requestMetrics } from './middleware.js';
import { RegistryModule } from './registry.module.js';
import { RegistryServices } from './registry-services.js';

export interface Registry {
  app: INestApplication;
  services: RegistryServices;
  /** the bootstrap admin token (tests and the first start need it; never logged) */
  adminToken: string;
  close(): Promise<void>;
}

/** Every projection the registry serves from: the core ones plus each enabled format's (also run by apps/projector). */
export function allProjections(formats: readonly FormatPlugin[] = ENABLED_FORMATS): Projection[] {
  return [repositoriesProjection, blobReferencesProjection, ...formats.flatMap((f) => f.projections)];
}

/** Builds the registry on opened infrastructure: projections, services, HTTP app. Does not listen. */
export async function createRegistry(config: StrataConfig, infra: Infrastructure, logger: Logger, formats: readonly FormatPlugin[] = ENABLED_FORMATS): Promise<Registry> {
  const projections = allProjections(formats);
  const runner = new ProjectionRunner(infra.sql, infra.eventStore, projections);
  await runner.init();
  if (config.role !== 'api') runner.start();

  const tokens = new TokenService(infra.sql);
  const adminToken = await bootstrapAdminToken(config.dataDir, config.adminToken, (file) =>
    logger.warn({ file }, 'generated the bootstrap admin token; it is in this file (mode 0600)'),
  );
  await tokens.installBootstrapToken(adminToken);

  const writer = new StreamWriter(infra.eventStore, runner, config.consistencyTimeoutMs);
  const repositories = new RepositoryQueries(infra.sql);
  const artifacts = new ArtifactCommands(writer, infra.blobStore);
  const gc = new GarbageCollector(infra.sql, infra.blobStore, infra.eventStore, writer, { graceMs: config.gcGraceMs, undoWindowMs: config.undoWindowMs });
  const refs = projectionTable(blobReferencesProjection);
  const metrics = new RegistryMetrics({
    head: async () => (await infra.eventStore.head()).position,
    lag: () => runner.status(),
    blobBytes: async () =>
      Number((await infra.sql.query<{ n: number }>(`SELECT coalesce(sum(size), 0)::float8 AS n FROM (SELECT DISTINCT digest, size FROM ${refs} WHERE NOT purged) b`)).rows[0].n),
  });
  const services = new RegistryServices(
    config, infra, runner, writer, repositories,
    new RepositoryCommands(writer, () => formats.map((f) => f.format)),
    artifacts, gc, tokens, metrics, formats, logger,
  );

  const formatServices: FormatServices = {
    repository: (name, format) => repositories.getOfFormat(name, format),
    publish: (request, metadata) =>
      artifacts.publish({ ...request, allowReuseAfterDelete: formats.find((f) => f.format === request.format)?.allowReuseAfterDelete ?? false }, metadata),
    deleteArtifact: (repository, format, name, version, metadata) => artifacts.delete(repository, format, name, version, metadata),
    blobs: infra.blobStore,
    sql: infra.sql,
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
  server.use(requestMetrics(metrics, formats));
  server.use(authentication(tokens));
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
