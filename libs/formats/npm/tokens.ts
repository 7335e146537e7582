import { assertCidrs } from '../../auth/index.js';
import { DomainError } from '../../domain/index.js';
import { isObject, readJsonBody, SMALL_BODY } from './json-body.js';
import { metadataOf, requireUser, sendJson, type NpmContext } from './npm-context.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * npm's token objects. `key` is Strata's token id; `token` would be the start of the secret on the
 * public registry, but Strata keeps only hashes, so it shows the id too (revoke by id).
 */
function tokenObject(t: { tokenId: string; name: string; readOnly: boolean; cidrs: string[] | null; createdAt: string; expiresAt: string | null }) {
  return { token: t.tokenId, key: t.tokenId, name: t.name, readonly: t.readOnly, cidr_whitelist: t.cidrs, created: t.createdAt, updated: t.createdAt, expires: t.expiresAt };
}

/**
 * GET /-/npm/v1/tokens: `npm token list`, the caller's live API tokens.
 * https://github.com/npm/cli/blob/latest/lib/commands/token.js
 */
export async function listTokens(ctx: NpmContext): Promise<void> {
  const userId = requireUser(ctx);
  const live = (await ctx.services.identity.tokens(userId)).filter((t) => !t.revokedAt && !(t.expiresAt && Date.parse(t.expiresAt) <= Date.now()));
  sendJson(ctx, 200, { objects: live.map(tokenObject), total: live.length, urls: {} });
}

/**
 * POST /-/npm/v1/tokens: `npm token create --password=...`; the password is checked again, as on
 * the public registry. Accepts `name`, `readonly`, `cidr_whitelist` and `expires` (days).
 */
export async function createToken(ctx: NpmContext): Promise<void> {
  const userId = requireUser(ctx);
  const body = await readJsonBody(ctx.req, SMALL_BODY);
  if (!isObject(body) || typeof body.password !== 'string' || !body.password) throw new DomainError('BAD_REQUEST', 'creating a token needs your password');
  const cidrs = body.cidr_whitelist;
  if (cidrs !== undefined && cidrs !== null) assertCidrs(cidrs);
  const days = body.expires;
  if (days !== undefined && days !== null && !(Number.isInteger(days) && (days as number) > 0)) throw new DomainError('BAD_REQUEST', 'expires must be a number of days');
  const name = typeof body.name === 'string' && body.name ? body.name.slice(0, 100) : 'npm token create';
  const metadata = metadataOf(ctx);
  await ctx.services.identity.verifyPassword(userId, body.password, ctx.req.ip ?? ctx.req.socket.remoteAddress ?? '', metadata);
  const options = {
    name,
    readOnly: body.readonly === true,
    cidrs: Array.isArray(cidrs) && cidrs.length > 0 ? (cidrs as string[]) : null,
    expiresAt: typeof days === 'number' ? new Date(Date.now() + days * DAY_MS).toISOString() : null,
  };
  const { tokenId, secret } = await ctx.services.identity.mintToken(userId, options, metadata);
  const created = new Date().toISOString();
  sendJson(ctx, 201, { ...tokenObject({ tokenId, name, readOnly: options.readOnly, cidrs: options.cidrs, createdAt: created, expiresAt: options.expiresAt }), cidr_whitelist: options.cidrs ?? [], token: secret });
}

/**
 * DELETE /-/npm/v1/tokens/token/<key>: `npm token revoke <id>`; only the caller's own tokens.
 * https://github.com/npm/cli/blob/latest/lib/commands/token.js
 */
export async function revokeToken(ctx: NpmContext, key: string): Promise<void> {
  const userId = requireUser(ctx);
  await ctx.services.identity.revokeToken(userId, key, metadataOf(ctx));
  ctx.res.status(204).end();
}
