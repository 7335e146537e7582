import { randomBytes } from 'node:crypto';
import { describeEventStoreContract } from '../../ports/event-store.contract.js';
import { describeWith, testDatabaseUrl } from '../../../test/support/services.js';
import { freshPgliteSchema } from '../../../test/support/pglite.js';
import { PgSql } from '../sql-pg/index.js';
import { migrate } from '../../app/migrations.js';
import { PostgresEventStore } from './postgres-event-store.js';

describeEventStoreContract('PostgreSQL adapter on embedded PGlite', async () => {
  const { sql, drop } = await freshPgliteSchema();
  const store = new PostgresEventStore(sql);
  await store.start();
  return { store, cleanup: async () => { await store.close(); await drop(); } };
});

describeWith('PostgreSQL (TEST_DATABASE_URL)', !!testDatabaseUrl, 'on a real PostgreSQL server', () => {
  describeEventStoreContract('PostgreSQL adapter on a PostgreSQL server', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new PgSql({ connectionString: testDatabaseUrl! });
    await admin.query(`CREATE SCHEMA ${schema}`);
    const sql = new PgSql({ connectionString: testDatabaseUrl!, schema, max: 20 });
    await migrate(sql);
    const store = new PostgresEventStore(sql);
    await store.start();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await sql.close();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.close();
      },
    };
  });
});
