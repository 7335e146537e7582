import type { Server } from 'node:http';
import { pino } from 'pino';
import { migrate } from '../../libs/app/index.js';
import { describeProfile, loadConfig } from '../../libs/config/config.js';
import { openInfrastructure } from '../../libs/config/infrastructure.js';
import { createRegistry } from './create-registry.js';

/** `npm start`: the registry on the configured profile (embedded by default). */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, base: { service: 'strata' } });
  logger.info({ profile: describeProfile(config) }, 'starting');
  const infra = await openInfrastructure(config, migrate);
  // Embedded PGlite is opened by this process alone: any projection lease in it is a crashed predecessor's (kill -9).
  if (!config.databaseUrl) await infra.sql.query('UPDATE projection_checkpoints SET holder = NULL, lease_until = NULL');
  const removed = await infra.blobStore.cleanTemporary(0);
  if (removed) logger.info({ removed }, 'removed temporary files of interrupted uploads');
  const registry = await createRegistry(config, infra, logger);
  const server: Server = await registry.app.listen(config.port, config.host);
  server.requestTimeout = 0; // large uploads may take long; idle sockets still time out
  const address = server.address();
  logger.info({ address, url: config.baseUrl ?? `http://localhost:${config.port}` }, 'Strata is serving');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections; finishing uploads in flight');
    server.close();
    server.closeIdleConnections();
    const finished = await registry.services.metrics.waitForUploads(config.shutdownDeadlineMs);
    if (!finished) logger.warn('uploads still in flight at the shutdown deadline; they are cut off (nothing partial is kept)');
    server.closeAllConnections();
    await registry.close();
    await infra.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`strata: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
