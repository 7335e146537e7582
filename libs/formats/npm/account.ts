import { DomainError } from '../../domain/index.js';
import { principalOf } from '../../format-kit/index.js';
import { isObject, readJsonBody, SMALL_BODY } from './json-body.js';
import { metadataOf, sendJson, type NpmContext } from './npm-context.js';

/**
 * GET /-/whoami: `npm whoami`, the user behind the token.
 * https://github.com/npm/cli/blob/latest/lib/utils/get-identity.js
 */
export function whoami(ctx: NpmContext): void {
  const principal = principalOf(ctx.req);
  if (!principal) throw new DomainError('UNAUTHORIZED', 'not logged in: this request carried no token');
  sendJson(ctx, 200, { username: principal.userId ?? principal.id });
}

/** GET /-/ping: `npm ping`. https://github.com/npm/cli/blob/latest/lib/utils/ping.js */
export function ping(ctx: NpmContext): void {
  sendJson(ctx, 200, {});
}

/**
 * GET /-/user/org.couchdb.user:<name>: `npm owner add` checks that the user exists. Only for
 * signed-in callers, so that anonymous clients cannot enumerate accounts. No profile data is kept.
 */
export async function getUser(ctx: NpmContext, user: string): Promise<void> {
  if (!principalOf(ctx.req)) throw new DomainError('UNAUTHORIZED', 'log in first: this endpoint needs a token');
  if (!(await ctx.services.identity.userExists(user))) throw new DomainError('NOT_FOUND', `user "${user}" does not exist`);
  sendJson(ctx, 200, { _id: `org.couchdb.user:${user}`, name: user, email: '' });
}

/**
 * PUT /-/user/org.couchdb.user:<name>: `npm login --auth-type=legacy` (and `npm adduser`) send the
 * user name and password; a valid pair gets a new API token. Accounts are not created here:
 * that is an administrator's job, so an unknown user is a 401 like a wrong password.
 * https://github.com/npm/cli/blob/latest/node_modules/npm-profile/lib/index.js (loginCouch)
 */
export async function loginUser(ctx: NpmContext, user: string): Promise<void> {
  const body = await readJsonBody(ctx.req, SMALL_BODY);
  if (!isObject(body) || typeof body.password !== 'string' || !body.password) throw new DomainError('BAD_REQUEST', 'a password is required');
  if (body.name !== undefined && body.name !== user) throw new DomainError('BAD_REQUEST', `the body names "${String(body.name)}" but the URL names "${user}"`);
  const metadata = metadataOf(ctx);
  const address = ctx.req.ip ?? ctx.req.socket.remoteAddress ?? '';
  const userId = await ctx.services.identity.verifyPassword(user, body.password, address, metadata);
  const { secret } = await ctx.services.identity.mintToken(userId, { name: 'npm login' }, { ...metadata, actor: userId, authMethod: 'password' });
  sendJson(ctx, 201, { ok: true, id: `org.couchdb.user:${user}`, rev: '_we_dont_use_revs_any_more', token: secret });
}

/**
 * POST /-/npm/v1/security/advisories/bulk and /-/npm/v1/security/audits/quick: Strata keeps no
 * advisory database, so the answer is "no advisories" and `npm install` / `npm audit` go on.
 * https://github.com/npm/registry/blob/main/docs/audit.md
 */
export function noAdvisories(ctx: NpmContext): void {
  sendJson(ctx, 200, {});
}
