export * from './pg-sql.js';
