import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RecordedEvent } from '../../../libs/domain/index.js';
import { ChainVerifier, GENESIS_HASH, type ChainVerdict } from '../../../libs/ports/event-hash.js';
import { stringOption } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { CliError } from '../errors.js';
import { toJson } from '../format.js';

export interface FileVerdict extends ChainVerdict {
  /** position of the first event in the file; a file not starting at 1 is checked from its own first link */
  firstPosition?: number;
  /** line of the file where the chain broke */
  line?: number;
}

/**
 * Walks an exported JSONL file (one event per line, in position order) through ChainVerifier,
 * streaming, so an export of any size is checked in flat memory and without any server.
 * A file that starts at position 1 is anchored to the genesis hash; a later start (a partial
 * export) can only be checked from its own first prevHash onwards.
 */
export async function verifyFile(file: string): Promise<FileVerdict> {
  const input = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject));
  await opened.catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  let verifier: ChainVerifier | undefined;
  let firstPosition: number | undefined;
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo += 1;
    if (!line.trim()) continue;
    let event: RecordedEvent;
    try {
      event = JSON.parse(line) as RecordedEvent;
    } catch {
      const head = verifier?.verdict();
      input.destroy();
      return { ok: false, events: head?.events ?? 0, head: head?.head ?? GENESIS_HASH, reason: `line ${lineNo} is not JSON`, line: lineNo, firstPosition };
    }
    if (!verifier) {
      firstPosition = event.position;
      verifier = event.position === 1 ? new ChainVerifier() : new ChainVerifier(event.position, event.prevHash);
    }
    if (!verifier.check(event)) {
      input.destroy();
      return { ...verifier.verdict(), line: lineNo, firstPosition };
    }
  }
  return { ...(verifier ?? new ChainVerifier()).verdict(), firstPosition };
}

export function formatVerdict(v: FileVerdict): string {
  if (v.ok) return `chain ok: ${v.events} event${v.events === 1 ? '' : 's'}, head ${v.head}`;
  const where = v.brokenAt !== undefined ? ` at position ${v.brokenAt}` : '';
  const line = v.line !== undefined ? ` (line ${v.line})` : '';
  return `chain BROKEN${where}${line}: ${v.reason ?? 'unknown reason'}\n${v.events} event${v.events === 1 ? '' : 's'} verified before it; last good hash ${v.head}`;
}

async function verify(ctx: CommandContext, file: string | undefined, expectHead: string | undefined): Promise<number> {
  const verdict: FileVerdict = file ? await verifyFile(file) : await ctx.api.get<FileVerdict>('/api/v1/events/verify');
  let ok = verdict.ok;
  const notes: string[] = [];
  if (file && verdict.firstPosition !== undefined && verdict.firstPosition !== 1) {
    notes.push(`note: the file starts at position ${verdict.firstPosition}; its link to earlier events is not checked`);
  }
  if (ok && expectHead && expectHead.toLowerCase() !== verdict.head) {
    ok = false;
    notes.push(`head mismatch: expected ${expectHead}, the chain ends at ${verdict.head}`);
  }
  if (ctx.json) ctx.print(toJson(ok === verdict.ok ? verdict : { ...verdict, ok, reason: notes.at(-1) }));
  else ctx.print(formatVerdict(verdict));
  notes.forEach((n) => ctx.note(n));
  return ok ? 0 : 1;
}

export const verifyCommands: Command[] = [
  {
    path: ['verify'],
    args: '[--file <export.jsonl>] [--expect-head <hash>]',
    summary: "walk the event log's hash chain (on the server, or offline in an exported file)",
    notes: 'Exits 1 when the chain is broken. --file needs no server: it recomputes every hash locally.\n--expect-head compares the last hash with one recorded elsewhere (for example from an earlier `strata verify`),\nwhich also catches a file whose tail was rewritten with freshly computed hashes.',
    options: {
      file: { type: 'string', value: '<path>', description: 'verify an exported JSONL file offline instead of asking the server' },
      'expect-head': { type: 'string', value: '<hash>', description: 'fail unless the chain ends at this hash' },
    },
    positionals: { min: 0, max: 0 },
    run: (ctx, { values }) => verify(ctx, stringOption(values, 'file'), stringOption(values, 'expect-head')),
  },
];
