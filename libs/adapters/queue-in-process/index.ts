export * from './in-process-queue.js';
