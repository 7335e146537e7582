import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describeWith } from './support/services.js';

/**
 * The distributed profile's compose file must parse (no Docker engine runs on our machines, so it
 * is never started here). Debian's docker-compose reads the Compose specification offline.
 */
const compose = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((p) => existsSync(p));

describeWith('docker-compose', !!compose, 'docker-compose.yml (distributed profile)', () => {
  const config = () =>
    execFileSync(compose!, ['-f', 'docker-compose.yml', 'config'], { env: { ...process.env, STRATA_ADMIN_TOKEN: 'strata_compose_check_0123456789' }, encoding: 'utf8' });

  it('parses, and describes PostgreSQL, Redis, MinIO, EventStoreDB, two API replicas and the projector', () => {
    const text = config();
    for (const service of ['postgres', 'redis', 'minio', 'eventstore', 'api', 'lb', 'projector']) expect(text).toMatch(new RegExp(`^  ${service}:$`, 'm'));
    expect(text).toMatch(/replicas: 2/);
    expect(text).toMatch(/STRATA_ROLE: api/);
    expect(text).toMatch(/STRATA_ROLE: projector/);
  });

  it('refuses to start without an admin token', () => {
    expect(() => execFileSync(compose!, ['-f', 'docker-compose.yml', 'config', '-q'], { env: { PATH: process.env.PATH }, stdio: 'pipe' })).toThrow(/STRATA_ADMIN_TOKEN/);
  });
});
