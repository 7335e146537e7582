import { createHash } from 'node:crypto';
import type { SingleSignOn } from '../../format-kit/index.js';
import { escapeHtml, type SsoLink } from './web-login-page.js';

/** Links into the registry's single sign-on flows that can send the browser back to `returnPath`. */
export function ssoLinks(flows: readonly SingleSignOn[], returnPath: string): SsoLink[] {
  return flows.map((f) => ({ label: f.label, href: `${f.loginPath}?${f.returnParam}=${encodeURIComponent(returnPath)}` }));
}

/**
 * The script of the single sign-on return page. Single sign-on puts the session in the URL
 * fragment (`#tokenType=...&accessToken=...`), which never reaches a server; this reads it, drops it
 * from the address bar, and posts the login id (from the page) with the session as bearer token.
 * Constant text, so the page's Content-Security-Policy allows exactly this script by its hash.
 */
const SSO_SCRIPT = `(function () {
  var main = document.getElementById('sso');
  var out = document.getElementById('outcome');
  var params = new URLSearchParams(location.hash.slice(1));
  var token = params.get('accessToken');
  history.replaceState(null, '', location.pathname);
  if (!token) { out.textContent = 'Single sign-on did not return a session. Run npm login again.'; return; }
  fetch(main.dataset.action, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
    body: JSON.stringify({ session: main.dataset.session }),
    credentials: 'omit'
  }).then(function (res) {
    return res.json().then(function (body) {
      out.textContent = res.ok
        ? 'You are signed in as ' + body.username + '. Go back to your terminal: npm finishes the login by itself. You can close this page.'
        : 'The login failed: ' + (body.error || res.status) + '. Run npm login again.';
    });
  }).catch(function () { out.textContent = 'The login failed. Run npm login again.'; });
})();`;

export const SSO_SCRIPT_HASH = createHash('sha256').update(SSO_SCRIPT).digest('base64');

export const ssoReturnHtml = (action: string, loginId: string) =>
  `<div id="sso" data-action="${escapeHtml(action)}" data-session="${escapeHtml(loginId)}"><p id="outcome">Finishing the sign-in...</p></div>
<noscript><p>This step needs JavaScript. Use the user name and password form instead.</p></noscript>
<script>${SSO_SCRIPT}</script>`;
