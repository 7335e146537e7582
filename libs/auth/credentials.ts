/**
 * Pulls a token out of a request's headers, in each form a package client sends it:
 * `Bearer <token>` (npm, OCI, the admin API), `Basic base64(user:token)` (pip, twine, mvn, gem,
 * apt, dnf, curl -u), raw `Authorization: <token>` (Cargo), `X-NuGet-ApiKey` (NuGet).
 */
export function tokenFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const nuget = headers['x-nuget-apikey'];
  if (typeof nuget === 'string' && nuget) return nuget;
  const auth = headers.authorization;
  if (typeof auth !== 'string' || !auth) return undefined;
  const [scheme, ...rest] = auth.trim().split(/\s+/);
  const value = rest.join(' ');
  if (/^bearer$/i.test(scheme)) return value || undefined;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) || undefined : undefined;
  }
  return rest.length === 0 ? scheme : undefined;
}
