import { PgliteSql } from './pglite-sql.js';

describe('PgliteSql: results as the pg adapter gives them', () => {
  let sql: PgliteSql;
  beforeAll(async () => {
    sql = await PgliteSql.open();
    await sql.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
  });
  afterAll(() => sql.close());

  it('rowCount counts the rows a SELECT returns and the rows a write changes', async () => {
    expect((await sql.query('INSERT INTO t VALUES (1, $1), (2, $1)', ['a'])).rowCount).toBe(2);
    expect((await sql.query('SELECT 1 FROM t WHERE v = $1 LIMIT 1', ['a'])).rowCount).toBe(1);
    expect((await sql.query('SELECT * FROM t')).rowCount).toBe(2);
    expect((await sql.query('SELECT * FROM t WHERE v = $1', ['none'])).rowCount).toBe(0);
    expect((await sql.query('UPDATE t SET v = $1 WHERE id = 1', ['b'])).rowCount).toBe(1);
    expect((await sql.query('DELETE FROM t WHERE id = 2 RETURNING id')).rowCount).toBe(1);
  });
});
