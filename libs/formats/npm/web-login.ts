import { DomainError } from '../../domain/index.js';
import { principalOf, readSmallForm } from '../../format-kit/index.js';
import { discardBody, isObject, readJsonBody } from './json-body.js';
import { metadataOf, sendJson, type NpmContext } from './npm-context.js';
import { expiredHtml, sendPage, signedInHtml, signInFormHtml, type SsoLink } from './web-login-page.js';
import { NpmWebLoginStore } from './web-login-store.js';
import { SSO_SCRIPT_HASH, ssoLinks, ssoReturnHtml } from './web-login-sso.js';

/** a sign-in form is a user name and a password: a few hundred bytes */
const MAX_FORM_BYTES = 16 * 1024;
/** how often npm asks whether the user has signed in (seconds, the `Retry-After` of a 202) */
const POLL_SECONDS = 1;
const TITLE = 'Sign in for npm';

/** The registry URL of the repository: `<base>/npm/<repo>`. */
const registryUrl = (ctx: NpmContext) => `${ctx.services.baseUrl(ctx.req).replace(/\/+$/, '')}/npm/${encodeURIComponent(ctx.repository.name)}`;

/**
 * npm's web login (`npm login`, `npm adduser`; the default `--auth-type=web`), as npm-profile
 * drives it: https://github.com/npm/cli/blob/latest/node_modules/npm-profile/lib/index.js (webAuth).
 * npm POSTs /-/v1/login and gets `{loginUrl, doneUrl}`; it shows loginUrl to the user, who signs in
 * in a browser (this registry's password form, or single sign-on), and polls doneUrl, which answers
 * 202 + Retry-After until then and 200 `{token}` once. Accounts are never created here, so
 * `adduser` is a sign-in too. `npm login --auth-type=legacy` keeps using the couch flow (account.ts).
 */
export class NpmWebLogin {
  private readonly store: NpmWebLoginStore;

  constructor(ctxSql: NpmContext['services']['sql']) {
    this.store = new NpmWebLoginStore(ctxSql);
  }

  /** POST /-/v1/login: a new login; its two URLs. Anyone may start one (it grants nothing by itself). */
  async start(ctx: NpmContext): Promise<void> {
    // `{}` for login, `{create: true}` for adduser: the same thing here
    await discardBody(ctx.req, MAX_FORM_BYTES);
    const { loginId, doneId } = await this.store.start(ctx.repository.name);
    const base = registryUrl(ctx);
    ctx.res.set('cache-control', 'no-store');
    sendJson(ctx, 200, { loginUrl: `${base}/-/v1/login/cli/${loginId}`, doneUrl: `${base}/-/v1/done/${doneId}` });
  }

  /** GET /-/v1/login/cli/<loginId>: the page npm tells the user to open. */
  async showForm(ctx: NpmContext, loginId: string): Promise<void> {
    if (!(await this.store.isWaiting(ctx.repository.name, loginId))) return sendPage(ctx.res, 404, TITLE, expiredHtml());
    sendPage(ctx.res, 200, TITLE, this.form(ctx, loginId));
  }

  /**
   * POST /-/v1/login/cli: the form (application/x-www-form-urlencoded: session, username, password).
   * A wrong password shows the form again (the password check is the rate-limited one of every
   * sign-in); a right one binds the user to the login.
   */
  async submitForm(ctx: NpmContext): Promise<void> {
    assertSameOrigin(ctx);
    const form = await readSmallForm(ctx.req, MAX_FORM_BYTES, 'the sign-in form');
    const loginId = form.get('session') ?? '';
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const repository = ctx.repository.name;
    if (!(await this.store.isWaiting(repository, loginId))) return sendPage(ctx.res, 404, TITLE, expiredHtml());
    if (!username || !password) return sendPage(ctx.res, 400, TITLE, this.form(ctx, loginId, username, 'Enter your user name and password.'));
    let userId: string;
    try {
      userId = await ctx.services.identity.verifyPassword(username, password, ctx.req.ip ?? ctx.req.socket.remoteAddress ?? '', metadataOf(ctx));
    } catch (e) {
      if (!(e instanceof DomainError) || e.status >= 500) throw e;
      return sendPage(ctx.res, e.status, TITLE, this.form(ctx, loginId, username, e.code === 'RATE_LIMITED' ? e.message : 'Wrong user name or password.'));
    }
    if (!(await this.store.signIn(repository, loginId, userId, 'password'))) return sendPage(ctx.res, 404, TITLE, expiredHtml());
    sendPage(ctx.res, 200, TITLE, signedInHtml(userId));
  }

  /**
   * GET /-/v1/login/cli/<loginId>/sso: where single sign-on returns the browser, with the session in
   * the URL fragment (which never reaches a server); the page's script hands it to `completeSso`.
   */
  async showSsoReturn(ctx: NpmContext, loginId: string): Promise<void> {
    if (!(await this.store.isWaiting(ctx.repository.name, loginId))) return sendPage(ctx.res, 404, TITLE, expiredHtml());
    sendPage(ctx.res, 200, TITLE, ssoReturnHtml(`${registryUrl(ctx)}/-/v1/login/cli/sso`, loginId), SSO_SCRIPT_HASH);
  }

  /** POST /-/v1/login/cli/sso `{session}` with the signed-in user's session as bearer token. */
  async completeSso(ctx: NpmContext): Promise<void> {
    assertSameOrigin(ctx);
    const principal = principalOf(ctx.req);
    if (!principal?.userId || principal.authMethod !== 'session') throw new DomainError('UNAUTHORIZED', 'sign in first: this needs the session single sign-on gave you');
    const body = await readJsonBody(ctx.req, MAX_FORM_BYTES);
    const loginId = isObject(body) && typeof body.session === 'string' ? body.session : '';
    if (!(await this.store.signIn(ctx.repository.name, loginId, principal.userId, 'session'))) throw new DomainError('NOT_FOUND', 'this login is unknown, has expired or is already complete');
    sendJson(ctx, 200, { ok: true, username: principal.userId });
  }

  /**
   * GET /-/v1/done/<doneId>: npm's poll. 202 with Retry-After while the user has not signed in;
   * then a fresh API token for them, once (the row is gone after that); 404 for anything else.
   */
  async collect(ctx: NpmContext, doneId: string): Promise<void> {
    ctx.res.set('cache-control', 'no-store');
    const outcome = await this.store.collect(ctx.repository.name, doneId);
    if (outcome.state === 'unknown') throw new DomainError('NOT_FOUND', 'this login is unknown, has expired or was already collected; run npm login again');
    if (outcome.state === 'pending') {
      ctx.res.set('retry-after', String(POLL_SECONDS));
      return sendJson(ctx, 202, {});
    }
    const { userId, authMethod } = outcome;
    const { secret } = await ctx.services.identity.mintToken(userId, { name: 'npm web login' }, { ...metadataOf(ctx), actor: userId, authMethod });
    sendJson(ctx, 200, { token: secret, username: userId });
  }

  private form(ctx: NpmContext, loginId: string, username?: string, error?: string): string {
    const base = registryUrl(ctx);
    const sso: SsoLink[] = ssoLinks(ctx.services.identity.singleSignOn?.() ?? [], `${new URL(base).pathname}/-/v1/login/cli/${loginId}/sso`);
    return signInFormHtml({ action: `${base}/-/v1/login/cli`, loginId, repository: ctx.repository.name, username, error, sso });
  }
}

/**
 * Browsers send `Origin` with every POST: one from another site is refused outright (with the
 * login id in the form, a forged post could not name a login anyway; this also stops a forged post
 * from burning the victim's sign-in attempts).
 */
function assertSameOrigin(ctx: NpmContext): void {
  const origin = ctx.req.get('origin');
  if (origin === undefined || origin === 'null') return;
  if (origin !== new URL(ctx.services.baseUrl(ctx.req)).origin) throw new DomainError('FORBIDDEN', `a sign-in posted from ${origin} is not accepted here`);
}

