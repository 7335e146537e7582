import { integerOption, listOption, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { describeEvent, type EventView } from '../event-view.js';
import { formatTable, formatTime, toJson } from '../format.js';
import { encodePath } from '../http.js';

type HistoryItem = EventView & { package?: string | null; direction?: 'in' | 'out' };

/** Events oldest first, one row each: when, where in the log, what, who and from where. */
export function formatTimeline(items: HistoryItem[], withPackage = false): string {
  if (items.length === 0) return 'no history';
  const rows = items.map((e) => [
    formatTime(e.recordedAt),
    `#${e.position}`,
    e.direction ? `${e.type} (${e.direction})` : e.type,
    ...(withPackage ? [e.package ?? '-'] : []),
    describeEvent(e),
    e.metadata ? `${e.metadata.actor} (${e.metadata.authMethod}${e.metadata.clientIp ? `, ${e.metadata.clientIp}` : ''})` : '-',
  ]);
  return formatTable(['TIME', 'POSITION', 'EVENT', ...(withPackage ? ['PACKAGE'] : []), 'WHAT', 'BY'], rows, ['left', 'right']);
}

export const historyCommands: Command[] = [
  {
    path: ['history'],
    args: '<repository> [<package>] [--since <time>] [--until <time>] [--actor <id>] [--type <t,...>] [--after <position>] [--limit <n>] [--all]',
    summary: 'the timeline of a repository or one package: publishes, tags, promotions, deletions, permissions, configuration',
    notes: 'Package names may contain slashes (@scope/name, group/artifact); each segment is encoded.\nPages by position: --after <position> continues where a page ended; --all follows every page.',
    options: {
      since: { type: 'string', value: '<time>', description: 'only events at or after this RFC 3339 time' },
      until: { type: 'string', value: '<time>', description: 'only events at or before this RFC 3339 time' },
      actor: { type: 'string', value: '<id>', description: 'only events by this user or token id' },
      type: { type: 'string', value: '<types>', description: 'only these event types (comma-separated)' },
      after: { type: 'string', value: '<position>', description: 'start after this log position' },
      limit: { type: 'string', value: '<n>', description: 'events per page (default 100, at most 1000)' },
      all: { type: 'boolean', description: 'follow the next links to the end' },
    },
    positionals: { min: 1, max: 2 },
    async run(ctx, { positionals, values }) {
      const [repository, name] = positionals as [string, string | undefined];
      const path = name
        ? `/api/v1/repositories/${encodeURIComponent(repository)}/packages/${encodePath(name)}/history`
        : `/api/v1/repositories/${encodeURIComponent(repository)}/history`;
      const query = {
        since: stringOption(values, 'since'),
        until: stringOption(values, 'until'),
        actor: stringOption(values, 'actor'),
        type: listOption(values, 'type')?.join(','),
        after: integerOption(values, 'after', 0),
        limit: integerOption(values, 'limit', 1),
      };
      const items: HistoryItem[] = [];
      let nextAfter: number | null = null;
      do {
        const body: { items: HistoryItem[]; nextAfter: number | null } = await ctx.api.get(path, { ...query, ...(nextAfter ? { after: nextAfter } : {}) });
        items.push(...(body.items ?? []));
        nextAfter = body.nextAfter ?? null;
      } while (nextAfter !== null && values.all === true);
      if (ctx.json) ctx.print(toJson({ items, nextAfter }));
      else {
        ctx.print(formatTimeline(items, !name));
        if (nextAfter !== null) ctx.note(`more: --after ${nextAfter}`);
      }
      return 0;
    },
  },
];
