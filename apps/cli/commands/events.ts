import { booleanOption, integerOption, stringOption } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { EVENT_LINE_HEADER, formatEventLine, type EventView } from '../event-view.js';
import { sleep } from '../sleep.js';

interface EventPage {
  items: EventView[];
  next: number | null;
}

const LONG_POLL_MS = 20_000;

async function readPage(ctx: CommandContext, from: number, limit: number, waitMs?: number): Promise<{ page: EventPage; head?: number }> {
  const { body, response } = await ctx.api.json<EventPage>('GET', '/api/v1/events', { query: { from, limit, waitMs } });
  const head = Number(response.headers.get('x-strata-head-position') ?? NaN);
  return { page: { items: body?.items ?? [], next: body?.next ?? null }, head: Number.isFinite(head) ? head : undefined };
}

/** Where a tail without --from starts: the last `limit` events before the head. */
export const tailStart = (head: number, limit: number): number => Math.max(1, head - limit + 1);

async function tail(ctx: CommandContext, options: { from?: number; limit: number; follow: boolean; type?: string }): Promise<number> {
  const { limit, type } = options;
  let headerShown = false;
  const show = (items: EventView[]) => {
    for (const e of items) {
      if (type && e.type !== type) continue;
      if (ctx.json) ctx.print(JSON.stringify(e));
      else {
        if (!headerShown) ctx.print(EVENT_LINE_HEADER);
        headerShown = true;
        ctx.print(formatEventLine(e));
      }
    }
  };

  let from = options.from ?? 1;
  let { page, head } = await readPage(ctx, from, limit);
  if (options.from === undefined && head !== undefined && tailStart(head, limit) > from) {
    from = tailStart(head, limit);
    ({ page } = await readPage(ctx, from, limit));
  }
  show(page.items);
  if (!options.follow) {
    if (page.items.length === 0 && !ctx.json) ctx.note('no events');
    return 0;
  }

  // Follow: ask for the next position; the server holds the request until something arrives.
  const last = page.items.at(-1);
  from = page.next ?? (last ? last.position + 1 : from);
  const signal = ctx.io.signal;
  const now = ctx.io.now ?? Date.now;
  while (!signal?.aborted) {
    const asked = now();
    try {
      ({ page } = await readPage(ctx, from, limit, LONG_POLL_MS));
    } catch (e) {
      if (signal?.aborted) break;
      throw e;
    }
    show(page.items);
    const newest = page.items.at(-1);
    from = page.next ?? (newest ? newest.position + 1 : from);
    // a server that answers an empty page at once (no long poll) must not turn this into a busy loop
    if (!newest && now() - asked < 1000) await sleep(1000, signal);
  }
  return 0;
}

export const eventCommands: Command[] = [
  {
    path: ['events', 'tail'],
    args: '[--from <position>] [--limit <n>] [--follow] [--type <type>]',
    summary: 'show the newest events of the log (or from a position), optionally following it',
    notes: 'Without --from the last <limit> events are shown. --follow keeps waiting for new events (Ctrl-C ends it).\n--type filters on the client: it keeps only matching events of each page read.\nWith --json every event is one JSON line.',
    options: {
      from: { type: 'string', value: '<position>', description: 'first position to show (1 is the first event)' },
      limit: { type: 'string', value: '<n>', description: 'events per request (default 20)' },
      follow: { type: 'boolean', short: 'f', description: 'keep printing new events as they are recorded' },
      type: { type: 'string', value: '<type>', description: 'only events of this type, e.g. ArtifactPublished' },
    },
    positionals: { min: 0, max: 0 },
    run: (ctx, { values }) =>
      tail(ctx, {
        from: integerOption(values, 'from', 1),
        limit: integerOption(values, 'limit', 1) ?? 20,
        follow: booleanOption(values, 'follow') ?? false,
        type: stringOption(values, 'type'),
      }),
  },
];
