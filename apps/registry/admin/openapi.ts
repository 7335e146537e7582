/**
 * The admin API's OpenAPI 3.1 document, served at /api/docs. Written by hand in openapi/; the
 * spec openapi.spec.ts compares it with the routes Nest registers, so a new route without an
 * entry (or an entry without a route) fails the tests.
 *
 * A path item may carry `x-strata-route`: the registered route that serves it, when the controller
 * matches the path itself behind a wildcard (`packages/*rest`).
 */
import { identityPaths } from './openapi/identity-paths.js';
import { operationPaths } from './openapi/operation-paths.js';
import { repositoryPaths } from './openapi/repository-paths.js';
import { schemas } from './openapi/schemas.js';

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Strata admin API',
    version: '1',
    description: 'Every change is an event in the log; reads come from projections. Errors are RFC 9457 problems (application/problem+json).',
  },
  security: [{ bearer: [] }],
  paths: { ...repositoryPaths, ...operationPaths, ...identityPaths },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token, or the access token of a session (POST /api/v1/auth/login)' } },
    schemas,
  },
};
