/** Human-readable output: tables, sizes, times. Pure functions, so tests pin them exactly. */

export type Align = 'left' | 'right';

/** Columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function formatTable(headers: string[], rows: string[][], align: Align[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `label  value` lines with the labels aligned; undefined values are left out. */
export function formatFields(fields: Array<[string, string | undefined]>): string {
  const present = fields.filter((f): f is [string, string] => f[1] !== undefined);
  const width = Math.max(0, ...present.map(([label]) => label.length));
  return present.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** ISO 8601 -> `2024-05-01 14:03:07` in the local time zone (TZ); unparseable input is shown as is. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1234567 -> `1.2 MB`; `binary` gives KiB/MiB/GiB (used for limits set as powers of two). */
export function formatBytes(bytes: number, binary = false): string {
  const base = binary ? 1024 : 1000;
  const units = binary ? BINARY_UNITS : DECIMAL_UNITS;
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= base && unit < units.length - 1) {
    value /= base;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  // one decimal keeps a moving progress line steady; exact binary limits (10 GiB) read better without
  const digits = value >= 100 || (binary && Number.isInteger(value)) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** 65000 -> `1m05s`; under a minute `4.2s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${pad2(m)}m${pad2(s % 60)}s` : `${m}m${pad2(s % 60)}s`;
}

export const yesNo = (b: boolean | undefined): string => (b === undefined ? '-' : b ? 'yes' : 'no');

/** Pretty JSON for `--json` answers that are one document. */
export const toJson = (value: unknown): string => JSON.stringify(value, null, 2);
