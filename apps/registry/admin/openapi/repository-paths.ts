/** Paths under /api/v1/repositories. */
import { adminErrors, errors, json, jsonBody, NAME, noContent, optionalAuth, pathParam, queryParam, typeListParam } from './common.js';

const PACKAGE = pathParam('pkg', "the artifact's name as the registry keeps it (PyPI: the normalised project name; generic: the file path). Names with `/` keep it literal or as %2F in each segment.");
const VERSION = pathParam('version');

const historyFilters = [
  queryParam('since', { type: 'string', format: 'date-time' }, 'RFC 3339'),
  queryParam('until', { type: 'string', format: 'date-time' }, 'RFC 3339'),
  queryParam('actor', { type: 'string' }, 'only events by this principal'),
  typeListParam,
  queryParam('after', { type: 'integer', minimum: 0, default: 0 }, 'page after this position (see `nextAfter`)'),
  queryParam('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
];

export const repositoryPaths = {
  '/api/v1/repositories': {
    get: { summary: 'List the repositories the caller may read (anonymous callers see the public ones)', ...optionalAuth, responses: { 200: json('RepositoryList'), ...errors(401) } },
    post: {
      summary: 'Create a repository (RepositoryCreated); registry admins',
      requestBody: jsonBody('CreateRepository'),
      responses: { 201: { ...json('Repository', 'Created'), headers: { Location: { schema: { type: 'string' } } } }, ...adminErrors },
    },
  },
  '/api/v1/repositories/{name}': {
    parameters: [NAME],
    get: { summary: 'Show one repository and its configuration (needs read)', ...optionalAuth, responses: { 200: json('Repository'), ...adminErrors } },
    patch: { summary: "Change a repository's configuration (RepositoryConfigured); needs admin on it", requestBody: jsonBody('RepositoryConfig'), responses: { 200: json('Repository'), ...adminErrors } },
    delete: { summary: 'Delete a repository (RepositoryDeleted); registry admins', responses: { ...noContent, ...adminErrors } },
  },
  '/api/v1/repositories/{name}/history': {
    parameters: [NAME],
    get: {
      summary: "A repository's history: every event that touched it, with who, when and from where (repository admins)",
      parameters: historyFilters,
      responses: { 200: json('HistoryPage'), ...adminErrors },
    },
  },
  '/api/v1/repositories/{name}/packages/{pkg}/history': {
    parameters: [NAME, PACKAGE],
    get: { summary: "One artifact's history: every event of it (repository admins)", parameters: historyFilters, responses: { 200: json('HistoryPage'), ...adminErrors } },
  },
  '/api/v1/repositories/{name}/packages/{rest}': {
    parameters: [NAME, pathParam('rest', 'everything after packages/: `<package>/versions/<version>/restore`; other paths answer 404')],
    post: {
      summary: 'Route of version restore (see .../packages/{pkg}/versions/{version}/restore); it also takes the empty version of a generic file',
      responses: { 201: json('RestoreResult', 'Restored'), ...adminErrors },
    },
  },
  '/api/v1/repositories/{name}/packages/{pkg}/versions/{version}/restore': {
    'x-strata-route': '/api/v1/repositories/{name}/packages/{rest}',
    parameters: [NAME, PACKAGE, VERSION],
    post: { summary: 'Restore a deleted version within the restore window (ArtifactRestored); needs admin on the repository', responses: { 201: json('RestoreResult', 'Restored'), ...adminErrors, ...errors(410) } },
  },
  '/api/v1/repositories/{name}/packages/{pkg}/versions/{version}': {
    parameters: [NAME, PACKAGE, VERSION],
    delete: { summary: 'Delete a version with all its files (ArtifactDeleted), any format; needs delete', responses: { 200: json('DeleteVersionResult'), ...adminErrors, ...errors(405) } },
  },
  '/api/v1/repositories/{name}/packages/{pkg}/versions/{version}/yank': {
    parameters: [NAME, PACKAGE, VERSION],
    post: {
      summary: 'Yank or un-yank a version (ArtifactYanked; PyPI serves it as PEP 592 yanked); needs delete',
      requestBody: jsonBody('Yank', false),
      responses: { 200: json('YankResult'), ...adminErrors, ...errors(405) },
    },
  },
  '/api/v1/repositories/{name}/oci/gc': {
    parameters: [NAME],
    post: {
      summary: "OCI repositories: delete untagged manifests past the repository's grace period, then run the blob GC (registry admins)",
      parameters: [queryParam('dryRun', { type: 'boolean', default: false }, '`true` or `1`: report only')],
      responses: { 200: json('OciGcReport'), ...adminErrors },
    },
  },
  '/api/v1/repositories/{name}/charts': {
    parameters: [NAME],
    get: { summary: 'OCI repositories: the Helm charts pushed as OCI artifacts, with their tags and pull reference (needs read)', ...optionalAuth, responses: { 200: json('ChartList'), ...adminErrors } },
  },
  '/api/v1/repositories/{name}/permissions': {
    parameters: [NAME],
    get: { summary: 'List the grants on one repository (its admins)', responses: { 200: json('GrantList'), ...adminErrors } },
    post: { summary: 'Grant actions on one repository to a user or group (PermissionGranted)', requestBody: jsonBody('GrantRequest'), responses: { 201: json('Grant', 'Granted'), ...adminErrors } },
  },
  '/api/v1/repositories/{name}/permissions/{grantId}': {
    parameters: [NAME, pathParam('grantId')],
    delete: { summary: 'Revoke one grant on one repository (PermissionRevoked)', responses: { ...noContent, ...adminErrors } },
  },
};
