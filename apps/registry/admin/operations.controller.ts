import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { eventMetadata } from '../../../libs/format-kit/index.js';
import { RegistryServices } from '../registry-services.js';
import { AdminGuard } from './admin.guard.js';

/** Projections and blob GC: /api/v1/projections, /api/v1/gc. */
@Controller('api/v1')
@UseGuards(AdminGuard)
export class OperationsController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  @Get('projections')
  async projections() {
    return { items: await this.s.runner.status() };
  }

  @Get('projections/:name')
  async projection(@Param('name') name: string) {
    this.s.runner.get(name);
    return (await this.s.runner.status()).find((p) => p.name === name);
  }

  /** Starts a rebuild (into a shadow table, swapped in when caught up); poll the projection for progress. */
  @Post('projections/:name/rebuild')
  @HttpCode(202)
  async rebuild(@Param('name') name: string) {
    this.s.runner.get(name);
    const started = this.s.runner.rebuild(name);
    started.catch((err) => this.s.logger.error({ err, projection: name }, 'projection rebuild failed'));
    // surface an immediate refusal (a rebuild already running) as an error, not a 202
    await Promise.race([started, new Promise((r) => setTimeout(r, 20))]);
    return { name, state: this.s.runner.isRebuilding(name) ? 'rebuilding' : 'live' };
  }

  @Post('projections/:name/verify')
  @HttpCode(200)
  verify(@Param('name') name: string) {
    return this.s.runner.verify(name);
  }

  @Post('gc')
  @HttpCode(200)
  gc(@Query('dryRun') dryRun: string | undefined, @Req() req: Request) {
    return this.s.gc.run(dryRun === 'true' || dryRun === '1', eventMetadata(req));
  }
}
