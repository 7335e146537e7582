import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { migrate, ProjectionRunner } from '../../libs/app/index.js';
import { describeProfile, loadConfig } from '../../libs/config/config.js';
import { openInfrastructure } from '../../libs/config/infrastructure.js';
import { allProjections } from '../registry/create-registry.js';

/**
 * `npm run start:projector`: the projector process of the distributed profile (DESIGN.md
 * section 7). It applies every projection from the event log and serves nothing but
 * `GET /healthz`; API nodes (STRATA_ROLE=api) wait for read-your-writes by watching the shared
 * checkpoints it writes. Any number may run: each projection is leased to one at a time.
 */
async function main(): Promise<void> {
  const config = { ...loadConfig(), role: 'projector' as const };
  const logger = pino({ level: config.logLevel, base: { service: 'strata-projector' } });
  if (!config.databaseUrl) {
    // PGlite belongs to one process: a second one on the same folder loses data silently.
    throw new Error('the projector needs DATABASE_URL (PostgreSQL); in the embedded profile the registry runs its projections itself');
  }
  logger.info({ profile: describeProfile(config) }, 'starting');
  const infra = await openInfrastructure(config, migrate);
  const runner = new ProjectionRunner(infra.sql, infra.eventStore, allProjections());
  await runner.init();
  runner.start();

  let stopping = false;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    if (stopping) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"stopping"}');
      return;
    }
    runner.status().then(
      (projections) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', projections })),
      (e: Error) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'failing', error: e.message })),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(config.port, config.host, resolve));
  logger.info({ address: server.address(), projections: runner.projections.map((p) => p.name) }, 'Strata projector is running');

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing the batch in flight, releasing leases');
    server.close();
    server.closeAllConnections();
    await runner.stop();
    await infra.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`strata-projector: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
