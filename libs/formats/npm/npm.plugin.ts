import { Module } from '@nestjs/common';
import type { FormatPlugin } from '../../format-kit/index.js';
import { npmClientError } from './npm-errors.js';
import { NpmController } from './npm.controller.js';
import { NPM, npmPackagesProjection } from './npm.projection.js';

@Module({ controllers: [NpmController] })
export class NpmModule {}

/** npm registries: `npm config set registry <base>/npm/<repo>/`, then every npm command. */
export const npmFormat: FormatPlugin = {
  format: NPM,
  pathPrefix: '/npm/',
  module: NpmModule,
  projections: [npmPackagesProjection],
  // a version once published is never published again, even after unpublish (as on npmjs.com)
  allowReuseAfterDelete: false,
  toClientError: npmClientError,
  // `npm login` sends whatever token .npmrc still holds, even a revoked one (legacy and web login)
  signInPaths: [/^\/npm\/[^/]+\/-\/user\/org\.couchdb\.user:/, /^\/npm\/[^/]+\/-\/v1\/(login|done)(\/|$)/],
};
