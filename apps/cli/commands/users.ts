import { booleanOption, type OptionValues } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { UsageError } from '../errors.js';
import { formatFields, formatTable, formatTime, toJson, yesNo } from '../format.js';
import { readPassword } from '../password.js';

/** A user as the admin API returns it. */
export interface UserView {
  userId: string;
  /** local, service, ldap, oidc, saml */
  source: string;
  admin: boolean;
  disabled: boolean;
  groups: string[];
  createdAt: string;
}

export function formatUser(u: UserView): string {
  return formatFields([
    ['user', u.userId],
    ['source', u.source === 'service' ? 'service account' : u.source],
    ['admin', yesNo(u.admin)],
    ['disabled', yesNo(u.disabled)],
    ['groups', u.groups?.length ? u.groups.join(', ') : '-'],
    ['created', formatTime(u.createdAt)],
  ]);
}

export function formatUserList(items: UserView[]): string {
  if (items.length === 0) return 'no users';
  const rows = items.map((u) => [u.userId, u.source, yesNo(u.admin), yesNo(u.disabled), u.groups?.length ? u.groups.join(',') : '-', formatTime(u.createdAt)]);
  return formatTable(['USER', 'SOURCE', 'ADMIN', 'DISABLED', 'GROUPS', 'CREATED'], rows);
}

const userPath = (id: string) => `/api/v1/users/${encodeURIComponent(id)}`;

function printUser(ctx: CommandContext, user: UserView, heading?: string): void {
  if (ctx.json) return ctx.print(toJson(user));
  if (heading) ctx.print(heading);
  ctx.print(formatUser(user));
}

/** One PATCH /api/v1/users/<id> command: what it sends and the line it prints above the user. */
interface UserChange extends Pick<Command, 'path' | 'args' | 'summary' | 'notes'> {
  options?: Command['options'];
  /** `<id>` and, for set-admin, its value */
  positionals?: Command['positionals'];
  heading(id: string, argument?: string): string;
  patch(ctx: CommandContext, id: string, values: OptionValues, argument?: string): Promise<Record<string, unknown>> | Record<string, unknown>;
}

function userChange({ heading, patch, ...spec }: UserChange): Command {
  return {
    options: {},
    positionals: { min: 1, max: 1 },
    ...spec,
    async run(ctx, { values, positionals }) {
      const [id, argument] = positionals as [string, string | undefined];
      const body = await patch(ctx, id, values, argument);
      const { body: user } = await ctx.api.json<UserView>('PATCH', userPath(id), { json: body });
      printUser(ctx, user, heading(id, argument));
      return 0;
    },
  };
}

function parseFlag(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new UsageError(`expected true or false, got "${text}"`, 'user set-admin');
}

export const userCommands: Command[] = [
  {
    path: ['user', 'create'],
    args: '<username> [--admin] [--service-account] [--password-stdin]',
    summary: 'create a local user or a service account',
    notes: [
      'With --password-stdin the new password (12-256 characters) is read from standard input: typed twice',
      'without echo at a terminal, or piped in (printf %s "$PW" | strata user create alice --password-stdin).',
      'Without it the user has no password yet (see user set-password). Service accounts use tokens only.',
    ].join('\n'),
    options: {
      admin: { type: 'boolean', description: 'a registry admin' },
      'service-account': { type: 'boolean', description: 'a service account: signs in with API tokens only, never a password' },
      'password-stdin': { type: 'boolean', description: 'read the initial password from standard input' },
    },
    positionals: { min: 1, max: 1 },
    async run(ctx, { values, positionals }) {
      const username = positionals[0]!;
      const serviceAccount = booleanOption(values, 'service-account') ?? false;
      const withPassword = booleanOption(values, 'password-stdin') ?? false;
      if (serviceAccount && withPassword) throw new UsageError('service accounts sign in with tokens only: drop --password-stdin', 'user create');
      const body: Record<string, unknown> = { username, admin: booleanOption(values, 'admin') ?? false, serviceAccount };
      if (withPassword) body.password = await readPassword(ctx.io, { fromStdin: true, command: 'user create', prompt: `Password for ${username}: `, confirm: true });
      const { body: user } = await ctx.api.json<UserView>('POST', '/api/v1/users', { json: body });
      printUser(ctx, user, `created ${serviceAccount ? 'service account' : 'user'} ${user.userId}`);
      if (!ctx.json && serviceAccount) ctx.note(`create its tokens with: strata token create <name> --user ${user.userId}`);
      else if (!ctx.json && !withPassword) ctx.note(`${user.userId} has no password yet: strata user set-password ${user.userId} --password-stdin`);
      return 0;
    },
  },
  {
    path: ['user', 'list'],
    args: '',
    summary: 'list users and service accounts',
    options: {},
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const list = await ctx.api.get<{ items: UserView[] }>('/api/v1/users');
      ctx.print(ctx.json ? toJson(list) : formatUserList(list.items ?? []));
      return 0;
    },
  },
  {
    path: ['user', 'show'],
    args: '<id>',
    summary: 'show one user',
    options: {},
    positionals: { min: 1, max: 1 },
    async run(ctx, { positionals }) {
      printUser(ctx, await ctx.api.get<UserView>(userPath(positionals[0]!)));
      return 0;
    },
  },
  userChange({
    path: ['user', 'disable'],
    args: '<id>',
    summary: 'disable a user (its tokens and sessions stop working at once)',
    heading: (id) => `disabled user ${id}`,
    patch: () => ({ disabled: true }),
  }),
  userChange({
    path: ['user', 'enable'],
    args: '<id>',
    summary: 'enable a disabled user again',
    heading: (id) => `enabled user ${id}`,
    patch: () => ({ disabled: false }),
  }),
  userChange({
    path: ['user', 'set-admin'],
    args: '<id> true|false',
    summary: 'make a user a registry admin, or no longer one',
    positionals: { min: 2, max: 2 },
    heading: (id, flag) => (flag === 'true' ? `${id} is now a registry admin` : `${id} is no longer a registry admin`),
    patch: (_ctx, _id, _values, flag) => ({ admin: parseFlag(flag!) }),
  }),
  userChange({
    path: ['user', 'set-password'],
    args: '<id> [--password-stdin]',
    summary: "set a local user's password (from standard input, never the command line)",
    notes: 'The password (12-256 characters) is typed twice without echo at a terminal, or piped in with --password-stdin:\n  printf %s "$PW" | strata user set-password alice --password-stdin',
    options: { 'password-stdin': { type: 'boolean', description: 'read the password from standard input (one line)' } },
    heading: (id) => `set the password of ${id}`,
    patch: async (ctx, id, values) => ({
      password: await readPassword(ctx.io, { fromStdin: booleanOption(values, 'password-stdin') ?? false, command: 'user set-password', prompt: `New password for ${id}: `, confirm: true }),
    }),
  }),
];
