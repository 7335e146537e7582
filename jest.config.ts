/** @jest-config-loader-options {"transpileOnly": true} */
import type { Config } from 'jest';

/**
 * Jest runs in ESM mode (NestJS 12 is ESM-only): `NODE_OPTIONS=--experimental-vm-modules jest`.
 * ts-jest transpiles each file on its own (isolatedModules); `npm run typecheck` is the type check.
 */
const config: Config = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.{spec,e2e,test}.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 60_000,
  maxWorkers: 2,
};

export default config;
