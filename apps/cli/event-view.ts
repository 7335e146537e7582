import type { RecordedEvent } from '../../libs/domain/index.js';
import { formatBytes, formatTime } from './format.js';

/** An event as the admin API sends it; `type` and `data` are open (formats add their own). */
export type EventView = Omit<RecordedEvent, 'type' | 'data'> & { type: string; data: unknown };

/** One fixed-width line per event, so a followed tail stays aligned across batches. */
export function formatEventLine(e: EventView): string {
  return [
    String(e.position).padStart(7),
    formatTime(e.recordedAt),
    e.type.padEnd(22),
    e.streamId,
    e.metadata?.actor ?? '-',
  ].join('  ');
}

export const EVENT_LINE_HEADER = ['POSITION'.padStart(7), 'TIME'.padEnd(19), 'TYPE'.padEnd(22), 'STREAM', 'ACTOR'].join('  ');

type Data = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** What an event did, in a few words: `1.0.0: 2 files, 3.4 MB`, `latest -> 1.2.0`, ... */
export function describeEvent(e: EventView): string {
  const d = (e.data && typeof e.data === 'object' ? e.data : {}) as Data;
  const files = Array.isArray(d.files) ? (d.files as Array<{ size?: unknown }>) : undefined;
  const parts: string[] = [];
  if (str(d.version)) parts.push(String(d.version));
  if (str(d.tag)) parts.push(`tag ${String(d.tag)}`);
  if (str(d.from) && str(d.to)) parts.push(`${String(d.from)} -> ${String(d.to)}`);
  if (files) {
    const bytes = files.reduce((sum, f) => sum + (typeof f.size === 'number' ? f.size : 0), 0);
    parts.push(`${files.length} file${files.length === 1 ? '' : 's'}, ${formatBytes(bytes)}`);
  }
  if (str(d.reason)) parts.push(String(d.reason));
  if (parts.length > 0) return parts.join(', ');
  const json = JSON.stringify(e.data) ?? '';
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
