export * from './sql.js';
export * from './event-store.js';
export * from './event-hash.js';
export * from './blob-store.js';
export * from './queue.js';
export * from './projection.js';
export * from './catch-up-subscription.js';
export * from './upstream.js';
