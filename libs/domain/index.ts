export * from './errors.js';
export * from './events.js';
export * from './names.js';
export * from './repository.js';
export * from './artifact.js';
export * from './identity.js';
export * from './identity-deciders.js';
