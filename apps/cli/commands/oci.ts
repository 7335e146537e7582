import { booleanOption } from '../args.js';
import type { Command } from '../command.js';
import { formatBytes, formatTable, toJson } from '../format.js';

interface Decision {
  subject: string;
  size: number;
  action: 'remove' | 'keep';
  reason: string;
}

export interface OciGcAnswer {
  repository: string;
  dryRun: boolean;
  untaggedGraceSeconds: number | null;
  manifests: Decision[];
  blobs: Decision[];
  removedManifests: number;
  blobGc?: { scanned: number; removed: Array<{ digest: string; size: number; reason: string }>; bytesFreed: number };
}

/** A summary line, then every manifest and blob with what happens to it and why. */
export function formatOciGcReport(r: OciGcAnswer): string {
  const doomed = r.manifests.filter((m) => m.action === 'remove').length;
  const policy = r.untaggedGraceSeconds === null ? 'no oci.untaggedGraceSeconds policy' : `untagged manifests go after ${r.untaggedGraceSeconds} s`;
  const lines = [
    `${r.dryRun ? 'dry run: ' : ''}${r.repository} (${policy}): ${r.manifests.length} manifest(s), ${r.dryRun ? `would remove ${doomed}` : `removed ${r.removedManifests}`}; ${r.blobs.filter((b) => b.action === 'remove').length} of ${r.blobs.length} blob(s) left to the blob GC`,
  ];
  const table = (title: string, rows: Decision[]) => {
    if (rows.length === 0) return;
    lines.push('', `${title}:`, formatTable(['ACTION', title === 'manifests' ? 'MANIFEST' : 'BLOB', 'SIZE', 'REASON'], rows.map((d) => [d.action === 'remove' ? (r.dryRun ? 'would remove' : 'remove') : 'keep', d.subject, formatBytes(d.size), d.reason]), ['left', 'left', 'right']));
  };
  table('manifests', r.manifests);
  table('blobs', r.blobs);
  if (r.blobGc) lines.push('', `blob GC: scanned ${r.blobGc.scanned}, removed ${r.blobGc.removed.length} (${formatBytes(r.blobGc.bytesFreed)})`);
  return lines.join('\n');
}

interface ChartItem {
  name: string;
  version: string | null;
  appVersion: string | null;
  image: string;
  digest: string;
  tags: string[];
  reference: string;
}

export const ociCommands: Command[] = [
  {
    path: ['oci', 'gc'],
    args: '<repository> [--dry-run]',
    summary: "delete an OCI repository's untagged manifests past its grace period, then run the blob GC",
    notes: 'The policy is the repository\'s `oci.untaggedGraceSeconds` (strata repo configure). Tagged manifests, what their indexes list and what refers to them (OCI subject) are kept.',
    options: { 'dry-run': { type: 'boolean', description: 'only list each manifest and blob with what would happen to it and why' } },
    positionals: { min: 1, max: 1 },
    async run(ctx, { values, positionals }) {
      const dryRun = booleanOption(values, 'dry-run') ?? false;
      const { body } = await ctx.api.json<OciGcAnswer>('POST', `/api/v1/repositories/${encodeURIComponent(positionals[0]!)}/oci/gc`, { query: { dryRun } });
      ctx.print(ctx.json ? toJson(body) : formatOciGcReport(body));
      return 0;
    },
  },
  {
    path: ['oci', 'charts'],
    args: '<repository>',
    summary: 'list the Helm charts pushed to an OCI repository, with their chart metadata',
    options: {},
    positionals: { min: 1, max: 1 },
    async run(ctx, { positionals }) {
      const { body } = await ctx.api.json<{ items: ChartItem[] }>('GET', `/api/v1/repositories/${encodeURIComponent(positionals[0]!)}/charts`);
      ctx.print(ctx.json ? toJson(body) : formatTable(['CHART', 'VERSION', 'APP VERSION', 'TAGS', 'REFERENCE', 'DIGEST'], body.items.map((c) => [c.name, c.version ?? '', c.appVersion ?? '', c.tags.join(','), c.reference, c.digest])));
      return 0;
    },
  },
];
