import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RecordedEvent } from '../../../libs/domain/index.js';
import { ChainVerifier, GENESIS_HASH, eventHash, type ChainVerdict } from '../../../libs/ports/event-hash.js';
import { stringOption } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { CliError } from '../errors.js';
import { toJson } from '../format.js';

export interface FileVerdict extends ChainVerdict {
  /** position of the first event in the file; a file not starting at 1 is checked from its own first link */
  firstPosition?: number;
  /** line of the file where the chain broke */
  line?: number;
  /** a filtered export (repository or type): each event is checked alone, links between them are not */
  filtered?: boolean;
  /** the chain head the server reported when the export started (from the export's header line) */
  chainHead?: { position: number; hash: string };
}

interface ExportEnvelope {
  from: number;
  to: number;
  contiguous: boolean;
  chainHead: { position: number; hash: string };
  events?: number;
  lastHash?: string | null;
}

/**
 * Walks an exported JSONL file (one event per line, in position order) through ChainVerifier,
 * streaming, so an export of any size is checked in flat memory and without any server.
 * A file that starts at position 1 is anchored to the genesis hash; a later start (a partial
 * export) can only be checked from its own first prevHash onwards.
 *
 * Files from GET /api/v1/exports/events carry a first `{"export": ...}` line and a last
 * `{"trailer": ...}` line: the trailer must be there (else the file was cut) and agree with the
 * events seen; when the export reaches the chain head, the last hash must be that head. A filtered
 * export (`contiguous: false`) is checked event by event: each one's hash must match its content
 * and its stated prevHash, and positions must increase; what lies between them is not in the file.
 */
export async function verifyFile(file: string): Promise<FileVerdict> {
  const input = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject));
  await opened.catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  let verifier: ChainVerifier | undefined;
  let firstPosition: number | undefined;
  let envelope: ExportEnvelope | undefined;
  let trailer: ExportEnvelope | undefined;
  let lastPosition = 0;
  let lastHash: string | null = null;
  let filteredCount = 0;
  let lineNo = 0;
  const fail = (reason: string, brokenAt?: number): FileVerdict => {
    input.destroy();
    const head = verifier?.verdict();
    const events = envelope && !envelope.contiguous ? filteredCount : (head?.events ?? 0);
    return { ok: false, events, head: head?.head ?? lastHash ?? GENESIS_HASH, reason, line: lineNo, firstPosition, ...(brokenAt ? { brokenAt } : {}), ...extras() };
  };
  const extras = () => (envelope ? { filtered: !envelope.contiguous, chainHead: envelope.chainHead } : {});
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo += 1;
    if (!line.trim()) continue;
    let parsed: RecordedEvent & { export?: ExportEnvelope; trailer?: ExportEnvelope };
    try {
      parsed = JSON.parse(line);
    } catch {
      return fail(`line ${lineNo} is not JSON`);
    }
    if (trailer) return fail(`line ${lineNo} follows the trailer`);
    if (parsed.export) {
      if (lineNo !== 1) return fail(`the export header is on line ${lineNo}, not the first`);
      envelope = parsed.export;
      continue;
    }
    if (parsed.trailer) {
      trailer = parsed.trailer;
      continue;
    }
    const event = parsed;
    firstPosition ??= event.position;
    if (envelope && !envelope.contiguous) {
      // filtered: every event stands alone
      if (event.position <= lastPosition) return fail(`position ${event.position} does not follow ${lastPosition}`, event.position);
      if (eventHash(event.prevHash, event) !== event.hash) return fail('hash does not match the event content', event.position);
      filteredCount += 1;
    } else {
      if (!verifier) {
        if (envelope && event.position !== envelope.from) return fail(`the export says it starts at ${envelope.from} but its first event is ${event.position}`, event.position);
        verifier = event.position === 1 ? new ChainVerifier() : new ChainVerifier(event.position, event.prevHash);
      }
      if (!verifier.check(event)) {
        input.destroy();
        return { ...verifier.verdict(), line: lineNo, firstPosition, ...extras() };
      }
    }
    lastPosition = event.position;
    lastHash = event.hash;
  }
  if (envelope) {
    if (!trailer) return fail('the export has no trailer line: the file is cut short');
    const seen = envelope.contiguous ? (verifier?.verdict().events ?? 0) : filteredCount;
    if (trailer.events !== seen) return fail(`the trailer counts ${trailer.events} events, the file holds ${seen}`);
    if ((trailer.lastHash ?? null) !== lastHash) return fail('the trailer names another last hash than the last event has');
    if (envelope.contiguous && envelope.to === envelope.chainHead.position && seen > 0 && lastHash !== envelope.chainHead.hash) {
      return fail('the last event is the chain head position but its hash is not the head hash the server stated');
    }
  }
  if (envelope && !envelope.contiguous) return { ok: true, events: filteredCount, head: lastHash ?? GENESIS_HASH, firstPosition, ...extras() };
  return { ...(verifier ?? new ChainVerifier()).verdict(), firstPosition, ...extras() };
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
  if (file && verdict.filtered) {
    notes.push('note: a filtered export: each event matches its own hash, but the links between them and any events left out are not checked');
  }
  if (file && verdict.chainHead) notes.push(`note: the server's chain head when exported: position ${verdict.chainHead.position}, hash ${verdict.chainHead.hash}`);
  if (file && !verdict.filtered && verdict.firstPosition !== undefined && verdict.firstPosition !== 1) {
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
