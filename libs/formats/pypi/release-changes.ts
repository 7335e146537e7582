import type { Request } from 'express';
import { DomainError } from '../../domain/index.js';
import { eventMetadata, readSmallBody } from '../../format-kit/index.js';
import { authorizeFor, requireHosted, type PypiContext } from './pypi-context.js';
import { sameVersion } from './pypi-names.js';
import { PYPI } from './pypi-state.js';

const SMALL_BODY = 64 * 1024;

/** A small optional JSON object body (`{}` when empty). */
async function readSmallJson(req: Request): Promise<Record<string, unknown>> {
  const text = (await readSmallBody(req, SMALL_BODY)).toString('utf8').trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError('BAD_REQUEST', 'the body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new DomainError('BAD_REQUEST', 'the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** The release a URL names: the stored version PEP 440-equal to it (`1.0` finds `1.0.0`). */
async function release(ctx: PypiContext, project: string, version: string): Promise<string> {
  const releases = await ctx.queries.releases(ctx.repository.name, project);
  const found = releases.find((v) => v === version) ?? releases.find((v) => sameVersion(v, version));
  if (!found) throw new DomainError('NOT_FOUND', `${project} has no release ${version}`);
  return found;
}

/**
 * POST /pypi/<repo>/<project>/<version>/yank with `{"reason": "..."}` (optional) yanks a release;
 * DELETE on the same URL takes the yank back. Yanked files stay listed with `data-yanked` /
 * `"yanked"` (https://peps.python.org/pep-0592/), so installers skip them unless pinned exactly.
 * Like PyPI's own yank, it needs the right to delete.
 */
export async function yankRelease(ctx: PypiContext, project: string, version: string, yanked: boolean): Promise<void> {
  authorizeFor(ctx, 'delete', project);
  requireHosted(ctx.repository);
  const body = await readSmallJson(ctx.req);
  if (body.reason !== undefined && typeof body.reason !== 'string') throw new DomainError('BAD_REQUEST', 'reason must be a string');
  const target = await release(ctx, project, version);
  const reason = yanked ? (body.reason as string | undefined)?.trim() || undefined : undefined;
  await ctx.services.yank({ repository: ctx.repository.name, format: PYPI, name: project }, target, yanked, reason, eventMetadata(ctx.req));
  ctx.res.status(200).json({ project, version: target, yanked, ...(reason ? { reason } : {}) });
}

/** DELETE /pypi/<repo>/<project>/<version>/: deletes a release with all its files (their names stay used). */
export async function deleteRelease(ctx: PypiContext, project: string, version: string): Promise<void> {
  authorizeFor(ctx, 'delete', project);
  requireHosted(ctx.repository);
  const target = await release(ctx, project, version);
  await ctx.services.deleteArtifact(ctx.repository.name, PYPI, project, target, eventMetadata(ctx.req));
  ctx.res.status(204).end();
}
