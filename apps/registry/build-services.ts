import type { Logger } from 'pino';
import {
  ArtifactCommands,
  blobReferencesProjection,
  createHistoryServices,
  GarbageCollector,
  historyProjection,
  IdentityCommands,
  IdentityQueries,
  ProjectionRunner,
  RemoteCache,
  TokenChallengeUpstream,
  remoteFilesProjection,
  repositoriesProjection,
  RepositoryCommands,
  RepositoryQueries,
  scheduleGarbageCollection,
  SignIn,
  StreamWriter,
  UpstreamCredentials,
  VirtualMembers,
} from '../../libs/app/index.js';
import {
  Authenticator,
  bootstrapAdminToken,
  identityProjections,
  LoginThrottle,
  PasswordStore,
  RegistryTokens,
  SecretBox,
  secretBoxKey,
  SessionService,
  sessionSecret,
  TokenService,
  type PasswordVerifier,
} from '../../libs/auth/index.js';
import { LdapDirectory } from '../../libs/auth/ldap/ldap-directory.js';
import { HttpUpstream } from '../../libs/adapters/upstream-http/index.js';
import type { StrataConfig } from '../../libs/config/config.js';
import type { Infrastructure } from '../../libs/config/infrastructure.js';
import type { FormatPlugin } from '../../libs/format-kit/index.js';
import { projectionTable, type Projection } from '../../libs/ports/index.js';
import { ENABLED_FORMATS } from './formats.js';
import { RegistryMetrics } from './metrics.js';
import { RegistryServices } from './registry-services.js';

/** Every projection the registry serves from: core, identity, then each format's. */
export function allProjections(formats: readonly FormatPlugin[] = ENABLED_FORMATS): Projection[] {
  // a format's read models concern that format's artifacts only: other formats' writes neither feed nor wait for them
  const ofFormat = (f: FormatPlugin) => f.projections.map((p): Projection => ({ ...p, formats: p.formats ?? [f.format] }));
  return [repositoriesProjection, blobReferencesProjection, remoteFilesProjection, historyProjection, ...identityProjections, ...formats.flatMap(ofFormat)];
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
  const secret = await sessionSecret(config.dataDir, config.jwtSecret);
  const sessions = new SessionService(infra.sql, secret);

  const writer = new StreamWriter(infra.eventStore, runner, config.consistencyTimeoutMs);
  const artifacts = new ArtifactCommands(writer, infra.blobStore);
  const history = createHistoryServices({
    sql: infra.sql, store: infra.eventStore, blobs: infra.blobStore, queue: infra.queue, writer, undoWindowMs: config.undoWindowMs,
    reuseAfterDelete: (format) => formats.find((f) => f.format === format)?.allowReuseAfterDelete ?? false,
  });
  const gc = new GarbageCollector(infra.sql, infra.blobStore, infra.eventStore, writer, {
    graceMs: config.gcGraceMs, undoWindowMs: config.undoWindowMs, keeps: (sha256) => history.exports.keeps(sha256),
  });
  const refs = projectionTable(blobReferencesProjection);
  const metrics = new RegistryMetrics({
    head: async () => (await infra.eventStore.head()).position,
    lag: () => runner.status(),
    blobBytes: async () =>
      Number((await infra.sql.query<{ n: number }>(`SELECT coalesce(sum(size), 0)::float8 AS n FROM (SELECT DISTINCT digest, size FROM ${refs} WHERE NOT purged) b`)).rows[0].n),
  });
  const upstreamCredentials = new UpstreamCredentials(infra.sql, new SecretBox(await secretBoxKey(config.dataDir, config.secretKey)));
  const repositories = new RepositoryQueries(infra.sql, { cacheTtlMs: 10_000 });
  await repositories.watch();
  const authenticator = new Authenticator(infra.sql, sessions, new RegistryTokens(secret));
  // cached credentials are dropped when identity changes: here at once, on other nodes by NOTIFY
  await authenticator.watch();
  const identityTypes = new Set(identityProjections.flatMap((p) => p.handles));
  writer.onSettled((types) => {
    if (types.some((t) => identityTypes.has(t))) authenticator.forget();
    if (types.some((t) => repositoriesProjection.handles.includes(t))) repositories.forget();
  });
  const identityCommands = new IdentityCommands(writer);
  const identityQueries = new IdentityQueries(infra.sql);
  const passwords = new PasswordStore(infra.sql);
  const services = new RegistryServices(
    config,
    infra,
    runner,
    writer,
    repositories,
    new RepositoryCommands(writer, () => formats.map((f) => f.format), upstreamCredentials),
    artifacts,
    gc,
    metrics,
    formats,
    logger,
    {
      tokens,
      sessions,
      passwords,
      authenticator,
      commands: identityCommands,
      queries: identityQueries,
      signIn: new SignIn(identityQueries, identityCommands, passwords, new LoginThrottle(infra.sql), sessions, options.directory ?? (config.ldap ? new LdapDirectory(config.ldap) : undefined)),
    },
  );
  services.history = history;
  services.remote = new RemoteCache(infra.sql, infra.blobStore, new TokenChallengeUpstream(new HttpUpstream({ userAgent: 'strata (remote repository)' })), writer, {
    credentials: (repository) => upstreamCredentials.get(repository),
    mismatch(details) {
      metrics.upstreamMismatches.inc({ repository: details.repository });
      logger.warn({ alert: 'upstream-mismatch', ...details }, 'the upstream now serves other bytes for a recorded file; the recorded bytes are kept');
    },
  });
  services.virtual = new VirtualMembers(services.repositories);
  if (config.role !== 'api') {
    await history.exports.start();
    await scheduleGarbageCollection(infra.queue, gc, config.gcIntervalMs, (err) => logger.error({ err }, 'scheduled blob GC failed'));
  }
  return { services, adminToken };
}
