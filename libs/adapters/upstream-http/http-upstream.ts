import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { DomainError } from '../../domain/index.js';
import type { Upstream, UpstreamRequest, UpstreamResponse } from '../../ports/index.js';
import { isPublicAddress } from './address-policy.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface HttpUpstreamOptions {
  userAgent: string;
  /** connect and idle timeout per request (default 30 s) */
  timeoutMs?: number;
  maxRedirects?: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** DNS lookup that refuses non-public answers: the check is on the address actually connected to. */
function guardedLookup(allowPrivateNetwork: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const refused = allowPrivateNetwork ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (refused) return callback(refusal(hostname, refused.address) as NodeJS.ErrnoException, []);
      if (options.all) callback(null, list);
      else callback(null, list[0].address, list[0].family);
    });
  };
}

const refusal = (host: string, address: string) =>
  new DomainError('UPSTREAM_REFUSED', `upstream ${host} is at ${address}, which is not a public address; an admin must set upstream.allowPrivateNetwork on this repository to reach it`);

/** The Upstream port on node:http/https (see the port for the contract: SSRF guard, redirects, credentials). */
export class HttpUpstream implements Upstream {
  constructor(private readonly options: HttpUpstreamOptions) {}

  async request(request: UpstreamRequest): Promise<UpstreamResponse> {
    let url = parseUrl(request.url);
    const origin = url.origin;
    for (let hop = 0; ; hop++) {
      const res = await this.send(url, request, url.origin === origin);
      const location = res.headers.location;
      if (!REDIRECTS.has(res.statusCode ?? 0) || !location) {
        return { status: res.statusCode ?? 502, url: url.toString(), headers: flatten(res.headers), body: res };
      }
      res.resume();
      if (hop >= (this.options.maxRedirects ?? 5)) throw new DomainError('UPSTREAM_UNAVAILABLE', `too many redirects from ${request.url}`);
      url = parseUrl(new URL(location, url).toString());
    }
  }

  private send(url: URL, request: UpstreamRequest, sameOrigin: boolean): Promise<IncomingMessage> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !request.allowPrivateNetwork && !isPublicAddress(host)) return Promise.reject(refusal(host, host));
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, 'accept-encoding': 'identity', ...request.headers };
    if (request.etag) headers['if-none-match'] = request.etag;
    if (request.lastModified) headers['if-modified-since'] = request.lastModified;
    if (request.auth && sameOrigin) {
      headers.authorization = request.auth.type === 'basic'
        ? `Basic ${Buffer.from(`${request.auth.username}:${request.auth.password}`).toString('base64')}`
        : `Bearer ${request.auth.token}`;
    }
    const client = url.protocol === 'https:' ? https : http;
    const timeout = request.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const req = client.request(url, { method: request.method ?? 'GET', headers, timeout, lookup: guardedLookup(!!request.allowPrivateNetwork) as never }, resolve);
      req.on('timeout', () => req.destroy(new DomainError('UPSTREAM_UNAVAILABLE', `${url.host} did not answer within ${timeout} ms`)));
      req.on('error', (e) => reject(e instanceof DomainError ? e : new DomainError('UPSTREAM_UNAVAILABLE', `${url.host}: ${e.message}`)));
      req.end();
    });
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DomainError('BAD_REQUEST', `not a URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DomainError('UPSTREAM_REFUSED', `only http and https upstreams are allowed, not ${url.protocol}`);
  if (url.username || url.password) throw new DomainError('BAD_REQUEST', 'put upstream credentials in upstream.auth, not in the URL');
  return url;
}

const flatten = (headers: http.IncomingHttpHeaders): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
