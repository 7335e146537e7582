import { Body, Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { authorize } from '../../../libs/auth/index.js';
import { eventMetadata, principalOf } from '../../../libs/format-kit/index.js';
import { RegistryServices } from '../registry-services.js';
import { parseBody } from './body.js';

const PromoteBody = z
  .object({
    from: z.string().min(1),
    to: z.string().min(1),
    name: z.string().min(1).max(1000),
    version: z.string().max(1000),
    /** tags to set in the target; default: the source's tags that point at the version */
    tags: z.array(z.string()).max(20).optional(),
  })
  .strict();

/** Promotions between repositories of one format: /api/v1/promotions. */
@Controller('api/v1/promotions')
export class PromotionsController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  /**
   * POST /api/v1/promotions {from, to, name, version[, tags]}: one ArtifactPromoted event on the
   * target's artifact stream, no bytes copied. Admins, or write on `to` and read on `from`.
   */
  @Post()
  async promote(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const input = parseBody(PromoteBody, body);
    const principal = principalOf(req);
    const to = await this.s.repositories.get(input.to);
    authorize(principal, to, 'write', input.name);
    const from = await this.s.repositories.get(input.from);
    authorize(principal, from, 'read', input.name);
    const { position, tags } = await this.s.history.promotions.promote({ from, to, name: input.name, version: input.version, tags: input.tags }, eventMetadata(req));
    res.status(201).json({ from: from.name, to: to.name, format: to.format, name: input.name, version: input.version, tags, position });
  }
}
