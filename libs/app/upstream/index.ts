export * from './remote-cache.js';
export * from './single-flight.js';
export * from './token-challenge.js';
export * from './upstream-credentials.js';
export * from './virtual-members.js';
