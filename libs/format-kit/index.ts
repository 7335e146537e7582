export * from './format-plugin.js';
export * from './problem.js';
export * from './request-context.js';
export * from './range.js';
export * from './format-services.js';
export * from './serve-blob.js';
export * from './remote-services.js';
export * from './fold-batch.js';
