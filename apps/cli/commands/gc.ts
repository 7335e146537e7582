import { booleanOption } from '../args.js';
import type { Command } from '../command.js';
import { formatBytes, formatTable, toJson } from '../format.js';

export interface GcReport {
  dryRun: boolean;
  scanned: number;
  removed: Array<{ digest: string; size: number; reason: string }>;
  kept: Array<{ digest: string; reason: string }>;
  bytesFreed: number;
  temporaryRemoved: number;
}

/** A summary line, then the removals; a dry run also lists what is kept and why. */
export function formatGcReport(r: GcReport): string {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const lines = [
    `${r.dryRun ? 'dry run: ' : ''}scanned ${r.scanned} blob${r.scanned === 1 ? '' : 's'}, ${verb} ${r.removed.length} (${formatBytes(r.bytesFreed)}), kept ${r.kept.length}, ${verb} ${r.temporaryRemoved} temporary file${r.temporaryRemoved === 1 ? '' : 's'}`,
  ];
  if (r.removed.length > 0) {
    lines.push('', r.dryRun ? 'would remove:' : 'removed:');
    lines.push(formatTable(['DIGEST', 'SIZE', 'REASON'], r.removed.map((b) => [b.digest, formatBytes(b.size), b.reason]), ['left', 'right']));
  }
  if (r.dryRun && r.kept.length > 0) {
    lines.push('', 'kept:');
    lines.push(formatTable(['DIGEST', 'REASON'], r.kept.map((b) => [b.digest, b.reason])));
  }
  return lines.join('\n');
}

export const gcCommands: Command[] = [
  {
    path: ['gc'],
    args: '[--dry-run]',
    summary: 'remove blobs no live artifact references (after the grace period)',
    options: {
      'dry-run': { type: 'boolean', description: 'only report what would be removed and why each blob is kept' },
    },
    positionals: { min: 0, max: 0 },
    async run(ctx, { values }) {
      const dryRun = booleanOption(values, 'dry-run') ?? false;
      const { body } = await ctx.api.json<GcReport>('POST', '/api/v1/gc', { query: { dryRun } });
      ctx.print(ctx.json ? toJson(body) : formatGcReport({ ...body, removed: body.removed ?? [], kept: body.kept ?? [] }));
      return 0;
    },
  },
];

