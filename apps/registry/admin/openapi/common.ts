/** Building blocks of the admin API's OpenAPI document (assembled in ../openapi.ts). */

export type Json = Record<string, unknown>;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** RFC 9457 problem details: every admin API error. */
export const problem = { description: 'RFC 9457 problem', content: { 'application/problem+json': { schema: ref('Problem') } } };

/** Error answers by status; pick the ones a route can give. */
export const errors = (...statuses: number[]): Json => Object.fromEntries(statuses.map((s) => [s, problem]));

/** The usual failures of an authenticated admin route (bad input, no or wrong credential, no permission, missing, conflict). */
export const adminErrors = errors(400, 401, 403, 404, 409);

/** A JSON answer: a schema name, or an inline schema. */
export const json = (schema: string | Json, description = 'OK') => ({ description, content: { 'application/json': { schema: typeof schema === 'string' ? ref(schema) : schema } } });

export const jsonBody = (schema: string | Json, required = true) => ({ required, content: { 'application/json': { schema: typeof schema === 'string' ? ref(schema) : schema } } });

export const noContent = { 204: { description: 'Done; no body' } };

export const pathParam = (name: string, description?: string) => ({ name, in: 'path', required: true, ...(description ? { description } : {}), schema: { type: 'string' } });

export const queryParam = (name: string, schema: Json, description?: string) => ({ name, in: 'query', required: false, ...(description ? { description } : {}), schema });

/** `?type=a,b` or repeated `?type=a&type=b`. */
export const typeListParam = queryParam('type', { type: 'array', items: { type: 'string' } }, 'event types, comma-separated or repeated');

/** Routes that need no credential (health, sign-in); the document's default is a Bearer token. */
export const open = { security: [] as never[] };

/** Routes that also accept no credential, and then act as the anonymous user. */
export const optionalAuth = { security: [{ bearer: [] }, {}] };

export const redirect = (description: string) => ({ description, headers: { Location: { schema: { type: 'string', format: 'uri' } } } });

export const NAME = pathParam('name', 'repository name');
