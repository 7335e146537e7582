import { listOption, stringOption, type OptionValues } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { formatFields, formatTable, formatTime, toJson } from '../format.js';

/** A grant as the admin API returns it. */
export interface GrantView {
  grantId: string;
  /** a repository name, or `*` for every repository */
  repository: string;
  subject: { type: string; id: string };
  actions: string[];
  pattern?: string;
  grantedAt: string;
  grantedBy: string;
}

export const ACTIONS = ['read', 'write', 'delete', 'admin'];

/** `*` is every repository: /api/v1/permissions (registry admins); otherwise the repository's own. */
export const permissionsPath = (repository: string): string =>
  repository === '*' ? '/api/v1/permissions' : `/api/v1/repositories/${encodeURIComponent(repository)}/permissions`;

const where = (repository: string) => (repository === '*' ? 'every repository' : repository);
const subjectText = (g: GrantView) => `${g.subject.type} ${g.subject.id}`;

/** The body of POST .../permissions: exactly one of --user / --group, known actions. */
export function grantBody(values: OptionValues): Record<string, unknown> {
  const user = stringOption(values, 'user');
  const group = stringOption(values, 'group');
  if ((user === undefined) === (group === undefined)) throw new UsageError('give exactly one of --user <id> or --group <name>', 'grant');
  const actions = listOption(values, 'actions');
  if (!actions) throw new UsageError(`--actions is required: some of ${ACTIONS.join(',')}`, 'grant');
  const unknown = actions.filter((a) => !ACTIONS.includes(a));
  if (unknown.length > 0) throw new UsageError(`unknown action${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: use ${ACTIONS.join(', ')}`, 'grant');
  const pattern = stringOption(values, 'pattern');
  if (pattern !== undefined && !pattern.trim()) throw new UsageError('--pattern must not be empty', 'grant');
  return {
    subject: user !== undefined ? { type: 'user', id: user } : { type: 'group', id: group },
    actions,
    ...(pattern === undefined ? {} : { pattern }),
  };
}

export function formatGrant(g: GrantView): string {
  return formatFields([
    ['grant', g.grantId],
    ['repository', where(g.repository)],
    ['subject', subjectText(g)],
    ['actions', g.actions.join(', ')],
    ['pattern', g.pattern],
    ['granted', `${formatTime(g.grantedAt)} by ${g.grantedBy}`],
  ]);
}

export function formatGrantList(items: GrantView[]): string {
  if (items.length === 0) return 'no grants';
  const rows = items.map((g) => [g.grantId, subjectText(g), g.actions.join(','), g.pattern ?? '-', formatTime(g.grantedAt), g.grantedBy]);
  return formatTable(['ID', 'SUBJECT', 'ACTIONS', 'PATTERN', 'GRANTED', 'BY'], rows);
}

const REPO_NOTE = "<repo> is a repository name, or '*' (quoted) for a grant on every repository (registry admins).";

export const grantCommands: Command[] = [
  {
    path: ['grant'],
    args: "<repo|'*'> --user <id>|--group <name> --actions read,write[,delete,admin] [--pattern <glob>]",
    summary: 'allow a user or group actions on a repository (or on every one)',
    notes: `${REPO_NOTE}\n--pattern limits the grant to package names it matches (* matches anything), e.g. --pattern '@team/*'.`,
    options: {
      user: { type: 'string', value: '<id>', description: 'the user to grant to' },
      group: { type: 'string', value: '<name>', description: 'the group to grant to' },
      actions: { type: 'string', value: '<a,b,...>', description: `what they may do: ${ACTIONS.join(', ')} (required)` },
      pattern: { type: 'string', value: '<glob>', description: 'only for package names matching this pattern (* is a wildcard)' },
    },
    positionals: { min: 1, max: 1 },
    async run(ctx, { values, positionals }) {
      const repository = positionals[0]!;
      const body = grantBody(values);
      const { body: grant } = await ctx.api.json<GrantView>('POST', permissionsPath(repository), { json: body });
      if (ctx.json) ctx.print(toJson(grant));
      else ctx.print(`granted ${grant.actions.join(', ')} on ${where(repository)} to ${subjectText(grant)}\n${formatGrant(grant)}`);
      return 0;
    },
  },
  {
    path: ['grants'],
    args: "<repo|'*'>",
    summary: 'list the grants on a repository (or on every one)',
    notes: REPO_NOTE,
    options: {},
    positionals: { min: 1, max: 1 },
    async run(ctx, { positionals }) {
      const list = await ctx.api.get<{ items: GrantView[] }>(permissionsPath(positionals[0]!));
      ctx.print(ctx.json ? toJson(list) : formatGrantList(list.items ?? []));
      return 0;
    },
  },
  {
    path: ['revoke-grant'],
    args: "<repo|'*'> <grantId>",
    summary: 'remove a grant (see strata grants for ids)',
    notes: REPO_NOTE,
    options: {},
    positionals: { min: 2, max: 2 },
    async run(ctx, { positionals }) {
      const [repository, grantId] = positionals as [string, string];
      await ctx.api.json('DELETE', `${permissionsPath(repository)}/${encodeURIComponent(grantId)}`);
      ctx.print(ctx.json ? JSON.stringify({ repository, grantId, revoked: true }) : `revoked grant ${grantId} on ${where(repository)}`);
      return 0;
    },
  },
];
