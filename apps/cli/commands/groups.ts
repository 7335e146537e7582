import { listOption } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { formatFields, formatTable, toJson } from '../format.js';

/** A group as the admin API returns it. */
export interface GroupView {
  name: string;
  members: string[];
}

const memberText = (members: string[] | undefined, separator: string) => (members?.length ? members.join(separator) : '-');

export function formatGroup(g: GroupView): string {
  return formatFields([
    ['group', g.name],
    ['members', `${memberText(g.members, ', ')}${g.members?.length ? ` (${g.members.length})` : ''}`],
  ]);
}

export function formatGroupList(items: GroupView[]): string {
  if (items.length === 0) return 'no groups';
  return formatTable(['GROUP', 'MEMBERS', 'USERS'], items.map((g) => [g.name, String(g.members?.length ?? 0), memberText(g.members, ',')]), ['left', 'right']);
}

const groupPath = (name: string) => `/api/v1/groups/${encodeURIComponent(name)}`;

function printGroup(ctx: CommandContext, group: GroupView, heading?: string): void {
  if (ctx.json) return ctx.print(toJson(group));
  if (heading) ctx.print(heading);
  ctx.print(formatGroup(group));
}

/** `group add` / `group remove`: PATCH /api/v1/groups/<name> with `{add}` or `{remove}`. */
function membership(verb: 'add' | 'remove'): Command {
  return {
    path: ['group', verb],
    args: '<name> <user...>',
    summary: verb === 'add' ? 'add users to a group' : 'remove users from a group',
    options: {},
    positionals: { min: 2, max: Infinity },
    async run(ctx, { positionals }) {
      const [name, ...users] = positionals as [string, ...string[]];
      const { body: group } = await ctx.api.json<GroupView>('PATCH', groupPath(name), { json: { [verb]: [...new Set(users)] } });
      printGroup(ctx, group, `${verb === 'add' ? 'added' : 'removed'} ${users.join(', ')} ${verb === 'add' ? 'to' : 'from'} group ${name}`);
      return 0;
    },
  };
}

export const groupCommands: Command[] = [
  {
    path: ['group', 'create'],
    args: '<name> [--members a,b]',
    summary: 'create a group, optionally with members',
    options: {
      members: { type: 'string', value: '<a,b,...>', description: 'users to put in the group (they must exist)' },
    },
    positionals: { min: 1, max: 1 },
    async run(ctx, { values, positionals }) {
      const body = { name: positionals[0]!, members: listOption(values, 'members') ?? [] };
      const { body: group } = await ctx.api.json<GroupView>('POST', '/api/v1/groups', { json: body });
      printGroup(ctx, group, `created group ${body.name}`);
      return 0;
    },
  },
  {
    path: ['group', 'list'],
    args: '',
    summary: 'list groups and their members',
    options: {},
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const list = await ctx.api.get<{ items: GroupView[] }>('/api/v1/groups');
      ctx.print(ctx.json ? toJson(list) : formatGroupList(list.items ?? []));
      return 0;
    },
  },
  {
    path: ['group', 'show'],
    args: '<name>',
    summary: 'show one group',
    options: {},
    positionals: { min: 1, max: 1 },
    async run(ctx, { positionals }) {
      printGroup(ctx, await ctx.api.get<GroupView>(groupPath(positionals[0]!)));
      return 0;
    },
  },
  membership('add'),
  membership('remove'),
  {
    path: ['group', 'delete'],
    args: '<name>',
    summary: 'delete a group',
    options: {},
    positionals: { min: 1, max: 1 },
    async run(ctx, { positionals }) {
      const name = positionals[0]!;
      await ctx.api.json('DELETE', groupPath(name));
      ctx.print(ctx.json ? JSON.stringify({ name, deleted: true }) : `deleted group ${name}`);
      return 0;
    },
  },
];
