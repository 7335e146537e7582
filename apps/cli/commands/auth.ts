import { booleanOption, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { formatDuration, formatFields, formatTime, toJson, yesNo } from '../format.js';
import { readPassword } from '../password.js';
import { issueToken, TOKEN_LIMIT_OPTIONS, tokenLimits } from './tokens.js';

/** The answer to POST /api/v1/auth/login. */
export interface SessionTokens {
  tokenType: string;
  accessToken: string;
  /** seconds */
  expiresIn: number;
  refreshToken: string;
  userId: string;
}

/** The answer to GET /api/v1/auth/whoami. */
export interface WhoAmI {
  id: string;
  /** null for the bootstrap admin token */
  userId?: string | null;
  admin: boolean;
  groups: string[];
  authMethod: string;
  tokenId: string | null;
  readOnly: boolean;
  repositories: string[] | null;
}

export function formatWhoAmI(w: WhoAmI): string {
  return formatFields([
    ['user', w.userId ?? '- (bootstrap admin token)'],
    ['actor', w.id !== w.userId ? w.id : undefined],
    ['admin', yesNo(w.admin)],
    ['groups', w.groups?.length ? w.groups.join(', ') : '-'],
    ['signed in with', w.tokenId ? `${w.authMethod} ${w.tokenId}` : w.authMethod],
    ['read only', yesNo(w.readOnly)],
    ['repositories', w.repositories ? w.repositories.join(', ') : 'all'],
  ]);
}

export const authCommands: Command[] = [
  {
    path: ['login'],
    args: '<username> [--password-stdin] [--mint-token <name> [limits]]',
    summary: 'sign in with a password; with --mint-token, create an API token for STRATA_TOKEN',
    notes: [
      'The password is typed at the terminal without echo, or piped in with --password-stdin:',
      '  printf %s "$PASSWORD" | strata login alice --password-stdin --mint-token laptop',
      'It is never taken from the command line. The session itself is short-lived; --mint-token uses it',
      'once to create an API token, printed once. --json prints the session (or, with --mint-token, the token).',
    ].join('\n'),
    options: {
      'password-stdin': { type: 'boolean', description: 'read the password from standard input (one line)' },
      'mint-token': { type: 'string', value: '<name>', description: 'then create an API token with this name and print it' },
      ...TOKEN_LIMIT_OPTIONS,
    },
    positionals: { min: 1, max: 1 },
    async run(ctx, { values, positionals }) {
      const username = positionals[0]!;
      const tokenName = stringOption(values, 'mint-token');
      const limits = tokenLimits(values);
      if (tokenName === undefined && Object.keys(limits).length > 0) throw new UsageError('token limits need --mint-token <name>', 'login');
      if (tokenName !== undefined && !tokenName.trim()) throw new UsageError('--mint-token needs a name', 'login');
      const password = await readPassword(ctx.io, { fromStdin: booleanOption(values, 'password-stdin') ?? false, command: 'login', prompt: `Password for ${username}: ` });
      // the login itself carries no credential, whatever STRATA_TOKEN holds
      const { body: session } = await ctx.api.withToken(undefined).json<SessionTokens>('POST', '/api/v1/auth/login', { json: { username, password } });
      const now = (ctx.io.now ?? Date.now)();
      const expiry = `${formatTime(new Date(now + session.expiresIn * 1000).toISOString())} (in ${formatDuration(session.expiresIn * 1000)})`;
      if (tokenName === undefined) {
        if (ctx.json) ctx.print(toJson(session));
        else {
          ctx.print(`signed in as ${session.userId}: the session's access token expires ${expiry}`);
          ctx.note('add --mint-token <name> to create an API token to use as STRATA_TOKEN');
        }
        return 0;
      }
      if (!ctx.json) ctx.print(`signed in as ${session.userId}: the session's access token expires ${expiry}`);
      await issueToken(ctx, ctx.api.withToken(session.accessToken), { name: tokenName, ...limits });
      if (!ctx.json) ctx.print('use it with: export STRATA_TOKEN=<the token above>');
      return 0;
    },
  },
  {
    path: ['whoami'],
    args: '',
    summary: 'show who the current credential signs in as, its groups and limits',
    options: {},
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const me = await ctx.api.get<WhoAmI>('/api/v1/auth/whoami');
      ctx.print(ctx.json ? toJson(me) : formatWhoAmI(me));
      return 0;
    },
  },
];
