import { Module } from '@nestjs/common';
import { problemJson, type FormatPlugin } from '../../format-kit/index.js';
import { GenericController } from './generic.controller.js';
import { GENERIC, genericFilesProjection } from './generic.projection.js';

@Module({ controllers: [GenericController] })
export class GenericModule {}

/** Plain HTTP file repositories: curl -T to upload, GET to download. */
export const genericFormat: FormatPlugin = {
  format: GENERIC,
  pathPrefix: '/generic/',
  module: GenericModule,
  projections: [genericFilesProjection],
  allowReuseAfterDelete: true,
  toClientError: (error) => problemJson(error, 'Basic realm="strata", charset="UTF-8"'),
};
