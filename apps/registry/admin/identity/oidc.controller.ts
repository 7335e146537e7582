import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { OidcLoginStore, LOGIN_TTL_SECONDS } from '../../../../libs/auth/oidc/oidc-login-store.js';
import { OidcSignIn } from '../../../../libs/auth/oidc/oidc-sign-in.js';
import { DomainError } from '../../../../libs/domain/index.js';
import { eventMetadata } from '../../../../libs/format-kit/index.js';
import { RegistryServices } from '../../registry-services.js';

/** Browser cookie that ties a callback to the browser that started the login (name carries the state). */
const BINDING_COOKIE = 'strata_oidc_';

/**
 * OpenID Connect sign-in: /api/v1/auth/oidc (authorization code flow with PKCE, see
 * libs/auth/oidc). `login` sends the browser to the identity provider, `callback` receives it back
 * and answers with a Strata session, as POST /api/v1/auth/login does.
 */
@Controller('api/v1/auth/oidc')
export class OidcController {
  private oidc?: OidcSignIn;

  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  /**
   * OpenID Connect Core 1.0 section 3.1.2.1 / RFC 7636 section 4.3: 302 to the provider's
   * authorization endpoint. `returnTo` (a path on this registry, e.g. `/ui/`) makes the callback
   * redirect there with the session in the URL fragment instead of answering JSON.
   */
  @Get('login')
  async login(@Query('returnTo') returnTo: unknown, @Res() res: Response) {
    const oidc = this.signIn();
    const { url, state } = await oidc.begin(sameOriginPath(returnTo));
    // RFC 6749 section 10.12 / OAuth 2.0 Security BCP (RFC 9700) section 4.7: `state` alone does not stop a
    // forged callback (an attacker's own code and state) from signing the victim in as the attacker; a
    // cookie only this browser holds does. SameSite=Lax still rides on the provider's top-level redirect.
    res.cookie(`${BINDING_COOKIE}${state}`, '1', { httpOnly: true, sameSite: 'lax', secure: this.callbackIsHttps(), path: this.callbackPath(), maxAge: LOGIN_TTL_SECONDS * 1000 });
    res.set('cache-control', 'no-store').redirect(302, url);
  }

  /**
   * OpenID Connect Core 1.0 sections 3.1.2.5-3.1.3.7: the provider's answer, exchanged for tokens
   * and checked, then a Strata session for the user (created just in time, groups synced).
   */
  @Get('callback')
  async callback(@Req() req: Request, @Res() res: Response) {
    const oidc = this.signIn();
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    const state = new URLSearchParams(query).get('state') ?? '';
    const cookie = `${BINDING_COOKIE}${state}`;
    // our states are base64url (openid-client randomState); anything else cannot be one of ours
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(state) || !hasCookie(req, cookie)) throw new DomainError('UNAUTHORIZED', 'this sign-in was not started in this browser; start again');
    res.clearCookie(cookie, { httpOnly: true, sameSite: 'lax', secure: this.callbackIsHttps(), path: this.callbackPath() });

    const { identity, returnTo } = await oidc.complete(query);
    const session = await this.s.identity.signIn.external(identity, eventMetadata(req)).catch((e: unknown) => {
      // a provider's name that is no valid Strata user id is the provider's problem, not a bad request
      if (e instanceof DomainError && e.code === 'INVALID_NAME') throw new DomainError('UNAUTHORIZED', `the identity provider's user name is not usable here: ${e.message}`);
      throw e;
    });
    // RFC 6749 section 5.1: responses carrying tokens are never cached
    res.set({ 'cache-control': 'no-store', pragma: 'no-cache' });
    if (returnTo) {
      // the fragment never reaches a server (nor the Referer header): only the page at returnTo reads it
      const fragment = new URLSearchParams({ tokenType: session.tokenType, accessToken: session.accessToken, expiresIn: String(session.expiresIn), refreshToken: session.refreshToken, userId: session.userId });
      res.set('referrer-policy', 'no-referrer').redirect(302, `${returnTo}#${fragment.toString()}`);
      return;
    }
    res.status(200).json(session);
  }

  private signIn(): OidcSignIn {
    const config = this.s.config.oidc;
    if (!config) throw new DomainError('NOT_FOUND', 'OIDC sign-in is not configured');
    const log = this.s.logger.child({ component: 'oidc' });
    this.oidc ??= new OidcSignIn(config, new OidcLoginStore(this.s.infra.sql), (message, detail) => log.warn(detail, message));
    return this.oidc;
  }

  private callbackPath(): string {
    return new URL(this.s.config.oidc!.redirectUri).pathname;
  }

  private callbackIsHttps(): boolean {
    return new URL(this.s.config.oidc!.redirectUri).protocol === 'https:';
  }
}

/**
 * `returnTo` must stay on this origin (no open redirect handing tokens to another site): an
 * absolute path, not `//host` nor `/\host` (which browsers treat as another host).
 */
function sameOriginPath(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  const bad = () => new DomainError('BAD_REQUEST', 'returnTo must be a path on this registry, such as /ui/');
  if (typeof value !== 'string' || value.length > 1024 || !value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value)) throw bad();
  const probe = 'http://strata.invalid';
  const url = new URL(value, probe);
  const path = `${url.pathname}${url.search}`;
  // checked again after normalising: `/..//evil.example` and `/%2e%2e//evil.example` become `//evil.example`
  if (url.origin !== probe || path.startsWith('//')) throw bad();
  return path;
}

function hasCookie(req: Request, name: string): boolean {
  return (req.headers.cookie ?? '').split(';').some((c) => c.trim().startsWith(`${name}=`));
}
