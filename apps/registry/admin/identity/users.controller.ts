import { Body, Controller, Get, Inject, Param, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { assertPrincipalName, DomainError } from '../../../../libs/domain/index.js';
import { eventMetadata } from '../../../../libs/format-kit/index.js';
import { PasswordStore } from '../../../../libs/auth/index.js';
import { RegistryServices } from '../../registry-services.js';
import { AdminGuard } from '../admin.guard.js';
import { parseBody } from '../body.js';

const CreateUser = z.object({ username: z.string(), password: z.string().optional(), admin: z.boolean().default(false), serviceAccount: z.boolean().default(false) }).strict();
const ChangeUser = z.object({ disabled: z.boolean().optional(), admin: z.boolean().optional(), password: z.string().optional() }).strict();

/** Users: /api/v1/users (registry admins only). Passwords are argon2id hashes outside the log. */
@Controller('api/v1/users')
@UseGuards(AdminGuard)
export class UsersController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  @Post()
  async create(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const input = parseBody(CreateUser, body);
    assertPrincipalName('user', input.username);
    if (input.serviceAccount && input.password !== undefined) throw new DomainError('BAD_REQUEST', 'service accounts sign in with tokens only, not passwords');
    if (input.password !== undefined) PasswordStore.assertAcceptable(input.password);
    const { commands, passwords, queries } = this.s.identity;
    await commands.createUser(input.username, input.serviceAccount ? 'service' : 'local', input.admin, eventMetadata(req));
    if (input.password !== undefined) await passwords.set(input.username, input.password);
    res.status(201).location(`/api/v1/users/${input.username}`).json(await queries.user(input.username));
  }

  @Get()
  async list() {
    return { items: await this.s.identity.queries.users() };
  }

  @Get(':id')
  show(@Param('id') id: string) {
    return this.s.identity.queries.user(id);
  }

  /** Disable/enable (disabling also stops the user's tokens and sessions at once), admin flag, password reset. */
  @Patch(':id')
  async change(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    const input = parseBody(ChangeUser, body);
    const { commands, passwords, queries } = this.s.identity;
    const meta = eventMetadata(req);
    if (input.password !== undefined) {
      PasswordStore.assertAcceptable(input.password);
      await commands.passwordChanged(id, meta);
      await passwords.set(id, input.password);
    }
    if (input.disabled !== undefined) await commands.setDisabled(id, input.disabled, meta);
    if (input.admin !== undefined) await commands.setAdmin(id, input.admin, meta);
    return queries.user(id);
  }
}
