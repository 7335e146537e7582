import type { Command } from '../command.js';
import { describeEvent, type EventView } from '../event-view.js';
import { formatTable, formatTime, toJson } from '../format.js';
import { encodePath } from '../http.js';

/** The package's events oldest first, one row each: when, where in the log, what, who. */
export function formatTimeline(items: EventView[]): string {
  if (items.length === 0) return 'no history';
  const rows = items.map((e) => [
    formatTime(e.recordedAt),
    `#${e.position}`,
    e.type,
    describeEvent(e),
    e.metadata ? `${e.metadata.actor} (${e.metadata.authMethod})` : '-',
  ]);
  return formatTable(['TIME', 'POSITION', 'EVENT', 'WHAT', 'BY'], rows, ['left', 'right']);
}

export const historyCommands: Command[] = [
  {
    path: ['history'],
    args: '<repository> <package>',
    summary: 'the timeline of one package: every publish, tag, promotion and deletion',
    notes: 'Package names may contain slashes (@scope/name, group/artifact); each segment is encoded.',
    options: {},
    positionals: { min: 2, max: 2 },
    async run(ctx, { positionals }) {
      const [repository, name] = positionals as [string, string];
      const path = `/api/v1/repositories/${encodeURIComponent(repository)}/packages/${encodePath(name)}/history`;
      const body = await ctx.api.get<{ items: EventView[] }>(path);
      ctx.print(ctx.json ? toJson(body) : formatTimeline(body.items ?? []));
      return 0;
    },
  },
];
