import { All, Controller, Inject, Req, Res, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { authorize } from '../../auth/index.js';
import { DomainError, isDomainError } from '../../domain/index.js';
import { FORMAT_SERVICES, rawPathAfter, type FormatServices } from '../../format-kit/index.js';
import { getBlob, deleteBlob } from './oci-blobs.js';
import { OciGarbageCollector, repositoriesWithOciPolicy } from './oci-gc.js';
import { bearerChallenge, resolvePrincipal, scopeActions, serviceName, type OciContext } from './oci-context.js';
import { listCatalog, listReferrers, listTags } from './oci-listings.js';
import { deleteManifest, getManifest, putManifest } from './oci-manifests.js';
import { assertImageName, OCI } from './oci-names.js';
import { OciQueries } from './oci-queries.js';
import { answerRemoteOrVirtual, isVirtualWrite } from './oci-proxy-routes.js';
import { parseOciRoute, type OciRoute } from './oci-route.js';
import { issueToken } from './oci-token.js';
import { cancelUpload, finishUpload, startUpload, uploadChunk, uploadStatus } from './oci-uploads.js';
import { pushThroughVirtual } from './oci-virtual.js';

const SWEEP_EVERY_MS = 15 * 60_000;
const UPLOAD_TTL_MS = Number(process.env.STRATA_OCI_UPLOAD_TTL_SECONDS ?? 24 * 3600) * 1000;
const GC_EVERY_MS = Number(process.env.STRATA_OCI_GC_INTERVAL_SECONDS ?? 3600) * 1000;
const SYSTEM = { actor: 'system', authMethod: 'system', correlationId: 'scheduled-oci-gc' };

/**
 * OCI distribution spec v1.1 at `/v2/`, where the first segment of an image name is the Strata
 * repository: `/v2/<repo>/<name...>/{manifests,blobs,tags,referrers}/...`.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 * `parseOciRoute` names the operation; every handler links the spec section it implements.
 */
@Controller('v2')
export class OciController implements OnModuleDestroy {
  private readonly queries: OciQueries;
  private readonly sweeper: NodeJS.Timeout;
  private readonly collector: NodeJS.Timeout;

  constructor(@Inject(FORMAT_SERVICES) private readonly services: FormatServices) {
    this.queries = new OciQueries(services.sql);
    this.sweeper = setInterval(() => void this.expireUploads().catch(() => undefined), SWEEP_EVERY_MS).unref();
    this.collector = setInterval(() => void this.collectUntagged().catch(() => undefined), GC_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    clearInterval(this.collector);
  }

  /**
   * Online GC, every STRATA_OCI_GC_INTERVAL_SECONDS (default an hour): untagged manifests past the
   * grace period of each repository with an `oci` policy (the blob GC frees their blobs later).
   * Several nodes may race on one manifest: the loser's delete is a NOT_FOUND the GC tolerates.
   */
  async collectUntagged(): Promise<number> {
    let removed = 0;
    for (const name of await repositoriesWithOciPolicy(this.services)) removed += (await new OciGarbageCollector(this.services).run(name, false, SYSTEM)).removedManifests;
    return removed;
  }

  /** Upload sessions idle longer than STRATA_OCI_UPLOAD_TTL_SECONDS (default a day) expire with their bytes. */
  async expireUploads(ttlMs = UPLOAD_TTL_MS): Promise<number> {
    const ids = await this.queries.expireSessions(ttlMs);
    for (const id of ids) await this.services.uploads.abortStaged(id);
    return ids.length;
  }

  @All(['', '*path'])
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.set('docker-distribution-api-version', 'registry/2.0');
    const route = parseOciRoute(rawPathAfter(req, '/v2/'));
    try {
      if (!route) throw new DomainError('NOT_FOUND', `no OCI endpoint ${req.method} ${req.path}`, { oci: 'NAME_INVALID' });
      const principal = await resolvePrincipal(req, this.services);
      await this.dispatch(req, res, route, principal);
    } catch (e) {
      throw this.withChallenge(e, req, route);
    }
  }

  /** A 401 carries the token challenge, scoped to the image name the request is about. */
  private withChallenge(e: unknown, req: Request, route: OciRoute | undefined): unknown {
    if (!isDomainError(e) || e.code !== 'UNAUTHORIZED') return e;
    const scope = route && 'repo' in route ? `repository:${route.repo}/${route.name}:${scopeActions(req.method)}` : undefined;
    const challenge = bearerChallenge(this.services.baseUrl(req), serviceName(req), scope);
    return new DomainError('UNAUTHORIZED', e.message, { ...(e.detail ?? {}), headers: { 'www-authenticate': challenge } });
  }

  private async dispatch(req: Request, res: Response, route: OciRoute, principal: Awaited<ReturnType<typeof resolvePrincipal>>): Promise<void> {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    switch (route.op) {
      case 'base':
        // https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support : 401 tells clients how to sign in
        if (!principal) throw new DomainError('UNAUTHORIZED', 'authentication required');
        res.status(200).json({});
        return;
      case 'token':
        if (method !== 'GET') break;
        return issueToken(req, res, this.services, principal);
      case 'catalog':
        if (method !== 'GET') break;
        return listCatalog(req, res, principal, this.services.sql, this.queries);
    }
    if (!('repo' in route)) throw new DomainError('METHOD_NOT_ALLOWED', `${req.method} is not supported here`);
    assertImageName(route.name);
    const repository = await this.services.repository(route.repo, OCI).catch((e: unknown) => {
      if (isDomainError(e) && (e.code === 'REPOSITORY_NOT_FOUND' || e.code === 'WRONG_FORMAT')) throw new DomainError('NOT_FOUND', `repository ${route.repo} not known`, { oci: 'NAME_UNKNOWN' });
      throw e;
    });
    let ctx: OciContext = { req, res, services: this.services, queries: this.queries, repository, name: route.name, principal };
    if (isVirtualWrite(ctx, route, method)) ctx = await pushThroughVirtual(ctx);
    else if (await answerRemoteOrVirtual(ctx, route, method)) return;
    const key = `${route.op} ${method}`;
    switch (key) {
      case 'manifest GET':
        return getManifest(ctx, (route as { reference: string }).reference);
      case 'manifest PUT':
        return putManifest(ctx, (route as { reference: string }).reference);
      case 'manifest DELETE':
        return deleteManifest(ctx, (route as { reference: string }).reference);
      case 'blob GET':
        return getBlob(ctx, (route as { digest: string }).digest);
      case 'blob DELETE':
        return deleteBlob(ctx, (route as { digest: string }).digest);
      case 'uploads POST':
        return startUpload(ctx, (from, digest) => this.mountable(ctx, from, digest));
      case 'upload PATCH':
        return uploadChunk(ctx, (route as { id: string }).id);
      case 'upload GET':
        return uploadStatus(ctx, (route as { id: string }).id);
      case 'upload PUT':
        return finishUpload(ctx, (route as { id: string }).id);
      case 'upload DELETE':
        return cancelUpload(ctx, (route as { id: string }).id);
      case 'tags GET':
        return listTags(ctx);
      case 'referrers GET':
        return listReferrers(ctx, (route as { digest: string }).digest);
    }
    throw new DomainError('METHOD_NOT_ALLOWED', `${req.method} is not supported on ${route.op}`);
  }

  /** A blob of `from` (`<repo>/<name>`) the caller may read, to mount (link) into the target. */
  private async mountable(ctx: OciContext, from: string, digest: string): Promise<{ sha256: string; size: number } | undefined> {
    const slash = from.indexOf('/');
    if (slash <= 0) return undefined;
    const repository = await this.services.repository(from.slice(0, slash), OCI).catch(() => undefined);
    if (!repository) return undefined;
    try {
      authorize(ctx.principal, repository, 'read', from.slice(slash + 1));
    } catch {
      return undefined;
    }
    const blob = await this.queries.blob(repository.name, from.slice(slash + 1), digest);
    return blob && (await this.services.blobs.stat(blob.sha256)) ? blob : undefined;
  }
}
