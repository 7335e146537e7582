import type { Command, CommandContext } from '../command.js';
import { formatDuration, formatTable, toJson } from '../format.js';
import { encodePath } from '../http.js';
import { createProgress } from '../progress.js';
import { sleep } from '../sleep.js';

export interface ProjectionView {
  name: string;
  version: number;
  table: string;
  position: number;
  head: number;
  lag: number;
  state: 'live' | 'rebuilding' | 'catching-up';
  rebuild?: { position: number; head: number };
}

interface ProjectionCheck {
  name: string;
  ok: boolean;
  rows: number;
  shadowRows: number;
  missing: number;
  extra: number;
}

export function formatProjections(items: ProjectionView[]): string {
  if (items.length === 0) return 'no projections';
  const rows = items.map((p) => [
    p.name,
    String(p.version),
    p.state,
    String(p.position),
    String(p.head),
    String(p.lag),
    p.rebuild ? `${p.rebuild.position}/${p.rebuild.head}` : '-',
    p.table,
  ]);
  return formatTable(['NAME', 'VERSION', 'STATE', 'POSITION', 'HEAD', 'LAG', 'REBUILD', 'TABLE'], rows, ['left', 'right', 'left', 'right', 'right', 'right', 'right']);
}

/** A plain progress line for logs: `packages: rebuilding 4500/10000 (45%)`. */
export function formatRebuildLine(p: ProjectionView): string {
  const { position, head } = p.rebuild ?? { position: p.position, head: p.head };
  const percent = head > 0 ? ` (${Math.floor((Math.min(position, head) / head) * 100)}%)` : '';
  return `${p.name}: ${p.state} ${position}/${head}${percent}`;
}

const projectionPath = (name: string) => `/api/v1/projections/${encodePath(name)}`;

async function rebuild(ctx: CommandContext, name: string): Promise<number> {
  const now = ctx.io.now ?? Date.now;
  const started = now();
  await ctx.api.json('POST', `${projectionPath(name)}/rebuild`);
  const progress = createProgress(ctx.io.stderr, `rebuilding ${name}`, undefined, { unit: 'events', now: ctx.io.now });
  const interval = ctx.io.pollIntervalMs ?? 250;
  let lastLine = '';
  let current: ProjectionView;
  try {
    for (;;) {
      current = await ctx.api.get<ProjectionView>(projectionPath(name));
      if (current.state === 'live' || ctx.io.signal?.aborted) break;
      const { position, head } = current.rebuild ?? { position: current.position, head: current.head };
      progress.update(position, head);
      // without a terminal: one line per change, not one per poll
      const line = formatRebuildLine(current);
      if (!ctx.io.stderr.isTTY && line !== lastLine) ctx.note(line);
      lastLine = line;
      await sleep(interval, ctx.io.signal);
    }
  } catch (e) {
    progress.clear();
    throw e;
  }
  if (current.state !== 'live') {
    progress.clear();
    ctx.note(`stopped watching; ${name} is still ${current.state} on the server`);
    return 130;
  }
  progress.update(current.position, current.head);
  progress.finish();
  ctx.print(ctx.json ? toJson(current) : `${name} rebuilt: live at position ${current.position} (${formatDuration(now() - started)})`);
  return 0;
}

export function formatCheck(c: ProjectionCheck): string {
  const counts = `${c.rows} rows, shadow rebuild ${c.shadowRows} rows, ${c.missing} missing, ${c.extra} extra`;
  return c.ok ? `${c.name}: ok (${counts})` : `${c.name}: DIFFERS from a fresh rebuild (${counts})`;
}

export const projectionCommands: Command[] = [
  {
    path: ['projections', 'status'],
    args: '',
    summary: 'show every projection: state, checkpoint, lag behind the log',
    options: {},
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const list = await ctx.api.get<{ items: ProjectionView[] }>('/api/v1/projections');
      ctx.print(ctx.json ? toJson(list) : formatProjections(list.items ?? []));
      return 0;
    },
  },
  {
    path: ['projections', 'rebuild'],
    args: '<name>',
    summary: 'rebuild a read model from the event log and wait until it is live',
    notes: 'Ctrl-C stops watching; the rebuild goes on on the server.',
    options: {},
    positionals: { min: 1, max: 1 },
    run: (ctx, { positionals }) => rebuild(ctx, positionals[0]!),
  },
  {
    path: ['projections', 'verify'],
    args: '[<name>]',
    summary: 'rebuild into a shadow table and compare with the live one; every read model when no name is given (exit 1 when any differs)',
    options: {},
    positionals: { min: 0, max: 1 },
    async run(ctx, { positionals }) {
      const names = positionals[0] ? [positionals[0]] : (await ctx.api.get<{ items: ProjectionView[] }>('/api/v1/projections')).items.map((p) => p.name);
      const checks: ProjectionCheck[] = [];
      for (const name of names) {
        const { body } = await ctx.api.json<ProjectionCheck>('POST', `${projectionPath(name)}/verify`);
        checks.push(body);
        if (!ctx.json) ctx.print(formatCheck(body));
      }
      if (ctx.json) ctx.print(toJson(positionals[0] ? checks[0] : { items: checks }));
      return checks.every((c) => c.ok) ? 0 : 1;
    },
  },
];
