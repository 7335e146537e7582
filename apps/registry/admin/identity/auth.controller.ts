import { Body, Controller, Get, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { eventMetadata, principalOf } from '../../../../libs/format-kit/index.js';
import { RegistryServices } from '../../registry-services.js';
import { parseBody } from '../body.js';
import { AuthenticatedGuard } from '../guards.js';

const Login = z.object({ username: z.string().max(256), password: z.string().max(1024) }).strict();
const Refresh = z.object({ refreshToken: z.string().max(512) }).strict();

/** Sessions for humans: /api/v1/auth (local passwords and LDAP; OIDC and SAML have their own routes). */
@Controller('api/v1/auth')
export class AuthController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  @Post('login')
  @HttpCode(200)
  login(@Body() body: unknown, @Req() req: Request) {
    const { username, password } = parseBody(Login, body);
    return this.s.identity.signIn.withPassword(username, password, req.ip ?? 'unknown', eventMetadata(req));
  }

  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() body: unknown) {
    const { refreshToken } = parseBody(Refresh, body);
    return this.s.identity.sessions.refresh(refreshToken, async (userId) => (await this.s.identity.queries.users()).some((u) => u.userId === userId && !u.disabled));
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Body() body: unknown) {
    await this.s.identity.sessions.revoke(parseBody(Refresh, body).refreshToken);
  }

  @Get('whoami')
  @UseGuards(AuthenticatedGuard)
  whoami(@Req() req: Request) {
    const p = principalOf(req)!;
    return { id: p.id, userId: p.userId, admin: p.isAdmin, groups: p.groups, authMethod: p.authMethod, tokenId: p.tokenId ?? null, readOnly: p.readOnly, repositories: p.repositories };
  }
}
