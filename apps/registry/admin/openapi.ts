/** The admin API's OpenAPI 3.1 document, served at /api/docs. Keep it in step with the controllers. */
const problem = { description: 'RFC 9457 problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const json = (ref: string, description = 'OK') => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Strata admin API', version: '1', description: 'Every change is an event in the log; reads come from projections.' },
  security: [{ bearer: [] }],
  paths: {
    '/api/v1/repositories': {
      get: { summary: 'List repositories', responses: { 200: json('RepositoryList'), ...errors } },
      post: {
        summary: 'Create a repository (RepositoryCreated)',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateRepository' } } } },
        responses: { 201: json('Repository', 'Created'), ...errors },
      },
    },
    '/api/v1/repositories/{name}': {
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
      get: { summary: 'Show a repository', responses: { 200: json('Repository'), ...errors } },
      patch: { summary: 'Configure a repository (RepositoryConfigured)', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/RepositoryConfig' } } } }, responses: { 200: json('Repository'), ...errors } },
      delete: { summary: 'Delete a repository (RepositoryDeleted)', responses: { 204: { description: 'Deleted' }, ...errors } },
    },
    '/api/v1/repositories/{name}/packages/{package}/history': {
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'package', in: 'path', required: true, description: 'artifact name; for generic repositories the file path (segments encoded)', schema: { type: 'string' } },
      ],
      get: { summary: 'Every event of one artifact', responses: { 200: json('EventList'), ...errors } },
    },
    '/api/v1/repositories/{name}/packages/{package}/versions/{version}/yank': {
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'package', in: 'path', required: true, description: 'artifact name as the registry keeps it (PyPI: the normalised project name)', schema: { type: 'string' } },
        { name: 'version', in: 'path', required: true, schema: { type: 'string' } },
      ],
      post: {
        summary: 'Yank or un-yank a version (ArtifactYanked; PyPI serves it as PEP 592 yanked); needs delete',
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { yanked: { type: 'boolean', default: true }, reason: { type: 'string', maxLength: 1000 } }, additionalProperties: false } } } },
        responses: { 200: { description: 'OK' }, ...errors },
      },
    },
    '/api/v1/events': {
      get: {
        summary: 'Read the event log by position',
        parameters: [
          { name: 'from', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'waitMs', in: 'query', description: 'long-poll up to this long for an event at or beyond from', schema: { type: 'integer', maximum: 30000 } },
        ],
        responses: { 200: { ...json('EventList'), headers: { 'X-Strata-Head-Position': { schema: { type: 'integer' } } } }, ...errors },
      },
    },
    '/api/v1/events/verify': { get: { summary: 'Verify the hash chain', responses: { 200: json('ChainVerdict') } } },
    '/api/v1/projections': { get: { summary: 'Projection status', responses: { 200: { description: 'OK' } } } },
    '/api/v1/projections/{name}': { get: { summary: 'One projection', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'OK' }, 404: problem } } },
    '/api/v1/projections/{name}/rebuild': { post: { summary: 'Rebuild into a shadow table and swap', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { 202: { description: 'Started' }, 409: problem } } },
    '/api/v1/projections/{name}/verify': { post: { summary: 'Rebuild into a shadow table and compare', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'Verdict' } } } },
    '/api/v1/gc': { post: { summary: 'Collect unreferenced blobs', parameters: [{ name: 'dryRun', in: 'query', schema: { type: 'boolean' } }], responses: { 200: { description: 'Report: removed and kept blobs with reasons' } } } },
    '/healthz': { get: { summary: 'Liveness', security: [], responses: { 200: { description: 'Serving' } } } },
    '/readyz': { get: { summary: 'Readiness', security: [], responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { 200: { description: 'text/plain exposition' } } } },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Problem: { type: 'object', properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, code: { type: 'string' }, detail: { type: 'string' } } },
      RepositoryConfig: {
        type: 'object',
        additionalProperties: false,
        properties: {
          description: { type: 'string' },
          anonymousRead: { type: 'boolean', default: false },
          allowRedeploy: { type: 'boolean', default: false },
          maxUploadBytes: { type: 'integer', default: 10737418240 },
          upstream: { type: 'object', properties: { url: { type: 'string', format: 'uri' } } },
          members: { type: 'array', items: { type: 'string' } },
        },
      },
      CreateRepository: {
        allOf: [
          { $ref: '#/components/schemas/RepositoryConfig' },
          { type: 'object', required: ['name', 'format'], properties: { name: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$' }, format: { type: 'string' }, type: { enum: ['hosted', 'remote', 'virtual'] } } },
        ],
      },
      Repository: { type: 'object', properties: { name: { type: 'string' }, format: { type: 'string' }, type: { type: 'string' }, config: { $ref: '#/components/schemas/RepositoryConfig' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' } } },
      RepositoryList: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Repository' } } } },
      Event: {
        type: 'object',
        properties: {
          position: { type: 'integer' }, streamId: { type: 'string' }, streamVersion: { type: 'integer' }, type: { type: 'string' }, schemaVersion: { type: 'integer' },
          data: { type: 'object' }, metadata: { type: 'object' }, recordedAt: { type: 'string' }, prevHash: { type: 'string' }, hash: { type: 'string' },
        },
      },
      EventList: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Event' } }, next: { type: ['integer', 'null'] } } },
      ChainVerdict: { type: 'object', properties: { ok: { type: 'boolean' }, events: { type: 'integer' }, head: { type: 'string' }, brokenAt: { type: 'integer' }, reason: { type: 'string' } } },
    },
  },
};
