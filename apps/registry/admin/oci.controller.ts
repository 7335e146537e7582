import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { authorize } from '../../../libs/auth/index.js';
import { eventMetadata, FORMAT_SERVICES, principalOf, type FormatServices } from '../../../libs/format-kit/index.js';
import { OciGarbageCollector, OciQueries } from '../../../libs/formats/oci/index.js';
import { RegistryServices } from '../registry-services.js';
import { AdminGuard } from './admin.guard.js';

/**
 * OCI repositories in the admin API: the online GC of untagged manifests (per repository policy
 * `oci.untaggedGraceSeconds`) and the listing of Helm charts pushed as OCI artifacts.
 */
@Controller('api/v1/repositories/:name')
export class OciAdminController {
  private readonly collector: OciGarbageCollector;
  private readonly queries: OciQueries;

  constructor(
    @Inject(RegistryServices) private readonly s: RegistryServices,
    @Inject(FORMAT_SERVICES) private readonly formats: FormatServices,
  ) {
    this.collector = new OciGarbageCollector(formats);
    this.queries = new OciQueries(formats.sql);
  }

  /**
   * POST /api/v1/repositories/<repo>/oci/gc?dryRun=true: each manifest and each blob it references,
   * kept or removed and why. A real run deletes the untagged manifests past the grace period
   * (ArtifactDeleted events), then runs the blob GC, whose report comes back as `blobGc`.
   */
  @Post('oci/gc')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  async gc(@Param('name') name: string, @Query('dryRun') dryRun: string | undefined, @Req() req: Request) {
    const dry = dryRun === 'true' || dryRun === '1';
    const metadata = eventMetadata(req);
    const report = await this.collector.run(name, dry, metadata);
    if (dry) return report;
    const blobGc = await this.s.gc.run(false, metadata);
    return { ...report, blobGc: { scanned: blobGc.scanned, removed: blobGc.removed, bytesFreed: blobGc.bytesFreed } };
  }

  /**
   * GET /api/v1/repositories/<repo>/charts: Helm charts pushed as OCI artifacts (config
   * `application/vnd.cncf.helm.config.v1+json`), with the metadata of their Chart.yaml, the tags
   * on each and the reference Helm pulls (`oci://<host>/<repo>/<name>`). Needs read on the repository.
   */
  @Get('charts')
  async charts(@Param('name') name: string, @Req() req: Request) {
    const repository = await this.formats.repository(name, 'oci');
    // anonymous callers need anonymous read (401 otherwise); a grant limited to name patterns sees the charts it covers
    if (!principalOf(req)) authorize(null, repository, 'read');
    const host = new URL(this.formats.baseUrl(req)).host;
    const rows = await this.queries.charts(repository.name);
    const visible = rows.filter((r) => {
      try {
        authorize(principalOf(req), repository, 'read', r.name);
        return true;
      } catch {
        return false;
      }
    });
    return {
      items: visible.map((r) => ({
        name: r.chart.name ?? r.name,
        version: r.chart.version ?? null,
        appVersion: r.chart.appVersion ?? null,
        description: r.chart.description ?? null,
        image: `${repository.name}/${r.name}`,
        digest: r.digest,
        tags: r.tags,
        pushedAt: new Date(r.pushed_at).toISOString(),
        reference: `oci://${host}/${repository.name}/${r.name}`,
      })),
    };
  }
}
