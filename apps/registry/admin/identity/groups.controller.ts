import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { DomainError } from '../../../../libs/domain/index.js';
import { eventMetadata } from '../../../../libs/format-kit/index.js';
import { RegistryServices } from '../../registry-services.js';
import { AdminGuard } from '../admin.guard.js';
import { parseBody } from '../body.js';

const CreateGroup = z.object({ name: z.string(), members: z.array(z.string()).max(1000).default([]) }).strict();
const ChangeGroup = z.object({ add: z.array(z.string()).max(1000).default([]), remove: z.array(z.string()).max(1000).default([]) }).strict();

/** Groups: /api/v1/groups (registry admins only). Membership changes are GroupChanged events. */
@Controller('api/v1/groups')
@UseGuards(AdminGuard)
export class GroupsController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  @Post()
  async create(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const input = parseBody(CreateGroup, body);
    await this.assertUsers(input.members);
    const meta = eventMetadata(req);
    await this.s.identity.commands.createGroup(input.name, meta);
    if (input.members.length) await this.s.identity.commands.changeGroup(input.name, input.members, [], meta);
    res.status(201).location(`/api/v1/groups/${input.name}`).json(await this.s.identity.queries.group(input.name));
  }

  @Get()
  async list() {
    return { items: await this.s.identity.queries.groups() };
  }

  @Get(':name')
  show(@Param('name') name: string) {
    return this.s.identity.queries.group(name);
  }

  @Patch(':name')
  async change(@Param('name') name: string, @Body() body: unknown, @Req() req: Request) {
    const input = parseBody(ChangeGroup, body);
    await this.assertUsers(input.add);
    await this.s.identity.commands.changeGroup(name, input.add, input.remove, eventMetadata(req));
    return this.s.identity.queries.group(name);
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name') name: string, @Req() req: Request) {
    await this.s.identity.commands.deleteGroup(name, eventMetadata(req));
  }

  private async assertUsers(ids: string[]) {
    for (const id of ids) if (!(await this.s.identity.queries.userExists(id))) throw new DomainError('BAD_REQUEST', `user "${id}" does not exist`);
  }
}
