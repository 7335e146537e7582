import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { authorize } from '../../../../libs/auth/index.js';
import { ACTIONS, DomainError, type Action } from '../../../../libs/domain/index.js';
import { eventMetadata, principalOf } from '../../../../libs/format-kit/index.js';
import { RegistryServices } from '../../registry-services.js';
import { AdminGuard } from '../admin.guard.js';
import { parseBody } from '../body.js';

const GrantBody = z
  .object({
    subject: z.object({ type: z.enum(['user', 'group']), id: z.string() }).strict(),
    actions: z.array(z.enum(ACTIONS as [Action, ...Action[]])).min(1),
    pattern: z.string().min(1).max(200).optional(),
  })
  .strict();

async function grantFor(s: RegistryServices, repository: string, body: unknown, req: Request, res: Response) {
  const input = parseBody(GrantBody, body);
  const { queries } = s.identity;
  const known = input.subject.type === 'user' ? await queries.userExists(input.subject.id) : (await queries.groups()).some((g) => g.name === input.subject.id);
  if (!known) throw new DomainError('BAD_REQUEST', `${input.subject.type} "${input.subject.id}" does not exist`);
  const grantId = await s.identity.commands.grant(repository, input.subject, input.actions, input.pattern, eventMetadata(req));
  res.status(201).json((await queries.grants(repository)).find((g) => g.grantId === grantId));
}

/** Grants on one repository: /api/v1/repositories/<name>/permissions (the repository's admins). */
@Controller('api/v1/repositories/:name/permissions')
export class RepositoryPermissionsController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  private async assertAdmin(req: Request, name: string) {
    authorize(principalOf(req), await this.s.repositories.get(name), 'admin');
  }

  @Get()
  async list(@Param('name') name: string, @Req() req: Request) {
    await this.assertAdmin(req, name);
    return { items: await this.s.identity.queries.grants(name) };
  }

  @Post()
  async grant(@Param('name') name: string, @Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    await this.assertAdmin(req, name);
    await grantFor(this.s, name, body, req, res);
  }

  @Delete(':grantId')
  @HttpCode(204)
  async revoke(@Param('name') name: string, @Param('grantId') grantId: string, @Req() req: Request) {
    await this.assertAdmin(req, name);
    await this.s.identity.commands.revoke(name, grantId, eventMetadata(req));
  }
}

/** Grants on every repository: /api/v1/permissions (registry admins). */
@Controller('api/v1/permissions')
@UseGuards(AdminGuard)
export class GlobalPermissionsController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  @Get()
  async list() {
    return { items: await this.s.identity.queries.grants('*') };
  }

  @Post()
  async grant(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    await grantFor(this.s, '*', body, req, res);
  }

  @Delete(':grantId')
  @HttpCode(204)
  async revoke(@Param('grantId') grantId: string, @Req() req: Request) {
    await this.s.identity.commands.revoke('*', grantId, eventMetadata(req));
  }
}
