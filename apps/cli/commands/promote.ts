import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { booleanOption, integerOption, listOption, stringOption } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { CliError } from '../errors.js';
import { toJson } from '../format.js';
import { encodePath } from '../http.js';
import { sleep } from '../sleep.js';

interface ExportJob {
  id: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  progress: { from: number; to: number; position: number; exported: number; ratio: number };
  chainHead?: { position: number; hash: string };
  download?: string;
  error?: string;
}

/** Streams an answer body to `file` (through a temporary name, so a cut transfer leaves nothing). */
async function saveBody(response: Response, file: string, signal?: AbortSignal): Promise<void> {
  if (!response.body) throw new CliError('the server answered without a body');
  const temp = `${file}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), createWriteStream(temp, { flags: 'w' }), { signal });
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}

async function exportEvents(ctx: CommandContext, values: Record<string, string | boolean | undefined>): Promise<number> {
  const file = stringOption(values, 'output');
  if (!file) throw new CliError('--output <file> is required');
  const format = stringOption(values, 'format') ?? (file.endsWith('.csv') ? 'csv' : 'jsonl');
  const filter = {
    from: integerOption(values, 'from', 1),
    to: integerOption(values, 'to', 1),
    repository: stringOption(values, 'repository'),
    type: listOption(values, 'type')?.join(','),
    format,
  };
  let response: Response;
  if (booleanOption(values, 'background')) {
    // a server-side job: poll its progress, then download the stored file
    let { body: job } = await ctx.api.json<ExportJob>('POST', '/api/v1/exports', { json: { ...filter, type: filter.type?.split(',') } });
    while (job.state === 'queued' || job.state === 'running') {
      if (!ctx.json) ctx.note(`export ${job.id}: ${job.state}, ${Math.round(job.progress.ratio * 100)}% (${job.progress.exported} events)`);
      await sleep(ctx.io.pollIntervalMs ?? 250, ctx.io.signal);
      job = await ctx.api.get<ExportJob>(`/api/v1/exports/${job.id}`);
    }
    if (job.state !== 'done' || !job.download) throw new CliError(`export ${job.id} failed: ${job.error ?? job.state}`);
    response = await ctx.api.request('GET', job.download, { headers: { accept: '*/*' } });
  } else {
    response = await ctx.api.request('GET', '/api/v1/exports/events', { query: filter, headers: { accept: '*/*' } });
  }
  const head = response.headers.get('x-strata-chain-head');
  await saveBody(response, file, ctx.io.signal);
  const result = { file, format, chainHead: head };
  ctx.print(ctx.json ? toJson(result) : `exported to ${file}${head ? ` (chain head when exported: ${head})` : ''}`);
  return 0;
}

export const promotionCommands: Command[] = [
  {
    path: ['promote'],
    args: '<from-repository> <to-repository> <package> <version> [--tag <t,...>]',
    summary: 'promote a version into another repository of the same format (no bytes copied)',
    notes: 'Admins, or a caller with write on the target and read on the source. The target\'s promotion rules apply.\nWithout --tag the source\'s tags that point at the version are set in the target too.',
    options: { tag: { type: 'string', value: '<tags>', description: 'tags to set in the target instead of the source\'s (comma-separated; "" for none)' } },
    positionals: { min: 4, max: 4 },
    async run(ctx, { positionals, values }) {
      const [from, to, name, version] = positionals as [string, string, string, string];
      const rawTags = stringOption(values, 'tag');
      const tags = rawTags === undefined ? undefined : rawTags.split(',').map((t) => t.trim()).filter(Boolean);
      const { body } = await ctx.api.json<{ position: number; tags: string[] }>('POST', '/api/v1/promotions', { json: { from, to, name, version, ...(tags ? { tags } : {}) } });
      ctx.print(ctx.json ? toJson(body) : `promoted ${name}@${version} from ${from} to ${to} (position ${body.position}${body.tags.length ? `, tags ${body.tags.join(', ')}` : ''})`);
      return 0;
    },
  },
  {
    path: ['restore'],
    args: '<repository> <package> <version>',
    summary: 'restore a deleted version within the repository\'s restore window (admins)',
    options: {},
    positionals: { min: 3, max: 3 },
    async run(ctx, { positionals }) {
      const [repository, name, version] = positionals as [string, string, string];
      const path = `/api/v1/repositories/${encodeURIComponent(repository)}/packages/${encodePath(name)}/versions/${encodeURIComponent(version)}/restore`;
      const { body } = await ctx.api.json<{ position: number }>('POST', path);
      ctx.print(ctx.json ? toJson(body) : `restored ${name}@${version} in ${repository} (position ${body.position})`);
      return 0;
    },
  },
  {
    path: ['export'],
    args: '--output <file> [--from <position>] [--to <position>] [--repository <name>] [--type <t,...>] [--format jsonl|csv] [--background]',
    summary: 'write the event log (with every hash) to a file for an auditor; check it with `strata verify --file`',
    notes: 'A filtered export (--repository, --type) proves each event matches its own hash, not that nothing was left out.\n--background runs the export as a server job (progress shown) and downloads its file.',
    options: {
      output: { type: 'string', short: 'o', value: '<file>', description: 'where to write the export' },
      from: { type: 'string', value: '<position>', description: 'first log position (default 1)' },
      to: { type: 'string', value: '<position>', description: 'last log position (default: the head when the export starts)' },
      repository: { type: 'string', value: '<name>', description: 'only events about this repository' },
      type: { type: 'string', value: '<types>', description: 'only these event types (comma-separated)' },
      format: { type: 'string', value: '<jsonl|csv>', description: 'jsonl (default; verifiable offline) or csv' },
      background: { type: 'boolean', description: 'run as a server-side job with progress' },
    },
    positionals: { min: 0, max: 0 },
    run: (ctx, { values }) => exportEvents(ctx, values),
  },
];
