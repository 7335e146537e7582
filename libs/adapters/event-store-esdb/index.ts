export * from './esdb-event-store.js';
export { streamNames, type EsdbStreamNames } from './esdb-log.js';
