import { DomainError } from '../../domain/index.js';
import { readJsonBody, SMALL_BODY } from './json-body.js';
import { authorizeFor, metadataOf, requireHosted, sendJson, targetOf, type NpmContext } from './npm-context.js';
import { assertDistTag, assertPackageName } from './npm-names.js';

/**
 * PUT /-/package/<name>/dist-tags/<tag>: `npm dist-tag add <name>@<version> <tag>`; the body is
 * the version as a JSON string. https://github.com/npm/cli/blob/latest/lib/commands/dist-tag.js
 */
export async function setDistTag(ctx: NpmContext, name: string, tag: string): Promise<void> {
  assertPackageName(name);
  authorizeFor(ctx, 'write', name);
  requireHosted(ctx.repository);
  assertDistTag(tag);
  const version = await readJsonBody(ctx.req, SMALL_BODY);
  if (typeof version !== 'string' || !version) throw new DomainError('BAD_REQUEST', 'the body must be the version, as a JSON string');
  await ctx.services.setTag(targetOf(ctx, name), tag, version, metadataOf(ctx));
  sendJson(ctx, 201, { ok: true, id: name, [tag]: version });
}

/**
 * DELETE /-/package/<name>/dist-tags/<tag>: `npm dist-tag rm <name> <tag>`; `latest` stays (the
 * public registry refuses to remove it too). https://github.com/npm/cli/blob/latest/lib/commands/dist-tag.js
 */
export async function removeDistTag(ctx: NpmContext, name: string, tag: string): Promise<void> {
  assertPackageName(name);
  authorizeFor(ctx, 'write', name);
  requireHosted(ctx.repository);
  await ctx.services.removeTag(targetOf(ctx, name), tag, metadataOf(ctx), ['latest']);
  sendJson(ctx, 200, { ok: true, id: name });
}
