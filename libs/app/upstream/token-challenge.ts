import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/index.js';
import type { Upstream, UpstreamAuth, UpstreamRequest, UpstreamResponse } from '../../ports/index.js';

/** The parameters of a `WWW-Authenticate: Bearer realm="...",service="...",scope="..."` challenge. */
export interface BearerChallenge {
  realm: string;
  service?: string;
  scope?: string;
}

/** Parses a Bearer challenge (RFC 6750 §3 auth-params); undefined for Basic or anything else. */
export function parseBearerChallenge(header: string | undefined): BearerChallenge | undefined {
  const m = header ? /^\s*bearer\s+(.*)$/i.exec(header) : null;
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[1].matchAll(/([a-z_][a-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/gi)) params[p[1].toLowerCase()] = (p[2] ?? p[3]).replace(/\\(.)/g, '$1');
  if (!params.realm) return undefined;
  return { realm: params.realm, ...(params.service ? { service: params.service } : {}), ...(params.scope ? { scope: params.scope } : {}) };
}

const MAX_TOKENS = 1000;

/**
 * The token dance of registries with token authentication (Docker Hub, distribution with
 * `auth: token`, Strata itself): https://distribution.github.io/distribution/spec/auth/token/
 * An upstream answering 401 with a Bearer challenge gets a token from the challenge's realm
 * (with the repository's Basic credential, else anonymously), and the request is sent again
 * with that token. The realm is fetched through the wrapped Upstream with the request's own
 * `allowPrivateNetwork`, so the SSRF guard applies to it like to the upstream. Tokens are
 * kept until shortly before they expire; the last one that worked for an origin and credential
 * is sent first next time (a token of another scope only costs a 401 and a new token).
 * A configured bearer credential is sent as it is, with no dance.
 */
export class TokenChallengeUpstream implements Upstream {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly recent = new Map<string, string>();

  constructor(private readonly inner: Upstream, private readonly now: () => number = Date.now) {}

  async request(request: UpstreamRequest): Promise<UpstreamResponse> {
    if (request.auth?.type === 'bearer') return this.inner.request(request);
    const who = `${new URL(request.url).origin}\n${credentialKey(request.auth)}`;
    const remembered = this.recent.get(who);
    const token = remembered ? this.valid(remembered) : undefined;
    const first = await this.inner.request(token ? { ...request, auth: { type: 'bearer', token } } : request);
    const challenge = first.status === 401 ? parseBearerChallenge(first.headers['www-authenticate']) : undefined;
    if (!challenge) return first;
    first.body.resume();
    const key = `${who}\n${challenge.realm}\n${challenge.service ?? ''}\n${challenge.scope ?? ''}`;
    const fresh = this.valid(key) ?? (await this.fetchToken(challenge, request, key));
    if (this.recent.size >= MAX_TOKENS) this.recent.clear();
    this.recent.set(who, key);
    return this.inner.request({ ...request, auth: { type: 'bearer', token: fresh } });
  }

  private valid(key: string): string | undefined {
    const t = this.tokens.get(key);
    return t && t.expiresAt > this.now() ? t.token : undefined;
  }

  private async fetchToken(challenge: BearerChallenge, request: UpstreamRequest, key: string): Promise<string> {
    const url = new URL(challenge.realm, request.url);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    for (const scope of challenge.scope?.split(' ') ?? []) url.searchParams.append('scope', scope);
    const res = await this.inner.request({ url: url.toString(), headers: { accept: 'application/json' }, auth: request.auth, allowPrivateNetwork: request.allowPrivateNetwork, timeoutMs: request.timeoutMs });
    const chunks: Buffer[] = [];
    for await (const chunk of res.body as AsyncIterable<Buffer>) chunks.push(chunk);
    if (res.status !== 200) {
      const why = res.status === 401 || res.status === 403 ? 'refused the upstream credentials' : `answered ${res.status}`;
      throw new DomainError('UPSTREAM_UNAVAILABLE', `the upstream's token endpoint ${url.origin}${url.pathname} ${why}`);
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      throw new DomainError('UPSTREAM_UNAVAILABLE', `the upstream's token endpoint ${url.origin}${url.pathname} did not answer JSON`);
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new DomainError('UPSTREAM_UNAVAILABLE', `the upstream's token endpoint ${url.origin}${url.pathname} answered no token`);
    // the spec's default lifetime is 60 s; keep a margin for the requests under way
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    if (this.tokens.size >= MAX_TOKENS) this.tokens.clear();
    this.tokens.set(key, { token, expiresAt: this.now() + Math.max(lifetime - 10, lifetime / 2) * 1000 });
    return token;
  }
}

/** Tells credentials apart without keeping them in a map key. */
const credentialKey = (auth: UpstreamAuth | undefined): string =>
  auth?.type === 'basic' ? createHash('sha256').update(`${auth.username}\0${auth.password}`).digest('hex') : 'anonymous';
