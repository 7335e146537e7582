export * from './pglite-sql.js';
