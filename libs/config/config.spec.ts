import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeProfile, loadConfig } from './config.js';

describe('configuration', () => {
  it('defaults to the embedded profile on port 8080 under ./data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, role: 'all', eventStore: 'postgres', gcGraceMs: 3_600_000, undoWindowMs: 7 * 86_400_000 });
    expect(c.dataDir).toBe(join(process.cwd(), 'data'));
    expect(describeProfile(c)).toMatchObject({ sql: expect.stringContaining('PGlite'), blobs: expect.stringContaining('filesystem'), jobs: 'in-process queue' });
  });

  it('reads secrets from *_FILE variables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-config-'));
    writeFileSync(join(dir, 'token'), 'strata_from_a_file_0123456789\n');
    writeFileSync(join(dir, 'db'), 'postgres://u:p@db/strata\n');
    const c = loadConfig({ STRATA_ADMIN_TOKEN_FILE: join(dir, 'token'), DATABASE_URL_FILE: join(dir, 'db') });
    expect(c.adminToken).toBe('strata_from_a_file_0123456789');
    expect(c.databaseUrl).toBe('postgres://u:p@db/strata');
  });

  it('switches to S3 and BullMQ when configured', () => {
    const c = loadConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_BUCKET: 'b', REDIS_URL: 'redis://127.0.0.1:6379', S3_FORCE_PATH_STYLE: 'false' });
    expect(c.s3).toMatchObject({ endpoint: 'http://127.0.0.1:9000', bucket: 'b', forcePathStyle: false });
    expect(describeProfile(c)).toMatchObject({ blobs: 'S3 bucket b', jobs: 'BullMQ on Redis' });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ STRATA_ADMIN_TOKEN: 'short' }, /STRATA_ADMIN_TOKEN/],
    [{ S3_ENDPOINT: 'http://x' }, /S3_BUCKET is required/],
    [{ EVENT_STORE: 'eventstoredb' }, /EVENTSTORE_URL is required/],
    [{ STRATA_ROLE: 'boss' }, /STRATA_ROLE/],
  ])('refuses %j with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
