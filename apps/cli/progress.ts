import { formatBytes } from './format.js';

export interface ProgressState {
  label: string;
  done: number;
  /** unknown when the server sent no length */
  total?: number;
  elapsedMs: number;
  /** `bytes` shows sizes and MB/s, `events` shows counts and events/s */
  unit?: 'bytes' | 'events';
}

const BAR_WIDTH = 24;
const MIN_BAR_WIDTH = 8;

/**
 * One progress line: `label [#####.....]  42%  12.3 MB / 29.0 MB  85.1 MB/s`. The bar shrinks
 * (and goes) before the numbers do when the line must fit `maxWidth` columns.
 */
export function formatProgress(p: ProgressState, maxWidth = Infinity): string {
  const unit = p.unit ?? 'bytes';
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? p.done / seconds : 0;
  const amount = (n: number) => (unit === 'bytes' ? formatBytes(n) : String(n));
  const rateText = unit === 'bytes' ? `${(rate / 1e6).toFixed(1)} MB/s` : `${Math.round(rate)} events/s`;
  if (p.total === undefined || p.total <= 0) {
    return `${p.label}  ${amount(p.done)}${unit === 'events' ? ' events' : ''}  ${rateText}`;
  }
  const fraction = Math.min(1, Math.max(0, p.done / p.total));
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const counts = unit === 'bytes' ? `${amount(p.done)} / ${amount(p.total)}` : `${p.done} / ${p.total} events`;
  const numbers = `${percent}  ${counts}  ${rateText}`;
  const width = Math.min(BAR_WIDTH, maxWidth - p.label.length - numbers.length - 4);
  if (width < MIN_BAR_WIDTH) return `${p.label} ${numbers}`;
  const filled = Math.round(fraction * width);
  return `${p.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${numbers}`;
}

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** record progress; redraws at most every 100 ms */
  update(done: number, total?: number): void;
  /** draw the final state and end the line */
  finish(): void;
  /** erase the line (on failure, so the error message stands alone) */
  clear(): void;
}

const SILENT: Progress = { update() {}, finish() {}, clear() {} };

/**
 * A progress bar on `stream` when it is a terminal; a no-op otherwise, so pipes and log files
 * never see carriage returns.
 */
export function createProgress(
  stream: ProgressStream,
  label: string,
  total: number | undefined,
  options: { unit?: 'bytes' | 'events'; now?: () => number } = {},
): Progress {
  if (!stream.isTTY) return SILENT;
  const now = options.now ?? Date.now;
  const started = now();
  let done = 0;
  let lastDraw = -Infinity;
  let visible = false;
  const draw = () => {
    const max = (stream.columns ?? 80) - 1;
    const line = formatProgress({ label, done, total, elapsedMs: now() - started, unit: options.unit }, max);
    stream.write(`\r\x1b[2K${line.length > max ? line.slice(0, max) : line}`);
    visible = true;
    lastDraw = now();
  };
  return {
    update(n, newTotal) {
      done = n;
      if (newTotal !== undefined) total = newTotal;
      if (now() - lastDraw >= 100) draw();
    },
    finish() {
      draw();
      stream.write('\n');
      visible = false;
    },
    clear() {
      if (visible) stream.write('\r\x1b[2K');
      visible = false;
    },
  };
}
