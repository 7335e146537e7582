import { Module } from '@nestjs/common';
import type { FormatPlugin } from '../../format-kit/index.js';
import { ociClientError } from './oci-errors.js';
import { OCI } from './oci-names.js';
import { OciController } from './oci.controller.js';
import { ociManifestsProjection, ociTagsProjection } from './oci.projection.js';

@Module({ controllers: [OciController] })
export class OciModule {}

/** OCI / Docker repositories: `skopeo copy ... docker://<host>/<repo>/<name>:<tag>`, served at `/v2/`. */
export const ociFormat: FormatPlugin = {
  format: OCI,
  pathPrefix: '/v2/',
  module: OciModule,
  projections: [ociManifestsProjection, ociTagsProjection],
  // a manifest deleted by digest may be pushed again (same content, same digest)
  allowReuseAfterDelete: true,
  toClientError: ociClientError,
  // the registry protocol checks Basic user + password itself (GET /v2/token and every /v2/ route)
  signInPaths: [/^\/v2(\/|$)/],
};
