export * from './bullmq-queue.js';
