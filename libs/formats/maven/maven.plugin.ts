import { Module } from '@nestjs/common';
import type { FormatPlugin } from '../../format-kit/index.js';
import { mavenClientError } from './maven-errors.js';
import { MavenController } from './maven.controller.js';
import { mavenPathsProjection } from './maven.projection.js';
import { MAVEN } from './maven-state.js';

@Module({ controllers: [MavenController] })
export class MavenModule {}

/** Maven repositories: `mvn deploy` / Gradle `maven-publish` to `<base>/maven/<repo>/`, resolve from the same URL. */
export const mavenFormat: FormatPlugin = {
  format: MAVEN,
  pathPrefix: '/maven/',
  module: MavenModule,
  projections: [mavenPathsProjection],
  // a deleted version may be deployed again (its paths are free once it is gone)
  allowReuseAfterDelete: true,
  toClientError: mavenClientError,
};
