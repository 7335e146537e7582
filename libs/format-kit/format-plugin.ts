import type { Type } from '@nestjs/common';
import type { DomainError } from '../domain/index.js';
import type { Projection } from '../ports/index.js';

/** What a protocol answers for an error, in its own envelope. */
export interface ClientError {
  status: number;
  headers?: Record<string, string>;
  contentType: string;
  body: unknown;
}

/**
 * A format is one folder exporting one of these; apps/registry/formats.ts lists the enabled ones.
 * Nothing else in the registry switches on format names.
 */
export interface FormatPlugin {
  /** the `format` of repositories it serves, e.g. `generic`, `npm` */
  format: string;
  /** URL prefix of its protocol routes, e.g. `/generic/`; errors under it use `toClientError` */
  pathPrefix: string;
  /** Nest module holding its controllers */
  module: Type<unknown>;
  projections: readonly Projection[];
  /** may the format publish a version again after it was deleted? (npm: never) */
  allowReuseAfterDelete: boolean;
  toClientError(error: DomainError): ClientError;
  /**
   * Paths (matched against the URL path) that take credentials themselves, such as a login
   * endpoint: a stale token the client sends along there is ignored instead of refused with 401.
   */
  signInPaths?: readonly RegExp[];
}
