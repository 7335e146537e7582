import type { Logger } from 'pino';
import {
  ArtifactCommands,
  blobReferencesProjection,
  GarbageCollector,
  IdentityCommands,
  IdentityQueries,
  ProjectionRunner,
  repositoriesProjection,
  RepositoryCommands,
  RepositoryQueries,
  scheduleGarbageCollection,
  SignIn,
  StreamWriter,
} from '../../libs/app/index.js';
import {
  Authenticator,
  bootstrapAdminToken,
  identityProjections,
  LoginThrottle,
  PasswordStore,
  SessionService,
  sessionSecret,
  TokenService,
  type PasswordVerifier,
} from '../../libs/auth/index.js';
import { LdapDirectory } from '../../libs/auth/ldap/ldap-directory.js';
import type { StrataConfig } from '../../libs/config/config.js';
import type { Infrastructure } from '../../libs/config/infrastructure.js';
import type { FormatPlugin } from '../../libs/format-kit/index.js';
import { projectionTable, type Projection } from '../../libs/ports/index.js';
import { ENABLED_FORMATS } from './formats.js';
import { RegistryMetrics } from './metrics.js';
import { RegistryServices } from './registry-services.js';

/** Every projection the registry serves from: core, identity, then each format's. */
export function allProjections(formats: readonly FormatPlugin[] = ENABLED_FORMATS): Projection[] {
  return [repositoriesProjection, blobReferencesProjection, ...identityProjections, ...formats.flatMap((f) => f.projections)];
}

export interface BuildOptions {
  /** a directory (LDAP) for password sign-in, when configured */
  directory?: PasswordVerifier;
}

/** Builds the registry's services on opened infrastructure; starts the projection loop unless role is `api`. */
export async function buildServices(config: StrataConfig, infra: Infrastructure, logger: Logger, formats: readonly FormatPlugin[], options: BuildOptions = {}): Promise<{ services: RegistryServices; adminToken: string }> {
  const runner = new ProjectionRunner(infra.sql, infra.eventStore, allProjections(formats));
  await runner.init();
  if (config.role !== 'api') runner.start();

  const tokens = new TokenService(infra.sql);
  const adminToken = await bootstrapAdminToken(config.dataDir, config.adminToken, (file) =>
    logger.warn({ file }, 'generated the bootstrap admin token; it is in this file (mode 0600)'),
  );
  await tokens.installBootstrapToken(adminToken);
  const sessions = new SessionService(infra.sql, await sessionSecret(config.dataDir, config.jwtSecret));

  const writer = new StreamWriter(infra.eventStore, runner, config.consistencyTimeoutMs);
  const artifacts = new ArtifactCommands(writer, infra.blobStore);
  const gc = new GarbageCollector(infra.sql, infra.blobStore, infra.eventStore, writer, { graceMs: config.gcGraceMs, undoWindowMs: config.undoWindowMs });
  const refs = projectionTable(blobReferencesProjection);
  const metrics = new RegistryMetrics({
    head: async () => (await infra.eventStore.head()).position,
    lag: () => runner.status(),
    blobBytes: async () =>
      Number((await infra.sql.query<{ n: number }>(`SELECT coalesce(sum(size), 0)::float8 AS n FROM (SELECT DISTINCT digest, size FROM ${refs} WHERE NOT purged) b`)).rows[0].n),
  });
  const identityCommands = new IdentityCommands(writer);
  const identityQueries = new IdentityQueries(infra.sql);
  const passwords = new PasswordStore(infra.sql);
  const services = new RegistryServices(
    config,
    infra,
    runner,
    writer,
    new RepositoryQueries(infra.sql),
    new RepositoryCommands(writer, () => formats.map((f) => f.format)),
    artifacts,
    gc,
    metrics,
    formats,
    logger,
    {
      tokens,
      sessions,
      passwords,
      authenticator: new Authenticator(infra.sql, sessions),
      commands: identityCommands,
      queries: identityQueries,
      signIn: new SignIn(identityQueries, identityCommands, passwords, new LoginThrottle(infra.sql), sessions, options.directory ?? (config.ldap ? new LdapDirectory(config.ldap) : undefined)),
    },
  );
  if (config.role !== 'api') {
    await scheduleGarbageCollection(infra.queue, gc, config.gcIntervalMs, (err) => logger.error({ err }, 'scheduled blob GC failed'));
  }
  return { services, adminToken };
}
