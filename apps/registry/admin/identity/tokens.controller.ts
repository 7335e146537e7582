import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { assertCidrs, type Principal } from '../../../../libs/auth/index.js';
import { assertRepositoryName, DomainError } from '../../../../libs/domain/index.js';
import { eventMetadata, principalOf } from '../../../../libs/format-kit/index.js';
import { RegistryServices } from '../../registry-services.js';
import { parseBody } from '../body.js';
import { AuthenticatedGuard } from '../guards.js';

const IssueBody = z
  .object({
    name: z.string().min(1).max(100),
    user: z.string().optional(),
    expiresAt: z.string().datetime({ offset: true }).optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
    readOnly: z.boolean().default(false),
    repositories: z.array(z.string()).min(1).max(100).optional(),
    cidrs: z.array(z.string()).min(1).max(50).optional(),
  })
  .strict();

/**
 * API tokens: /api/v1/tokens. A user mints tokens for themselves (from a session or an
 * unrestricted token); admins also for service accounts and other users. The secret is in the
 * response once and never again.
 */
@Controller('api/v1/tokens')
@UseGuards(AuthenticatedGuard)
export class TokensController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  @Post()
  async issue(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const input = parseBody(IssueBody, body);
    const principal = principalOf(req)!;
    if (principal.readOnly || principal.repositories) throw new DomainError('FORBIDDEN', 'a restricted token cannot create tokens');
    const userId = input.user ?? principal.userId;
    if (!userId) throw new DomainError('BAD_REQUEST', 'the bootstrap token has no user: say which user the token is for ("user")');
    if (userId !== principal.userId && !principal.isAdmin) throw new DomainError('FORBIDDEN', 'only admins create tokens for other users');
    if (!(await this.s.identity.queries.userExists(userId))) throw new DomainError('BAD_REQUEST', `user "${userId}" does not exist`);
    input.repositories?.forEach((r) => assertRepositoryName(r));
    if (input.cidrs) assertCidrs(input.cidrs);
    if (input.expiresAt && input.expiresInDays) throw new DomainError('BAD_REQUEST', 'give expiresAt or expiresInDays, not both');
    const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000).toISOString() : null;
    if (expiresAt && Date.parse(expiresAt) <= Date.now()) throw new DomainError('BAD_REQUEST', 'expiresAt is in the past');
    const { tokens, commands, queries } = this.s.identity;
    const { tokenId, secret } = await commands.issueToken(
      { userId, name: input.name, expiresAt, readOnly: input.readOnly, repositories: input.repositories ?? null, cidrs: input.cidrs ?? null },
      eventMetadata(req),
      (id) => tokens.createSecret(id, input.name, userId),
      (id) => tokens.discardSecret(id),
    );
    const view = (await queries.tokens(userId)).find((t) => t.tokenId === tokenId);
    res.status(201).set('cache-control', 'no-store').json({ ...view, token: secret });
  }

  /** Own tokens; admins may ask for `?user=<id>` or `?user=*`. Secrets are never listed. */
  @Get()
  async list(@Query('user') user: string | undefined, @Req() req: Request) {
    const principal = principalOf(req)!;
    const target = this.target(principal, user);
    const items = await this.s.identity.queries.tokens(target);
    const lastUsed = await this.s.identity.tokens.lastUsed(items.map((t) => t.tokenId));
    return { items: items.map((t) => ({ ...t, lastUsedAt: lastUsed.get(t.tokenId) ?? null })) };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string, @Req() req: Request) {
    const principal = principalOf(req)!;
    await this.s.identity.commands.revokeToken(id, principal.isAdmin ? null : principal.userId, eventMetadata(req));
  }

  private target(principal: Principal, user: string | undefined): string | null {
    if (user === undefined) {
      if (!principal.userId) return null;
      return principal.userId;
    }
    if (user !== principal.userId && !principal.isAdmin) throw new DomainError('FORBIDDEN', 'only admins list other users\' tokens');
    return user === '*' ? null : user;
  }
}
