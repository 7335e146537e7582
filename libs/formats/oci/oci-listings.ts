import type { Request, Response } from 'express';
import { canSee, type Principal } from '../../auth/index.js';
import { DomainError, type RepositoryConfig } from '../../domain/index.js';
import { projectionTable, type SqlExecutor } from '../../ports/index.js';
import { authorizeOci, type OciContext } from './oci-context.js';
import { MEDIA } from './oci-manifest.js';
import { OCI, parseDigest } from './oci-names.js';
import type { OciQueries } from './oci-queries.js';

const REPOSITORIES = projectionTable({ name: 'repositories', version: 1 });
const MAX_PAGE = 10_000;

function page(req: Request): { n?: number; last?: string } {
  const q = req.query as Record<string, string | undefined>;
  const n = q.n === undefined || q.n === '' ? undefined : Number(q.n);
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new DomainError('BAD_REQUEST', 'n must be a non-negative integer', { oci: 'PAGINATION_NUMBER_INVALID' });
  return { n: n === undefined ? undefined : Math.min(n, MAX_PAGE), last: typeof q.last === 'string' && q.last !== '' ? q.last : undefined };
}

const nextLink = (path: string, n: number, last: string) => `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`;

/** GET /v2/<name>/tags/list?n=&last=: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags */
export async function listTags(ctx: OciContext): Promise<void> {
  authorizeOci(ctx, 'read');
  const { n, last } = page(ctx.req);
  const tags = n === 0 ? [] : await ctx.queries.tags(ctx.repository.name, ctx.name, n, last);
  if (tags.length === 0 && !last && !(await ctx.queries.nameExists(ctx.repository.name, ctx.name))) {
    throw new DomainError('NOT_FOUND', `repository ${ctx.repository.name}/${ctx.name} not known`, { oci: 'NAME_UNKNOWN' });
  }
  if (n && tags.length === n) ctx.res.set('link', nextLink(`/v2/${ctx.repository.name}/${ctx.name}/tags/list`, n, tags[tags.length - 1]));
  ctx.res.status(200).json({ name: `${ctx.repository.name}/${ctx.name}`, tags });
}

/** GET /v2/_catalog?n=&last=: image names in the OCI repositories the caller may read (distribution's catalog API). */
export async function listCatalog(req: Request, res: Response, principal: Principal | null, sql: SqlExecutor, queries: OciQueries): Promise<void> {
  const { n, last } = page(req);
  const rows = (await sql.query<{ name: string; config: RepositoryConfig }>(`SELECT name, config FROM ${REPOSITORIES} WHERE format = $1`, [OCI])).rows;
  const visible = rows.filter((r) => canSee(principal, r)).map((r) => r.name);
  const names = n === 0 ? [] : await queries.catalog(visible, n, last);
  if (n && names.length === n) res.set('link', nextLink('/v2/_catalog', n, names[names.length - 1]));
  res.status(200).json({ repositories: names });
}

/** GET /v2/<name>/referrers/<digest>?artifactType=: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers */
export async function listReferrers(ctx: OciContext, digestParam: string): Promise<void> {
  authorizeOci(ctx, 'read');
  const digest = parseDigest(digestParam);
  const artifactType = typeof ctx.req.query.artifactType === 'string' ? ctx.req.query.artifactType : undefined;
  const rows = await ctx.queries.referrers(ctx.repository.name, ctx.name, digest, artifactType);
  if (artifactType) ctx.res.set('oci-filters-applied', 'artifactType');
  const manifests = rows.map((r) => ({
    mediaType: r.media_type,
    digest: r.digest,
    size: Number(r.size),
    ...(r.artifact_type ? { artifactType: r.artifact_type } : {}),
    ...(r.annotations ? { annotations: r.annotations } : {}),
  }));
  ctx.res.status(200).type(MEDIA.ociIndex).send(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
}
