import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The point-in-time view a request reads through: the schema holding its read models as they
 * were at `position`, and the URL prefix (`/@<point>`) that links in its answers must keep.
 */
export interface ViewScope {
  schema: string;
  position: number;
  prefix: string;
}

const scopes = new AsyncLocalStorage<ViewScope>();

/** The view of the request being served, if it asked for one. */
export const currentView = (): ViewScope | undefined => scopes.getStore();

/** Runs `fn` (and everything it starts) inside `scope`. */
export const runInView = <T>(scope: ViewScope, fn: () => T): T => scopes.run(scope, fn);
