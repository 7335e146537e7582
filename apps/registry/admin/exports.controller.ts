import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { DomainError } from '../../../libs/domain/index.js';
import { principalOf } from '../../../libs/format-kit/index.js';
import type { ExportFilter, ExportFormat, ExportJobView } from '../../../libs/app/index.js';
import { RegistryServices } from '../registry-services.js';
import { AdminGuard } from './admin.guard.js';
import { parseBody } from './body.js';
import { intParam, listParam } from './query-params.js';

const CONTENT_TYPES: Record<ExportFormat, string> = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' };

const formatOf = (v: unknown): ExportFormat => {
  if (v === undefined || v === '' || v === 'jsonl') return 'jsonl';
  if (v === 'csv') return 'csv';
  throw new DomainError('BAD_REQUEST', 'format must be jsonl or csv');
};

const JobBody = z
  .object({
    from: z.number().int().min(1).optional(),
    to: z.number().int().min(1).optional(),
    repository: z.string().min(1).optional(),
    type: z.union([z.string(), z.array(z.string())]).optional(),
    format: z.enum(['jsonl', 'csv']).optional(),
  })
  .strict();

const withLink = (job: ExportJobView) => ({ ...job, ...(job.state === 'done' ? { download: `/api/v1/exports/${job.id}/download` } : {}) });

/**
 * Compliance exports (issue 8), registry admins only:
 * GET /api/v1/exports/events streams the log now; POST /api/v1/exports runs the same export as a
 * background job (GET /api/v1/exports/<id> for progress, .../download when done). The chain head
 * when the export started is in the `X-Strata-Chain-Head: <position> <hash>` header and, for
 * JSONL, in the first and last lines.
 */
@Controller('api/v1/exports')
@UseGuards(AdminGuard)
export class ExportsController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  @Get('events')
  async events(@Query() q: Record<string, string | string[] | undefined>, @Res() res: Response) {
    const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
    const format = formatOf(one(q.format));
    const filter: ExportFilter = {
      from: intParam(one(q.from), 'from', 1, Number.MAX_SAFE_INTEGER) || 1,
      ...(one(q.to) ? { to: intParam(one(q.to), 'to', 0, Number.MAX_SAFE_INTEGER) } : {}),
      ...(one(q.repository) ? { repository: one(q.repository) } : {}),
      ...(listParam(q.type) ? { types: listParam(q.type) } : {}),
    };
    const plan = await this.s.history.exporter.plan(filter);
    res.status(200).set({
      'content-type': CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="strata-events-${plan.from}-${plan.to}.${format}"`,
      'x-strata-chain-head': `${plan.chainHead.position} ${plan.chainHead.hash}`,
      'x-strata-export-range': `${plan.from}-${plan.to}`,
      'x-strata-export-contiguous': String(plan.contiguous),
    });
    // pipeline: backpressure from the socket throttles the batched reads; a client that goes away ends them
    await pipeline(this.s.history.exporter.stream(plan, format), res).catch(() => res.destroy());
  }

  @Post()
  async request(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const b = parseBody(JobBody, body);
    const types = listParam(b.type);
    const filter: ExportFilter = { ...(b.from ? { from: b.from } : {}), ...(b.to ? { to: b.to } : {}), ...(b.repository ? { repository: b.repository } : {}), ...(types ? { types } : {}) };
    const job = await this.s.history.exports.request(filter, b.format ?? 'jsonl', principalOf(req)?.id ?? 'anonymous');
    res.status(202).location(`/api/v1/exports/${job.id}`).json(withLink(job));
  }

  @Get()
  async list() {
    return { items: (await this.s.history.exports.list()).map(withLink) };
  }

  @Get(':id')
  async show(@Param('id') id: string) {
    return withLink(await this.s.history.exports.get(id));
  }

  @Get(':id/download')
  async download(@Param('id') id: string, @Res() res: Response) {
    const job = await this.s.history.exports.get(id);
    if (job.state !== 'done' || !job.sha256) throw new DomainError('NOT_FOUND', `export ${id} is ${job.state}, not ready`);
    const body = await this.s.infra.blobStore.get(job.sha256);
    res.status(200).set({
      'content-type': CONTENT_TYPES[job.format],
      'content-length': String(job.size),
      'content-disposition': `attachment; filename="strata-events-${job.progress.from}-${job.progress.to}.${job.format}"`,
      ...(job.chainHead ? { 'x-strata-chain-head': `${job.chainHead.position} ${job.chainHead.hash}` } : {}),
    });
    await pipeline(body, res).catch(() => res.destroy());
  }
}
