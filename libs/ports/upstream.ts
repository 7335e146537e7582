import type { Readable } from 'node:stream';

export type UpstreamAuth = { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string };

export interface UpstreamRequest {
  url: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** sent to the upstream's own origin only: dropped when a redirect leaves it */
  auth?: UpstreamAuth;
  /** conditional request: a 304 then means the cached copy is still current */
  etag?: string;
  lastModified?: string;
  /** may this request reach loopback, link-local and private addresses? (an admin's explicit opt-in) */
  allowPrivateNetwork?: boolean;
  timeoutMs?: number;
}

export interface UpstreamResponse {
  status: number;
  /** the URL that answered, after redirects */
  url: string;
  headers: Record<string, string | undefined>;
  /** the body as it arrives; the caller must consume or destroy it */
  body: Readable;
}

/**
 * Outbound HTTP to the upstreams of remote repositories.
 *
 * Contract:
 * - Only http and https URLs. Every address a request connects to (after DNS resolution, and
 *   again for every redirect hop) is checked: loopback, link-local, private, shared and other
 *   non-public ranges are refused with DomainError('UPSTREAM_REFUSED') unless
 *   `allowPrivateNetwork`. The check is on the resolved address actually connected to, so DNS
 *   rebinding cannot slip past it.
 * - Redirects (301, 302, 303, 307, 308) are followed up to 5 hops; credentials go only to the
 *   origin of the first URL.
 * - Network failures and timeouts are DomainError('UPSTREAM_UNAVAILABLE'); any HTTP status is a
 *   response (the caller decides what a 404 or a 500 means).
 */
export interface Upstream {
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
}
