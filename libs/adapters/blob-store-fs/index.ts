export * from './fs-blob-store.js';
export * from './hashing-stream.js';
