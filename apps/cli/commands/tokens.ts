import { booleanOption, integerOption, listOption, stringOption, type OptionSpecs, type OptionValues } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { UsageError } from '../errors.js';
import { formatFields, formatTable, formatTime, toJson, yesNo } from '../format.js';

/** An API token as GET /api/v1/tokens lists it (secrets are never listed). */
export interface TokenView {
  tokenId: string;
  userId: string;
  name: string;
  expiresAt: string | null;
  readOnly: boolean;
  repositories: string[] | null;
  cidrs: string[] | null;
  createdAt: string;
  revokedAt: string | null;
  /** only in the list */
  lastUsedAt?: string | null;
}

/** The answer to POST /api/v1/tokens: the view plus the secret, which the server never shows again. */
export type IssuedToken = TokenView & { token: string };

const MAX_DAYS = 3650;

/** The limits a new token can carry; `login --mint-token` takes them too. */
export const TOKEN_LIMIT_OPTIONS: OptionSpecs = {
  'expires-in-days': { type: 'string', value: '<n>', description: `the token expires after n days (1-${MAX_DAYS}; default: never)` },
  'expires-at': { type: 'string', value: '<iso>', description: 'the token expires at this time: 2025-12-31 (00:00 UTC) or 2025-12-31T18:00:00+01:00' },
  'read-only': { type: 'boolean', description: 'the token may only read, whatever its user may do' },
  repositories: { type: 'string', value: '<a,b,...>', description: 'the token works only on these repositories' },
  cidrs: { type: 'string', value: '<net,...>', description: 'the token works only from these networks, e.g. 10.0.0.0/8,192.168.1.7/32' },
};

function expiresAtOption(values: OptionValues): string | undefined {
  const raw = stringOption(values, 'expires-at');
  if (raw === undefined) return undefined;
  const ms = /^\s*\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw.trim()) : NaN;
  if (Number.isNaN(ms)) throw new UsageError(`--expires-at must be an ISO 8601 date or time such as 2025-12-31 or 2025-12-31T18:00:00Z, got "${raw}"`);
  return new Date(ms).toISOString();
}

/** The token limits the user gave, in the API's names; absent flags stay absent. */
export function tokenLimits(values: OptionValues): Record<string, unknown> {
  const days = integerOption(values, 'expires-in-days', 1);
  if (days !== undefined && days > MAX_DAYS) throw new UsageError(`--expires-in-days must be at most ${MAX_DAYS}, got ${days}`);
  const expiresAt = expiresAtOption(values);
  if (days !== undefined && expiresAt !== undefined) throw new UsageError('give --expires-in-days or --expires-at, not both');
  const limits: Record<string, unknown> = {
    expiresInDays: days,
    expiresAt,
    readOnly: booleanOption(values, 'read-only'),
    repositories: listOption(values, 'repositories'),
    cidrs: listOption(values, 'cidrs'),
  };
  for (const key of Object.keys(limits)) if (limits[key] === undefined) delete limits[key];
  return limits;
}

/** The body of POST /api/v1/tokens. */
export function tokenBody(name: string, values: OptionValues): Record<string, unknown> {
  const user = stringOption(values, 'user');
  return { name, ...(user === undefined ? {} : { user }), ...tokenLimits(values) };
}

const limitsText = (t: TokenView): string =>
  [t.readOnly ? 'read-only' : '', t.repositories ? `repos ${t.repositories.join(',')}` : '', t.cidrs ? `from ${t.cidrs.join(',')}` : ''].filter(Boolean).join('; ') || '-';

export function tokenState(t: TokenView, now: number): string {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}

export function formatTokenList(items: TokenView[], now: number): string {
  if (items.length === 0) return 'no tokens';
  const rows = items.map((t) => [
    t.tokenId,
    t.name,
    t.userId,
    tokenState(t, now),
    formatTime(t.createdAt),
    t.expiresAt ? formatTime(t.expiresAt) : 'never',
    t.lastUsedAt ? formatTime(t.lastUsedAt) : 'never',
    limitsText(t),
  ]);
  return formatTable(['ID', 'NAME', 'USER', 'STATE', 'CREATED', 'EXPIRES', 'LAST USED', 'LIMITS'], rows);
}

/**
 * A new token: its settings, then the secret on a line of its own under a label saying it is
 * shown this once. The secret appears nowhere else in the output.
 */
export function formatIssuedToken(t: IssuedToken): string {
  return [
    `created token ${t.name} (id ${t.tokenId}) for ${t.userId}`,
    formatFields([
      ['expires', t.expiresAt ? formatTime(t.expiresAt) : 'never'],
      ['read only', yesNo(t.readOnly)],
      ['repositories', t.repositories ? t.repositories.join(', ') : 'all'],
      ['networks', t.cidrs ? t.cidrs.join(', ') : 'any'],
    ]),
    '',
    'token (shown only this once; the server keeps just a hash of it):',
    `  ${t.token}`,
  ].join('\n');
}

export async function issueToken(ctx: CommandContext, api: CommandContext['api'], body: Record<string, unknown>): Promise<IssuedToken> {
  const { body: token } = await api.json<IssuedToken>('POST', '/api/v1/tokens', { json: body });
  if (ctx.json) ctx.print(toJson(token));
  else ctx.print(formatIssuedToken(token));
  return token;
}

export const tokenCommands: Command[] = [
  {
    path: ['token', 'create'],
    args: '<name> [--user <id>] [limits]',
    summary: 'create an API token and print its secret (once)',
    notes: 'Without --user the token is for the caller; admins create tokens for other users and service accounts.\nThe secret is printed once: the server stores only its hash. --json prints it as "token".',
    options: {
      user: { type: 'string', value: '<id>', description: 'the user or service account the token is for (admins)' },
      ...TOKEN_LIMIT_OPTIONS,
    },
    positionals: { min: 1, max: 1 },
    async run(ctx, { values, positionals }) {
      await issueToken(ctx, ctx.api, tokenBody(positionals[0]!, values));
      return 0;
    },
  },
  {
    path: ['token', 'list'],
    args: "[--user <id>|'*']",
    summary: 'list API tokens with their limits and when each was last used',
    notes: "Without --user: your own tokens. Admins: --user <id> for one user's, --user '*' for everyone's (quote the star).",
    options: {
      user: { type: 'string', value: '<id>', description: "whose tokens: a user id, or '*' for all (admins)" },
    },
    positionals: { min: 0, max: 0 },
    async run(ctx, { values }) {
      const list = await ctx.api.get<{ items: TokenView[] }>('/api/v1/tokens', { user: stringOption(values, 'user') });
      ctx.print(ctx.json ? toJson(list) : formatTokenList(list.items ?? [], (ctx.io.now ?? Date.now)()));
      return 0;
    },
  },
  {
    path: ['token', 'revoke'],
    args: '<id>',
    summary: 'revoke an API token (it stops working at once)',
    options: {},
    positionals: { min: 1, max: 1 },
    async run(ctx, { positionals }) {
      const id = positionals[0]!;
      await ctx.api.json('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
      ctx.print(ctx.json ? JSON.stringify({ tokenId: id, revoked: true }) : `revoked token ${id}`);
      return 0;
    },
  },
];
