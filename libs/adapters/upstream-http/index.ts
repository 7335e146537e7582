export * from './http-upstream.js';
export * from './address-policy.js';
