import { Readable } from 'node:stream';
import { main } from './main.js';
import { captureIo, startStub, type Stub, type StubHandler } from './stub-server.js';

process.env.TZ = 'UTC';

const PASSWORD = 'Tr0ub4dor&3-long-enough';
const alice = { userId: 'alice', source: 'local', admin: false, disabled: false, groups: ['devs'], createdAt: '2024-05-01T12:00:00.000Z' };
const svc = { userId: 'svc-ci', source: 'service', admin: false, disabled: false, groups: [], createdAt: '2024-05-02T09:30:00.000Z' };
const devs = { name: 'devs', members: ['alice', 'bob'] };
const grant = { grantId: 'g-1', repository: 'npm', subject: { type: 'group', id: 'devs' }, actions: ['read', 'write'], pattern: '@team/*', grantedAt: '2024-05-01T12:00:00.000Z', grantedBy: 'admin' };
const globalGrant = { grantId: 'g-2', repository: '*', subject: { type: 'user', id: 'alice' }, actions: ['admin'], grantedAt: '2024-05-01T13:00:00.000Z', grantedBy: 'token:bootstrap-admin' };

describe('identity commands: users, groups, grants', () => {
  let stub: Stub;
  let handler: StubHandler;
  const run = async (argv: string[], stdin?: string) => {
    const io = captureIo({ STRATA_URL: stub.url, STRATA_TOKEN: 'tok' }, { stdin: stdin === undefined ? undefined : Readable.from([stdin]) });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };
  const sent = () => stub.requests.map((r) => ({ line: `${r.method} ${r.path}`, body: r.body.length ? JSON.parse(r.body.toString()) : undefined }));
  /** exits 2 with `message` and calls no server */
  const usageError = async (argv: string[], message: string, stdin?: string) => {
    stub.requests.length = 0;
    const r = await run(argv, stdin);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(stub.requests).toHaveLength(0);
  };

  beforeAll(async () => {
    stub = await startStub((req) => handler(req));
  });
  afterAll(() => stub.close());
  beforeEach(() => {
    stub.requests.length = 0;
  });
  afterEach(() => {
    expect(stub.requests.every((r) => r.headers.authorization === 'Bearer tok')).toBe(true);
  });

  describe('strata user', () => {
    it('create --admin --password-stdin posts the piped password and never prints it', async () => {
      handler = () => ({ status: 201, headers: { location: '/api/v1/users/alice' }, body: { ...alice, admin: true } });
      const r = await run(['user', 'create', 'alice', '--admin', '--password-stdin'], `${PASSWORD}\n`);
      expect(r.code).toBe(0);
      expect(sent()).toEqual([{ line: 'POST /api/v1/users', body: { username: 'alice', admin: true, serviceAccount: false, password: PASSWORD } }]);
      expect(r.out.split('\n')).toEqual(['created user alice', 'user      alice', 'source    local', 'admin     yes', 'disabled  no', 'groups    devs', 'created   2024-05-01 12:00:00', '']);
      expect(r.err).toBe('');
      expect(r.out + r.err).not.toContain(PASSWORD);
    });

    it('create --service-account sends no password and hints at tokens', async () => {
      handler = () => ({ status: 201, body: svc });
      const r = await run(['user', 'create', 'svc-ci', '--service-account']);
      expect(sent()).toEqual([{ line: 'POST /api/v1/users', body: { username: 'svc-ci', admin: false, serviceAccount: true } }]);
      expect(r.out).toContain('created service account svc-ci\nuser      svc-ci\nsource    service account\n');
      expect(r.err).toBe('create its tokens with: strata token create <name> --user svc-ci\n');
    });

    it('create without --password-stdin leaves stdin alone and says the user has no password', async () => {
      handler = () => ({ status: 201, body: alice });
      const r = await run(['user', 'create', 'alice'], 'not a password\n');
      expect(sent()[0]!.body).toEqual({ username: 'alice', admin: false, serviceAccount: false });
      expect(r.err).toBe('alice has no password yet: strata user set-password alice --password-stdin\n');
    });

    it('create --service-account --password-stdin is refused before reading stdin', async () => {
      await usageError(['user', 'create', 'svc-ci', '--service-account', '--password-stdin'], 'service accounts sign in with tokens only', PASSWORD);
    });

    it('list prints a table; show --json the user', async () => {
      handler = (req) => (req.path === '/api/v1/users' ? { status: 200, body: { items: [alice, svc] } } : { status: 200, body: alice });
      expect((await run(['user', 'list'])).out.split('\n')).toEqual([
        'USER    SOURCE   ADMIN  DISABLED  GROUPS  CREATED',
        'alice   local    no     no        devs    2024-05-01 12:00:00',
        'svc-ci  service  no     no        -       2024-05-02 09:30:00',
        '',
      ]);
      expect(JSON.parse((await run(['user', 'list', '--json'])).out)).toEqual({ items: [alice, svc] });
      expect((await run(['user', 'show', 'alice', '--json'])).out).toBe(`${JSON.stringify(alice, null, 2)}\n`);
      expect(sent().map((s) => s.line)).toEqual(['GET /api/v1/users', 'GET /api/v1/users', 'GET /api/v1/users/alice']);
    });

    it('list says so when there are none', async () => {
      handler = () => ({ status: 200, body: { items: [] } });
      expect((await run(['user', 'list'])).out).toBe('no users\n');
    });

    it('disable, enable and set-admin PATCH one field each', async () => {
      handler = () => ({ status: 200, body: alice });
      expect((await run(['user', 'disable', 'alice'])).out).toMatch(/^disabled user alice\nuser {6}alice\n/);
      expect((await run(['user', 'enable', 'alice'])).out).toMatch(/^enabled user alice\n/);
      expect((await run(['user', 'set-admin', 'alice', 'true'])).out).toMatch(/^alice is now a registry admin\n/);
      expect((await run(['user', 'set-admin', 'alice', 'false'])).out).toMatch(/^alice is no longer a registry admin\n/);
      expect(sent()).toEqual([
        { line: 'PATCH /api/v1/users/alice', body: { disabled: true } },
        { line: 'PATCH /api/v1/users/alice', body: { disabled: false } },
        { line: 'PATCH /api/v1/users/alice', body: { admin: true } },
        { line: 'PATCH /api/v1/users/alice', body: { admin: false } },
      ]);
      expect(JSON.parse((await run(['user', 'disable', 'alice', '--json'])).out)).toEqual(alice);
    });

    it('set-admin takes only true or false', async () => {
      await usageError(['user', 'set-admin', 'alice', 'yes'], 'expected true or false, got "yes"');
      await usageError(['user', 'set-admin', 'alice'], 'missing arguments: strata user set-admin <id> true|false');
    });

    it('set-password --password-stdin sends the piped password and never prints it', async () => {
      handler = () => ({ status: 200, body: alice });
      const r = await run(['user', 'set-password', 'alice', '--password-stdin'], `${PASSWORD}\r\n`);
      expect(r.code).toBe(0);
      expect(sent()).toEqual([{ line: 'PATCH /api/v1/users/alice', body: { password: PASSWORD } }]);
      expect(r.out).toMatch(/^set the password of alice\n/);
      expect(r.out + r.err).not.toContain(PASSWORD);
    });

    it('set-password refuses a pipe without --password-stdin and an empty password', async () => {
      await usageError(['user', 'set-password', 'alice'], 'add --password-stdin', PASSWORD);
      const r = await run(['user', 'set-password', 'alice', '--password-stdin'], '\n');
      expect(r).toEqual({ code: 1, out: '', err: 'strata: the password is empty\n' });
      expect(stub.requests).toHaveLength(0);
    });

    it('encodes the id and shows a refused password change', async () => {
      handler = () => ({ status: 400, body: { title: 'Bad Request', status: 400, detail: 'passwords are 12-256 characters' } });
      const r = await run(['user', 'set-password', 'a b', '--password-stdin'], 'short\n');
      expect(r).toEqual({ code: 1, out: '', err: 'strata: Bad Request (HTTP 400): passwords are 12-256 characters\n' });
      expect(sent()[0]!.line).toBe('PATCH /api/v1/users/a%20b');
    });
  });

  describe('strata group', () => {
    it('create posts the members (none by default)', async () => {
      handler = () => ({ status: 201, body: devs });
      const r = await run(['group', 'create', 'devs', '--members', 'alice, bob']);
      await run(['group', 'create', 'empty']);
      expect(sent()).toEqual([
        { line: 'POST /api/v1/groups', body: { name: 'devs', members: ['alice', 'bob'] } },
        { line: 'POST /api/v1/groups', body: { name: 'empty', members: [] } },
      ]);
      expect(r.out).toBe('created group devs\ngroup    devs\nmembers  alice, bob (2)\n');
    });

    it('list, show and --json', async () => {
      handler = (req) => (req.path === '/api/v1/groups' ? { status: 200, body: { items: [devs, { name: 'ops', members: [] }] } } : { status: 200, body: devs });
      expect((await run(['group', 'list'])).out.split('\n')).toEqual(['GROUP  MEMBERS  USERS', 'devs         2  alice,bob', 'ops          0  -', '']);
      expect((await run(['group', 'show', 'devs'])).out).toBe('group    devs\nmembers  alice, bob (2)\n');
      expect(JSON.parse((await run(['group', 'show', 'devs', '--json'])).out)).toEqual(devs);
      expect(sent().map((s) => s.line)).toEqual(['GET /api/v1/groups', 'GET /api/v1/groups/devs', 'GET /api/v1/groups/devs']);
    });

    it('add and remove PATCH {add} / {remove} with every user named', async () => {
      handler = () => ({ status: 200, body: devs });
      expect((await run(['group', 'add', 'devs', 'carol', 'dave'])).out).toMatch(/^added carol, dave to group devs\n/);
      expect((await run(['group', 'remove', 'devs', 'bob'])).out).toMatch(/^removed bob from group devs\n/);
      expect(sent()).toEqual([
        { line: 'PATCH /api/v1/groups/devs', body: { add: ['carol', 'dave'] } },
        { line: 'PATCH /api/v1/groups/devs', body: { remove: ['bob'] } },
      ]);
      await usageError(['group', 'add', 'devs'], 'missing arguments: strata group add <name> <user...>');
    });

    it('delete', async () => {
      handler = () => ({ status: 204 });
      expect(await run(['group', 'delete', 'devs'])).toEqual({ code: 0, out: 'deleted group devs\n', err: '' });
      expect(sent()).toEqual([{ line: 'DELETE /api/v1/groups/devs', body: undefined }]);
    });
  });

  describe('strata grant, grants, revoke-grant', () => {
    it('grant on a repository posts the subject, actions and pattern', async () => {
      handler = () => ({ status: 201, body: grant });
      const r = await run(['grant', 'npm', '--group', 'devs', '--actions', 'read,write', '--pattern', '@team/*']);
      expect(sent()).toEqual([{ line: 'POST /api/v1/repositories/npm/permissions', body: { subject: { type: 'group', id: 'devs' }, actions: ['read', 'write'], pattern: '@team/*' } }]);
      expect(r.out.split('\n')).toEqual([
        'granted read, write on npm to group devs',
        'grant       g-1',
        'repository  npm',
        'subject     group devs',
        'actions     read, write',
        'pattern     @team/*',
        'granted     2024-05-01 12:00:00 by admin',
        '',
      ]);
      expect(JSON.parse((await run(['grant', 'npm', '--group', 'devs', '--actions', 'read', '--json'])).out)).toEqual(grant);
    });

    it("grant '*' is a global grant on /api/v1/permissions", async () => {
      handler = () => ({ status: 201, body: globalGrant });
      const r = await run(['grant', '*', '--user', 'alice', '--actions', 'admin']);
      expect(sent()).toEqual([{ line: 'POST /api/v1/permissions', body: { subject: { type: 'user', id: 'alice' }, actions: ['admin'] } }]);
      expect(r.out).toMatch(/^granted admin on every repository to user alice\n/);
    });

    it.each([
      [['grant', 'npm', '--actions', 'read'], 'give exactly one of --user <id> or --group <name>'],
      [['grant', 'npm', '--user', 'a', '--group', 'g', '--actions', 'read'], 'give exactly one of --user <id> or --group <name>'],
      [['grant', 'npm', '--user', 'a'], '--actions is required: some of read,write,delete,admin'],
      [['grant', 'npm', '--user', 'a', '--actions', 'read,push,pull'], 'unknown actions push, pull: use read, write, delete, admin'],
      [['grant', 'npm', '--user', 'a', '--actions', 'read', '--pattern', ''], '--pattern must not be empty'],
    ])('%j is a usage error', async (argv, message) => {
      await usageError(argv, message);
    });

    it('grants lists a repository or the global grants', async () => {
      handler = (req) => ({ status: 200, body: { items: req.path === '/api/v1/permissions' ? [globalGrant] : [grant] } });
      expect((await run(['grants', 'npm'])).out.split('\n')).toEqual([
        'ID   SUBJECT     ACTIONS     PATTERN  GRANTED              BY',
        'g-1  group devs  read,write  @team/*  2024-05-01 12:00:00  admin',
        '',
      ]);
      expect((await run(['grants', '*'])).out).toContain('g-2  user alice  admin    -        2024-05-01 13:00:00  token:bootstrap-admin');
      expect(JSON.parse((await run(['grants', 'npm', '--json'])).out)).toEqual({ items: [grant] });
      expect(sent().map((s) => s.line)).toEqual(['GET /api/v1/repositories/npm/permissions', 'GET /api/v1/permissions', 'GET /api/v1/repositories/npm/permissions']);
    });

    it('grants says so when there are none', async () => {
      handler = () => ({ status: 200, body: { items: [] } });
      expect((await run(['grants', 'npm'])).out).toBe('no grants\n');
    });

    it('revoke-grant deletes from the repository or the global grants', async () => {
      handler = () => ({ status: 204 });
      expect((await run(['revoke-grant', 'npm', 'g-1'])).out).toBe('revoked grant g-1 on npm\n');
      expect((await run(['revoke-grant', '*', 'g-2'])).out).toBe('revoked grant g-2 on every repository\n');
      expect(JSON.parse((await run(['revoke-grant', 'npm', 'g-1', '--json'])).out)).toEqual({ repository: 'npm', grantId: 'g-1', revoked: true });
      expect(sent().map((s) => s.line)).toEqual(['DELETE /api/v1/repositories/npm/permissions/g-1', 'DELETE /api/v1/permissions/g-2', 'DELETE /api/v1/repositories/npm/permissions/g-1']);
    });

    it('shows why the server refused', async () => {
      handler = () => ({ status: 403, body: { title: 'Forbidden', status: 403, detail: 'admin on repository "npm" required' } });
      expect(await run(['grants', 'npm'])).toEqual({ code: 1, out: '', err: 'strata: Forbidden (HTTP 403): admin on repository "npm" required\n' });
    });
  });
});
