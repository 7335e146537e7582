import { DomainError } from '../../domain/index.js';
import type { Sql, SqlExecutor } from '../../ports/index.js';
import { currentView } from './view-scope.js';

/**
 * Puts the view's schema first on the search path for this transaction only, under a shared lock
 * on the view (eviction takes it exclusively), and proves the schema exists: a dropped view must
 * fail loudly, never fall through to the live tables of the same name.
 */
export async function enterView(tx: SqlExecutor, schema: string): Promise<void> {
  const row = (
    await tx.query<{ present: boolean }>(
      `SELECT pg_advisory_xact_lock_shared(hashtext($1)) IS NOT NULL AS locked,
              set_config('search_path', $1 || ',' || current_setting('search_path'), true) IS NOT NULL AS pathed,
              EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS present`,
      [schema],
    )
  ).rows[0];
  if (!row?.present) throw new DomainError('UNAVAILABLE', 'this point-in-time view was just evicted; try again');
}

/**
 * The registry's SQL as the current request sees it: unchanged outside a point-in-time view;
 * inside one, every statement reads the view's read models first (unqualified table names
 * resolve through the search path), falling back to the live tables for what a view does not
 * hold (identity, blobs' bookkeeping).
 */
export function viewAwareSql(sql: Sql): Sql {
  return {
    dialect: sql.dialect,
    query<T>(text: string, params?: unknown[]) {
      const view = currentView();
      if (!view) return sql.query<T>(text, params);
      return sql.transaction(async (tx) => {
        await enterView(tx, view.schema);
        return tx.query<T>(text, params);
      });
    },
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>) {
      const view = currentView();
      if (!view) return sql.transaction(fn);
      return sql.transaction(async (tx) => {
        await enterView(tx, view.schema);
        return fn(tx);
      });
    },
    listen: (channel, onNotify) => sql.listen(channel, onNotify),
    close: () => sql.close(),
  };
}
