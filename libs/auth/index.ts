export * from './principal.js';
export * from './credentials.js';
export * from './token-service.js';
export * from './bootstrap-token.js';
export * from './access.js';
