import request from 'supertest';
import { startTestRegistry, type TestRegistry } from '../../../test/support/test-registry.js';
import { openApiDocument } from './openapi.js';

/**
 * Keeps the hand-written OpenAPI document (openapi/ and openapi.ts) in step with the routes Nest
 * registers: every admin route is documented, every documented path is served, and the served
 * document has the structure of OpenAPI 3.x.
 */

type Obj = Record<string, any>;
interface RegisteredRoute { method: string; template: string; match(path: string): boolean }

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ADMIN_ROUTE = /^(\/api\/|\/(healthz|readyz|metrics)$)/;

/** Express 5 route syntax to an OpenAPI template: `:name` and `*rest` become `{name}` and `{rest}`. */
const toTemplate = (path: string) => path.replace(/[:*]([A-Za-z_$][\w$]*)/g, '{$1}');

/** Every route in the Express 5 router (Nest registers each handler as one route there). */
function registeredRoutes(r: TestRegistry): RegisteredRoute[] {
  const app = r.app.getHttpAdapter().getInstance();
  const stack: Obj[] = app.router.stack;
  return stack
    .filter((layer) => layer.route && typeof layer.route.path === 'string')
    .flatMap((layer) =>
      Object.keys(layer.route.methods)
        .filter((m) => m !== '_all')
        .map((method) => ({ method, template: toTemplate(layer.route.path), match: (path: string) => Boolean(layer.match(path)) })),
    );
}

const operationsOf = (doc: Obj) =>
  Object.entries(doc.paths as Obj).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ path, method, item: item as Obj, op: item[method] as Obj })));

/** How parseBody (./body.ts) words a key that a strict zod schema does not know. */
const UNKNOWN_KEY = /(^|; )body: Unrecognized key/;

/** A concrete URL for a template (`{x}` becomes `x`), to ask the router whether it serves it. */
const sample = (template: string) => template.replace(/\{([^}]+)\}/g, '$1');

/** Structural problems of an OpenAPI 3.x document (required keys, parameters, responses, references). */
function structuralProblems(doc: Obj): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, what: string) => void (ok || problems.push(what));
  need(typeof doc.openapi === 'string' && /^3\.\d+\.\d+$/.test(doc.openapi), 'openapi must be a 3.x.y version string');
  need(doc.info && typeof doc.info.title === 'string' && typeof doc.info.version === 'string', 'info needs title and version');
  need(doc.paths && typeof doc.paths === 'object', 'paths must be an object');
  const schemes = Object.keys(doc.components?.securitySchemes ?? {});
  const checkSecurity = (security: unknown, where: string) => {
    if (security === undefined) return;
    need(Array.isArray(security), `${where}: security must be an array`);
    for (const req of (security as Obj[]) ?? []) for (const name of Object.keys(req)) need(schemes.includes(name), `${where}: unknown security scheme ${name}`);
  };
  checkSecurity(doc.security, 'document');
  const shapes = new Map<string, string>();
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Obj)) {
    need(path.startsWith('/'), `${path}: paths start with /`);
    const shape = path.replace(/\{[^}]+\}/g, '{}');
    need(!shapes.has(shape), `${path}: same shape as ${shapes.get(shape)}`);
    shapes.set(shape, path);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const ops = METHODS.filter((m) => item[m]);
    need(ops.length > 0, `${path}: no operation`);
    for (const method of ops) {
      const op = item[method] as Obj;
      const where = `${method.toUpperCase()} ${path}`;
      need(typeof op.summary === 'string' && op.summary.trim().length > 0 && !op.summary.includes('\n'), `${where}: needs a one-line summary`);
      checkSecurity(op.security, where);
      const params: Obj[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      for (const p of params) {
        need(typeof p.name === 'string' && ['path', 'query', 'header', 'cookie'].includes(p.in), `${where}: a parameter needs name and in`);
        need(Boolean(p.schema) !== Boolean(p.content), `${where}: parameter ${p.name} needs schema or content`);
        if (p.in === 'path') need(p.required === true && templated.includes(p.name), `${where}: path parameter ${p.name} must be required and in the path`);
      }
      for (const name of templated) need(params.some((p) => p.in === 'path' && p.name === name), `${where}: {${name}} is not declared`);
      if (op.requestBody) need(op.requestBody.content && Object.keys(op.requestBody.content).length > 0, `${where}: requestBody needs content`);
      const responses = Object.entries((op.responses ?? {}) as Obj);
      need(responses.length > 0, `${where}: needs responses`);
      for (const [status, response] of responses) {
        need(/^([1-5](\d\d|XX)|default)$/.test(status), `${where}: bad response key ${status}`);
        need(typeof response.description === 'string' || typeof response.$ref === 'string', `${where} ${status}: a response needs a description`);
        for (const media of Object.values((response.content ?? {}) as Obj)) need(media && typeof media === 'object', `${where} ${status}: bad media type`);
      }
    }
  }
  // every local $ref resolves
  const resolve = (pointer: string) => pointer.slice(2).split('/').reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const ref = (node as Obj).$ref;
    if (typeof ref === 'string') need(ref.startsWith('#/') && resolve(ref) !== undefined, `unresolved $ref ${ref}`);
    Object.values(node as Obj).forEach(walk);
  };
  walk(doc);
  return problems;
}

describe('the admin API OpenAPI document (/api/docs)', () => {
  let r: TestRegistry;
  let routes: RegisteredRoute[];
  let served: Obj;
  beforeAll(async () => {
    r = await startTestRegistry();
    routes = registeredRoutes(r).filter((route) => ADMIN_ROUTE.test(route.template));
    served = (await request(r.http).get('/api/docs').expect(200).expect('content-type', /json/)).body;
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('reads the routes Nest registered (the check below is not vacuous)', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes).toContainEqual(expect.objectContaining({ method: 'post', template: '/api/v1/repositories/{name}/packages/{pkg}/versions/{version}/yank' }));
    expect(routes).toContainEqual(expect.objectContaining({ method: 'get', template: '/healthz' }));
  });

  it('documents every registered route under /api and /healthz, /readyz, /metrics', () => {
    const missing = routes.filter((route) => !served.paths[route.template]?.[route.method]).map((route) => `${route.method.toUpperCase()} ${route.template}`);
    expect(missing).toEqual([]);
  });

  it('documents no path that is not served (x-strata-route names the wildcard route that serves it)', () => {
    const unserved = operationsOf(served)
      .filter(({ path, method, item }) => {
        if (routes.some((route) => route.method === method && route.template === path)) return false;
        const via = item['x-strata-route'];
        return !routes.some((route) => route.method === method && route.template === via && route.match(sample(path)));
      })
      .map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(unserved).toEqual([]);
  });

  it('is an OpenAPI 3.x document in its structure', () => {
    expect(structuralProblems(served)).toEqual([]);
    expect(served).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
  });

  it('marks secrets writeOnly', () => {
    const s = served.components.schemas;
    expect(s.UpstreamInput.properties.auth.writeOnly).toBe(true);
    expect(s.UpstreamInput.properties.auth.oneOf[0].properties.password.writeOnly).toBe(true);
    expect(s.UpstreamInput.properties.auth.oneOf[1].properties.token.writeOnly).toBe(true);
    for (const [schema, field] of [['Login', 'password'], ['CreateUser', 'password'], ['ChangeUser', 'password'], ['Refresh', 'refreshToken']]) expect(s[schema].properties[field].writeOnly).toBe(true);
  });

  it('describes the repository config fields', () => {
    const props = served.components.schemas.RepositoryConfig.properties;
    for (const field of ['upstream', 'members', 'publishTo', 'confusionGuard', 'promotion', 'restoreWindowDays', 'legalHold', 'versionPolicy']) expect(props).toHaveProperty(field);
    expect(Object.keys(served.components.schemas.UpstreamInput.properties).sort()).toEqual(['allowPrivateNetwork', 'auth', 'metadataMaxAgeSeconds', 'notFoundCacheSeconds', 'url']);
  });

  /**
   * The controllers' zod schemas are strict: an unknown top-level key is refused as
   * `body: Unrecognized key`. Sending every documented field with a wrong value proves each one is
   * a field the controller knows (the answer is a 400 for the values, never for the keys).
   */
  it.each([
    ['post', '/api/v1/repositories'],
    ['patch', '/api/v1/repositories/probe'],
    ['post', '/api/v1/repositories/probe/packages/p/versions/1/yank'],
    ['post', '/api/v1/promotions'],
    ['post', '/api/v1/exports'],
    ['post', '/api/v1/users'],
    ['patch', '/api/v1/users/nobody'],
    ['post', '/api/v1/groups'],
    ['patch', '/api/v1/groups/nobody'],
    ['post', '/api/v1/permissions'],
    ['post', '/api/v1/tokens'],
    ['post', '/api/v1/auth/login'],
    ['post', '/api/v1/auth/refresh'],
  ])('every documented body field of %s %s is known to the controller', async (method, path) => {
    if (path.includes('/probe')) await request(r.http).post('/api/v1/repositories').set('authorization', `Bearer ${r.token}`).send({ name: 'probe', format: 'generic' }).expect((res) => expect([201, 409]).toContain(res.status));
    // the route Express dispatches to is the first that matches
    const route = routes.find((x) => x.method === method && x.match(path))!;
    const ref: string = served.paths[route.template][method].requestBody.content['application/json'].schema.$ref;
    const schema = served.components.schemas[ref.split('/').pop()!];
    const fields = Object.keys(schema.properties);
    expect(fields.length).toBeGreaterThan(0);
    const probe = Object.fromEntries(fields.map((f) => [f, { __probe: 1 }]));
    const res = await (request(r.http) as any)[method](path).set('authorization', `Bearer ${r.token}`).send(probe);
    expect(res.status).toBe(400);
    // the probe itself can see an unknown key
    const bogus = await (request(r.http) as any)[method](path).set('authorization', `Bearer ${r.token}`).send({ ...probe, notAField: 1 });
    expect(bogus.body.detail).toMatch(UNKNOWN_KEY);
    expect(res.body.detail).not.toMatch(UNKNOWN_KEY);
  });
});
