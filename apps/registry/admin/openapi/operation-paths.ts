/** Paths of the event log, projections, GC, promotions, exports, health and this document. */
import { adminErrors, errors, json, jsonBody, open, pathParam, queryParam, typeListParam } from './common.js';

const PROJECTION = pathParam('name', 'projection name');
const EXPORT_ID = pathParam('id', 'export job id');
const exportFile = (description: string) => ({
  description,
  headers: {
    'X-Strata-Chain-Head': { description: '`<position> <hash>` of the chain head when the export started', schema: { type: 'string' } },
    'Content-Disposition': { schema: { type: 'string' } },
  },
  content: { 'application/x-ndjson': { schema: { type: 'string', description: 'one event per line; the chain head is also in the first and last lines' } }, 'text/csv': { schema: { type: 'string' } } },
});

export const operationPaths = {
  '/api/v1/events': {
    get: {
      summary: 'Read the event log by position (registry admins)',
      parameters: [
        queryParam('from', { type: 'integer', minimum: 1, default: 1 }),
        queryParam('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
        queryParam('waitMs', { type: 'integer', minimum: 0, maximum: 30000, default: 0 }, 'long-poll up to this long for an event at or beyond `from`'),
      ],
      responses: { 200: { ...json('EventList'), headers: { 'X-Strata-Head-Position': { schema: { type: 'integer' } } } }, ...adminErrors },
    },
  },
  '/api/v1/events/verify': { get: { summary: 'Walk the whole hash chain and report the first broken link, if any', responses: { 200: json('ChainVerdict'), ...errors(401, 403) } } },
  '/api/v1/projections': { get: { summary: 'Checkpoint, head, lag and state of every read model', responses: { 200: json('ProjectionList'), ...errors(401, 403) } } },
  '/api/v1/projections/{name}': {
    parameters: [PROJECTION],
    get: { summary: 'Status of one read model', responses: { 200: json('ProjectionStatus'), ...errors(401, 403, 404) } },
  },
  '/api/v1/projections/{name}/rebuild': {
    parameters: [PROJECTION],
    post: {
      summary: 'Rebuild a read model into a shadow table from position 1 and swap it in; poll the projection for progress',
      responses: { 202: json({ type: 'object', properties: { name: { type: 'string' }, state: { enum: ['rebuilding', 'live'] } } }, 'Started'), ...errors(401, 403, 404, 409) },
    },
  },
  '/api/v1/projections/{name}/verify': {
    parameters: [PROJECTION],
    post: { summary: 'Rebuild a read model into a shadow table and compare it row by row with the live one', responses: { 200: json('ProjectionVerdict'), ...errors(401, 403, 404, 409) } },
  },
  '/api/v1/gc': {
    post: {
      summary: 'Collect unreferenced blobs; the report says why each blob is kept or removed',
      parameters: [queryParam('dryRun', { type: 'boolean', default: false }, '`true` or `1`: report only')],
      responses: { 200: json('GcReport'), ...errors(401, 403) },
    },
  },
  '/api/v1/promotions': {
    post: {
      summary: 'Promote a version to another repository of the same format (ArtifactPromoted, no bytes copied); admins, or write on `to` and read on `from`',
      requestBody: jsonBody('Promote'),
      responses: { 201: json('Promotion', 'Promoted'), ...adminErrors },
    },
  },
  '/api/v1/exports/events': {
    get: {
      summary: 'Stream an export of the event log now, as JSONL or CSV (registry admins)',
      parameters: [
        queryParam('from', { type: 'integer', minimum: 1, default: 1 }),
        queryParam('to', { type: 'integer', minimum: 1 }, 'last position (default: the head when the export starts)'),
        queryParam('repository', { type: 'string' }),
        typeListParam,
        queryParam('format', { enum: ['jsonl', 'csv'], default: 'jsonl' }),
      ],
      responses: {
        200: {
          ...exportFile('The export, streamed'),
          headers: {
            ...exportFile('').headers,
            'X-Strata-Export-Range': { description: '`<from>-<to>`', schema: { type: 'string' } },
            'X-Strata-Export-Contiguous': { description: 'false when a filter leaves gaps in the positions', schema: { type: 'boolean' } },
          },
        },
        ...errors(400, 401, 403),
      },
    },
  },
  '/api/v1/exports': {
    get: { summary: 'List the background export jobs', responses: { 200: json('ExportJobList'), ...errors(401, 403) } },
    post: {
      summary: 'Start a background export job with the same filters as the streamed export',
      requestBody: jsonBody('ExportRequest', false),
      responses: { 202: { ...json('ExportJob', 'Queued'), headers: { Location: { schema: { type: 'string' } } } }, ...errors(400, 401, 403) },
    },
  },
  '/api/v1/exports/{id}': {
    parameters: [EXPORT_ID],
    get: { summary: "An export job's state and progress (with a download link once done)", responses: { 200: json('ExportJob'), ...errors(401, 403, 404) } },
  },
  '/api/v1/exports/{id}/download': {
    parameters: [EXPORT_ID],
    get: { summary: 'Download the file of a finished export job', responses: { 200: exportFile('The export file'), ...errors(401, 403, 404) } },
  },
  '/api/docs': {
    get: { summary: 'This OpenAPI document', ...open, responses: { 200: json({ type: 'object', description: 'OpenAPI 3.1' }) } },
  },
  '/healthz': { get: { summary: 'Liveness: the process serves HTTP', ...open, responses: { 200: json({ type: 'object', properties: { status: { const: 'ok' } } }, 'Serving') } } },
  '/readyz': {
    get: {
      summary: 'Readiness: SQL, the event store and the blob store answer and every projection is caught up',
      ...open,
      responses: {
        200: json('Readiness', 'Ready'),
        503: json('Readiness', 'Not ready; `checks` says what fails'),
      },
    },
  },
  '/metrics': { get: { summary: 'Prometheus metrics', ...open, responses: { 200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
};
