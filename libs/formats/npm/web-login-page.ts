import type { Response } from 'express';

/** A link to a single sign-on flow (OIDC, SAML) shown under the password form. */
export interface SsoLink {
  label: string;
  href: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}
label{display:block;margin:.75rem 0 .25rem}input[type=text],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1.25rem}.error{color:#b3261e}.muted{color:#57606a;font-size:.9rem}`;

/**
 * Headers of every page of the web login: never cached (they carry a login id), never framed
 * (clickjacking), no Referer (the login id is in the URL), forms post only to this origin, and no
 * script except the one whose hash is given (the single sign-on return page).
 */
export function sendPage(res: Response, status: number, title: string, body: string, scriptHash?: string): void {
  const scripts = scriptHash ? `script-src 'sha256-${scriptHash}'; connect-src 'self'` : "script-src 'none'";
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; ${scripts}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    })
    .send(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>\n<h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>\n`);
}

export interface SignInForm {
  /** where the form posts */
  action: string;
  loginId: string;
  repository: string;
  username?: string;
  error?: string;
  sso: SsoLink[];
}

/**
 * The sign-in form: user name and password (local or LDAP users). The login id travels in a
 * hidden field, so a forged cross-site post cannot name a login it does not know.
 */
export function signInFormHtml(form: SignInForm): string {
  const sso = form.sso.length
    ? `<p>Or sign in with ${form.sso.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a>`).join(' or ')}.</p>`
    : '';
  return `<p>The npm command line is waiting for you to sign in to the npm repository <strong>${escapeHtml(form.repository)}</strong>.
When you do, npm receives a new API token for your account.</p>
${form.error ? `<p class="error" role="alert">${escapeHtml(form.error)}</p>` : ''}
<form method="post" action="${escapeHtml(form.action)}">
<input type="hidden" name="session" value="${escapeHtml(form.loginId)}">
<label for="username">User name</label><input type="text" id="username" name="username" autocomplete="username" required value="${escapeHtml(form.username ?? '')}">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
${sso}
<p class="muted">Accounts are created by an administrator of this registry. If you did not just run <code>npm login</code>, close this page.</p>`;
}

export const signedInHtml = (userId: string) =>
  `<p>You are signed in as <strong>${escapeHtml(userId)}</strong>. Go back to your terminal: npm finishes the login by itself. You can close this page.</p>`;

export const expiredHtml = () =>
  '<p>This login is unknown, has expired or is already complete. Run <code>npm login</code> again to get a new address.</p>';
