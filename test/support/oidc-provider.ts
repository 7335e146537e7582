import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The slice of oidc-provider's API used here (the package ships no types). */
interface Interaction {
  uid: string;
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[] } };
  params: Record<string, unknown>;
  session?: { accountId: string };
  grantId?: string;
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: { new (props: { accountId: string; clientId: string }): GrantInstance; find(id: string): Promise<GrantInstance | undefined> };
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

export interface TestAccount {
  password: string;
  groups: string[];
  email?: string;
}

export interface TestIdpOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accounts: Record<string, TestAccount>;
  /** put profile and groups claims in the ID token too (default: userinfo only, as the spec's default) */
  claimsInIdToken?: boolean;
}

export interface TestIdp {
  issuer: string;
  /** the accounts, mutable: change `groups` between sign-ins */
  accounts: Record<string, TestAccount>;
  /** method and path of every request the provider received */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * A real OpenID Provider (oidc-provider) in this process on 127.0.0.1 and a free port: one
 * confidential client, PKCE required, accounts with `preferred_username` and a `groups` claim
 * (scope `groups`). No UI: GET /interaction/:uid answers a bare login form (POST login and
 * password to /interaction/:uid/login), and consent is granted without asking (a first-party client).
 */
export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  // dynamic import with a computed name: the package has no typings for a static import to use
  const name = 'oidc-provider';
  const Provider = ((await import(name)) as { default: ProviderClass }).default;
  const requests: string[] = [];
  const accounts = options.accounts;

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    jwks: { keys: [{ ...signingKey, kid: 'test-key', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    features: { devInteractions: { enabled: false } },
    // explicit lifetimes and storage: the defaults work but print notices on every test run
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    adapter: memoryAdapter(),
    conformIdTokenClaims: !options.claimsInIdToken,
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email', 'email_verified'], groups: ['groups'] },
    async findAccount(_ctx: unknown, sub: string) {
      if (!accounts[sub]) return undefined;
      return {
        accountId: sub,
        // read at token time, so a test can change groups between sign-ins
        claims: async () => ({ sub, preferred_username: sub, name: sub, email: accounts[sub].email ?? `${sub}@example.test`, email_verified: true, groups: accounts[sub].groups }),
      };
    },
  });
  const handle = provider.callback();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url?.split('?')[0]}`);
    if (!req.url?.startsWith('/interaction/')) return handle(req, res);
    interaction(provider, accounts, req, res).catch((e: unknown) => {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/plain');
      res.end(`interaction failed: ${(e as Error).message}`);
    });
  });

  return {
    issuer,
    accounts,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The provider hands login and consent to the application; this is that application, minus the UI. */
async function interaction(provider: ProviderInstance, accounts: Record<string, TestAccount>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const path = req.url!.split('?')[0];
  if (req.method === 'POST' && path === `/interaction/${details.uid}/login`) {
    const form = new URLSearchParams(await readBody(req));
    const login = form.get('login') ?? '';
    if (!accounts[login] || accounts[login].password !== form.get('password')) {
      res.statusCode = 401;
      res.setHeader('content-type', 'text/plain');
      res.end('wrong login or password');
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    return;
  }
  if (req.method === 'GET' && details.prompt.name === 'login') {
    res.setHeader('content-type', 'text/html');
    res.end(`<form method="post" action="/interaction/${details.uid}/login"><input name="login"><input name="password" type="password"><button>Sign in</button></form>`);
    return;
  }
  if (req.method === 'GET' && details.prompt.name === 'consent') {
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    if (details.prompt.details.missingOIDCScope) grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
    if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  res.statusCode = 400;
  res.end(`unexpected interaction ${req.method} ${path} (${details.prompt.name})`);
}

type Payload = Record<string, unknown> & { uid?: string; userCode?: string; grantId?: string };

/** oidc-provider's storage interface over one Map per provider (its own in-memory adapter warns). */
function memoryAdapter() {
  const store = new Map<string, { payload: Payload; expiresAt: number }>();
  return class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key = (id: string) => `${this.model}:${id}`;
    private live(key: string): Payload | undefined {
      const entry = store.get(key);
      if (entry && entry.expiresAt > Date.now()) return entry.payload;
      store.delete(key);
      return undefined;
    }
    async upsert(id: string, payload: Payload, expiresIn: number) {
      store.set(this.key(id), { payload, expiresAt: Date.now() + (expiresIn || 3600) * 1000 });
    }
    async find(id: string) {
      return this.live(this.key(id));
    }
    async findByUid(uid: string) {
      return [...store.keys()].filter((k) => k.startsWith(`${this.model}:`)).map((k) => this.live(k)).find((p) => p?.uid === uid);
    }
    async findByUserCode(userCode: string) {
      return [...store.keys()].filter((k) => k.startsWith(`${this.model}:`)).map((k) => this.live(k)).find((p) => p?.userCode === userCode);
    }
    async consume(id: string) {
      const payload = this.live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [k, v] of store) if (v.payload.grantId === grantId) store.delete(k);
    }
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
