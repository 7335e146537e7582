import { PassThrough, Readable } from 'node:stream';
import { COMMANDS, main } from './main.js';
import type { PasswordInput } from './password.js';
import { captureIo, startStub, type Stub, type StubHandler } from './stub-server.js';

process.env.TZ = 'UTC';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');
const PASSWORD = 'correct horse battery staple';
const SECRET = 'strata_Zm9vYmFyLXNlY3JldC10b2tlbi12YWx1ZQ';
const session = { tokenType: 'Bearer', accessToken: 'eyJhbGciOiJIUzI1NiJ9.session.sig', expiresIn: 900, refreshToken: 'strata_rt_refreshsecret', userId: 'alice' };
const tokenView = { tokenId: 'tok-1', userId: 'alice', name: 'laptop', expiresAt: null, readOnly: false, repositories: null, cidrs: null, createdAt: '2024-05-01T12:00:00.000Z', revokedAt: null };
const issued = { ...tokenView, token: SECRET };

const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

describe('identity commands: login, whoami, tokens', () => {
  let stub: Stub;
  let handler: StubHandler;
  const run = async (argv: string[], stdin?: string | PasswordInput) => {
    const io = captureIo({ STRATA_URL: stub.url, STRATA_TOKEN: 'tok' }, { stdin: typeof stdin === 'string' ? Readable.from([stdin]) : stdin, now: () => NOW });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };
  const request = (i: number) => {
    const r = stub.requests[i]!;
    return { line: `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ''}`, auth: r.headers.authorization, body: r.body.length ? JSON.parse(r.body.toString()) : undefined };
  };
  /** login answers with a session, token creation with the new token */
  const identityServer: StubHandler = (req) => (req.path === '/api/v1/auth/login' ? { status: 200, body: session } : { status: 201, body: issued });

  beforeAll(async () => {
    stub = await startStub((req) => handler(req));
  });
  afterAll(() => stub.close());
  beforeEach(() => {
    stub.requests.length = 0;
  });

  describe('strata login', () => {
    it('posts the piped password without any Authorization and prints the access token expiry', async () => {
      handler = identityServer;
      const r = await run(['login', 'alice', '--password-stdin'], `${PASSWORD}\n`);
      expect(r.code).toBe(0);
      expect(stub.requests).toHaveLength(1);
      expect(request(0)).toEqual({ line: 'POST /api/v1/auth/login', auth: undefined, body: { username: 'alice', password: PASSWORD } });
      expect(stub.requests[0]!.headers['content-type']).toBe('application/json');
      expect(r.out).toBe("signed in as alice: the session's access token expires 2024-05-01 12:15:00 (in 15m00s)\n");
      expect(r.err).toBe('add --mint-token <name> to create an API token to use as STRATA_TOKEN\n');
      for (const secret of [PASSWORD, session.accessToken, session.refreshToken]) expect(r.out + r.err).not.toContain(secret);
    });

    it('--mint-token creates a token with the session as Bearer and prints the secret exactly once', async () => {
      handler = identityServer;
      const r = await run(['login', 'alice', '--password-stdin', '--mint-token', 'laptop'], PASSWORD);
      expect(r.code).toBe(0);
      expect(request(0).line).toBe('POST /api/v1/auth/login');
      expect(request(1)).toEqual({ line: 'POST /api/v1/tokens', auth: `Bearer ${session.accessToken}`, body: { name: 'laptop' } });
      expect(r.out.split('\n')).toEqual([
        "signed in as alice: the session's access token expires 2024-05-01 12:15:00 (in 15m00s)",
        'created token laptop (id tok-1) for alice',
        'expires       never',
        'read only     no',
        'repositories  all',
        'networks      any',
        '',
        'token (shown only this once; the server keeps just a hash of it):',
        `  ${SECRET}`,
        'use it with: export STRATA_TOKEN=<the token above>',
        '',
      ]);
      expect(occurrences(r.out + r.err, SECRET)).toBe(1);
      for (const secret of [PASSWORD, session.accessToken, session.refreshToken]) expect(r.out + r.err).not.toContain(secret);
    });

    it('passes token limits on to the minted token', async () => {
      handler = identityServer;
      await run(['login', 'alice', '--password-stdin', '--mint-token', 'ci', '--expires-in-days', '30', '--read-only', '--repositories', 'libs,npm'], PASSWORD);
      expect(request(1).body).toEqual({ name: 'ci', expiresInDays: 30, readOnly: true, repositories: ['libs', 'npm'] });
    });

    it('--json prints the session; with --mint-token the new token, secret once', async () => {
      handler = identityServer;
      const plain = await run(['login', 'alice', '--password-stdin', '--json'], PASSWORD);
      expect(JSON.parse(plain.out)).toEqual(session);
      expect(plain.err).toBe('');
      const minted = await run(['login', 'alice', '--password-stdin', '--mint-token', 'laptop', '--json'], PASSWORD);
      expect(JSON.parse(minted.out)).toEqual(issued);
      expect(occurrences(minted.out + minted.err, SECRET)).toBe(1);
      expect(minted.out + minted.err).not.toContain(PASSWORD);
    });

    it('prompts at a terminal and reads the password without echo', async () => {
      handler = identityServer;
      const rawModes: boolean[] = [];
      const terminal = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (raw: boolean) => rawModes.push(raw) });
      terminal.write(`${PASSWORD}\r`);
      const r = await run(['login', 'alice'], terminal);
      expect(r.code).toBe(0);
      expect(rawModes).toEqual([true, false]);
      expect(r.err).toBe('Password for alice: \nadd --mint-token <name> to create an API token to use as STRATA_TOKEN\n');
      expect(request(0).body).toEqual({ username: 'alice', password: PASSWORD });
    });

    it('refuses piped input without --password-stdin, before calling the server', async () => {
      handler = identityServer;
      const r = await run(['login', 'alice'], PASSWORD);
      expect(r.code).toBe(2);
      expect(r.err).toContain('standard input is not a terminal: pipe the password in and add --password-stdin');
      expect(r.err).toContain("(see 'strata help login')");
      expect(stub.requests).toHaveLength(0);
    });

    it('never takes a password from the command line', async () => {
      handler = identityServer;
      const r = await run(['login', 'alice', '--password', PASSWORD]);
      expect(r.code).toBe(2);
      expect(r.err).toContain("Unknown option '--password'");
      expect(stub.requests).toHaveLength(0);
      for (const command of COMMANDS) expect(Object.keys(command.options)).not.toContain('password');
    });

    it('shows the problem+json of a failed sign-in and exits 1, without the password', async () => {
      handler = () => ({ status: 401, body: { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'invalid user name or password' } });
      const r = await run(['login', 'alice', '--password-stdin', '--mint-token', 'laptop'], PASSWORD);
      expect(r).toEqual({ code: 1, out: '', err: 'strata: Unauthorized (HTTP 401): invalid user name or password\n' });
      expect(stub.requests).toHaveLength(1);
    });

    it.each([
      [['login', 'alice', '--password-stdin', '--read-only'], 'token limits need --mint-token <name>'],
      [['login', 'alice', '--password-stdin', '--mint-token', ' '], '--mint-token needs a name'],
      [['login', '--password-stdin'], 'missing arguments: strata login <username>'],
    ])('%j is a usage error', async (argv, message) => {
      handler = identityServer;
      const r = await run(argv, PASSWORD);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(stub.requests).toHaveLength(0);
    });
  });

  describe('strata whoami', () => {
    const me = { id: 'alice', userId: 'alice', admin: false, groups: ['devs', 'ops'], authMethod: 'token', tokenId: 'tok-1', readOnly: true, repositories: ['libs'] };

    it('asks with the configured token and prints the principal', async () => {
      handler = () => ({ status: 200, body: me });
      const r = await run(['whoami']);
      expect(request(0)).toEqual({ line: 'GET /api/v1/auth/whoami', auth: 'Bearer tok', body: undefined });
      expect(r.out.split('\n')).toEqual([
        'user            alice',
        'admin           no',
        'groups          devs, ops',
        'signed in with  token tok-1',
        'read only       yes',
        'repositories    libs',
        '',
      ]);
      expect(JSON.parse((await run(['whoami', '--json'])).out)).toEqual(me);
    });

    it('names the bootstrap admin token', async () => {
      handler = () => ({ status: 200, body: { id: 'token:bootstrap-admin', admin: true, groups: [], authMethod: 'bootstrap-token', tokenId: null, readOnly: false, repositories: null } });
      const r = await run(['whoami']);
      expect(r.out).toContain('user            - (bootstrap admin token)\nactor           token:bootstrap-admin\nadmin           yes\n');
    });
  });

  describe('strata token', () => {
    it('create sends the name, user and every limit, and labels the secret, printed once', async () => {
      const view = { ...issued, name: 'ci', userId: 'svc-ci', expiresAt: '2025-12-31T00:00:00.000Z', readOnly: true, repositories: ['libs', 'npm'], cidrs: ['10.0.0.0/8', '192.168.1.7/32'] };
      handler = () => ({ status: 201, headers: { 'cache-control': 'no-store' }, body: view });
      const r = await run(['token', 'create', 'ci', '--user', 'svc-ci', '--expires-at', '2025-12-31', '--read-only', '--repositories', 'libs, npm', '--cidrs', '10.0.0.0/8,192.168.1.7/32']);
      expect(r.code).toBe(0);
      expect(request(0)).toEqual({
        line: 'POST /api/v1/tokens',
        auth: 'Bearer tok',
        body: { name: 'ci', user: 'svc-ci', expiresAt: '2025-12-31T00:00:00.000Z', readOnly: true, repositories: ['libs', 'npm'], cidrs: ['10.0.0.0/8', '192.168.1.7/32'] },
      });
      expect(r.out).toBe(
        [
          'created token ci (id tok-1) for svc-ci',
          'expires       2025-12-31 00:00:00',
          'read only     yes',
          'repositories  libs, npm',
          'networks      10.0.0.0/8, 192.168.1.7/32',
          '',
          'token (shown only this once; the server keeps just a hash of it):',
          `  ${SECRET}`,
          '',
        ].join('\n'),
      );
      expect(occurrences(r.out + r.err, SECRET)).toBe(1);
    });

    it('create --expires-in-days; --json prints the answer with the secret once', async () => {
      handler = () => ({ status: 201, body: issued });
      const r = await run(['token', 'create', 'laptop', '--expires-in-days', '90', '--json']);
      expect(request(0).body).toEqual({ name: 'laptop', expiresInDays: 90 });
      expect(JSON.parse(r.out)).toEqual(issued);
      expect(occurrences(r.out + r.err, SECRET)).toBe(1);
    });

    it.each([
      [['--expires-in-days', '7', '--expires-at', '2030-01-01'], 'give --expires-in-days or --expires-at, not both'],
      [['--expires-at', 'next tuesday'], '--expires-at must be an ISO 8601 date or time'],
      [['--expires-in-days', '4000'], '--expires-in-days must be at most 3650'],
      [['--expires-in-days', '0'], '--expires-in-days must be at least 1'],
      [['--repositories', ' , '], '--repositories needs at least one value'],
    ])('create %j is a usage error', async (flags, message) => {
      handler = () => ({ status: 201, body: issued });
      const r = await run(['token', 'create', 'ci', ...flags]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(stub.requests).toHaveLength(0);
    });

    it('list shows state, expiry, last use and limits; --user asks for other users', async () => {
      const items = [
        { ...tokenView, createdAt: '2024-04-01T08:00:00.000Z', lastUsedAt: '2024-05-01T11:59:00.000Z' },
        { ...tokenView, tokenId: 'tok-2', name: 'ci', userId: 'svc-ci', expiresAt: '2024-04-30T00:00:00.000Z', readOnly: true, repositories: ['libs', 'npm'], cidrs: ['10.0.0.0/8'], lastUsedAt: null },
        { ...tokenView, tokenId: 'tok-3', name: 'old', revokedAt: '2024-04-02T00:00:00.000Z', expiresAt: '2024-12-31T00:00:00.000Z', lastUsedAt: null },
      ];
      handler = () => ({ status: 200, body: { items } });
      const r = await run(['token', 'list']);
      expect(r.out.split('\n')).toEqual([
        'ID     NAME    USER    STATE    CREATED              EXPIRES              LAST USED            LIMITS',
        'tok-1  laptop  alice   active   2024-04-01 08:00:00  never                2024-05-01 11:59:00  -',
        'tok-2  ci      svc-ci  expired  2024-05-01 12:00:00  2024-04-30 00:00:00  never                read-only; repos libs,npm; from 10.0.0.0/8',
        'tok-3  old     alice   revoked  2024-05-01 12:00:00  2024-12-31 00:00:00  never                -',
        '',
      ]);
      expect(JSON.parse((await run(['token', 'list', '--user', '*', '--json'])).out)).toEqual({ items });
      await run(['token', 'list', '--user', 'bob']);
      expect(stub.requests.map((_, i) => request(i).line)).toEqual(['GET /api/v1/tokens', 'GET /api/v1/tokens?user=*', 'GET /api/v1/tokens?user=bob']);
      expect(stub.requests.every((q) => q.headers.authorization === 'Bearer tok')).toBe(true);
    });

    it('list says so when there are none', async () => {
      handler = () => ({ status: 200, body: { items: [] } });
      expect((await run(['token', 'list'])).out).toBe('no tokens\n');
    });

    it('revoke deletes the token', async () => {
      handler = () => ({ status: 204 });
      expect(await run(['token', 'revoke', 'tok-1'])).toEqual({ code: 0, out: 'revoked token tok-1\n', err: '' });
      expect(JSON.parse((await run(['token', 'revoke', 'tok-1', '--json'])).out)).toEqual({ tokenId: 'tok-1', revoked: true });
      expect(request(0)).toEqual({ line: 'DELETE /api/v1/tokens/tok-1', auth: 'Bearer tok', body: undefined });
    });
  });

  describe('help', () => {
    it('strata help lists the identity commands', async () => {
      const io = captureIo();
      expect(await main(['help'], io)).toBe(0);
      for (const name of ['login', 'whoami', 'user create', 'user set-password', 'group add', 'token create', 'token revoke', 'grant', 'grants', 'revoke-grant']) {
        expect(io.out()).toMatch(new RegExp(`^  ${name} `, 'm'));
      }
    });

    it('strata login --help explains where the password comes from', async () => {
      const io = captureIo();
      expect(await main(['login', '--help'], io)).toBe(0);
      expect(io.out()).toContain('usage: strata login <username> [--password-stdin] [--mint-token <name> [limits]]');
      expect(io.out()).toContain('--password-stdin');
      expect(io.out()).toContain('--expires-in-days <n>');
    });

    it('strata token lists the group', async () => {
      const io = captureIo();
      expect(await main(['token'], io)).toBe(2);
      expect(io.out()).toContain('token create');
      expect(io.out()).toContain('token revoke');
      expect(io.out()).not.toContain('user create');
    });
  });
});
