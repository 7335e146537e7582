// What the benches share for reporting: statistics, number formatting, facts about the machine
// and the build, and the rewrite of one marked section of bench/RESULTS.md (everything outside
// the markers, the hand-written analysis included, is kept as it is).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sleep } from './processes.mjs';

export const RESULTS = join(ROOT, 'bench/RESULTS.md');

// ---------------------------------------------------------------------------------------------
// statistics

/** The median (the mean of the two middle values for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The exact nearest-rank percentile `p` (0–100) of `xs`. */
export function percentile(xs, p) {
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** `n` with `digits` decimals, or — when it is not a finite number. */
export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

/** An ISO time without its milliseconds: 2025-01-31T12:34:56Z. */
export const stamp = (date = new Date()) => date.toISOString().replace(/\.\d+Z$/, 'Z');

// ---------------------------------------------------------------------------------------------
// the machine and the build

/** `git <args>` in the checkout, trimmed; `?` where git fails. */
export function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

/** How many files under apps/, libs/ or projections/ differ from HEAD. */
export const uncommittedChanges = () => git(['status', '--porcelain', '--', 'apps', 'libs', 'projections']).split('\n').filter(Boolean).length;

/** When the build in `dist` was last written: tsc leaves unchanged outputs alone, so its newest file tells. */
export function builtAt(dist = join(ROOT, 'dist')) {
  const newest = readdirSync(dist, { recursive: true }).reduce((t, f) => Math.max(t, statSync(join(dist, f)).mtimeMs), 0);
  return stamp(new Date(newest));
}

/** Share of all cores busy over `ms`, from /proc/stat. */
export async function machineBusy(ms = 2000) {
  const sample = () => {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const idle = fields[3] + fields[4];
    return { idle, total: fields.reduce((a, b) => a + b, 0) };
  };
  const a = sample();
  await sleep(ms);
  const b = sample();
  return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

// ---------------------------------------------------------------------------------------------
// bench/RESULTS.md

/**
 * Replaces what stands from `begin` to `end` (both marker lines kept) in bench/RESULTS.md with
 * `body`. Where the markers are missing, appends `heading`, then `intro` (if any), then the
 * marked body. Where the file is missing, starts from `initial`. Returns the file's path.
 */
export function writeSection({ begin, end, body, heading, intro, initial = '', file = RESULTS }) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : initial;
  const block = `${begin}\n${body}\n${end}`;
  const a = current.indexOf(begin);
  const b = a >= 0 ? current.indexOf(end, a) : -1;
  const next = b > a ? `${current.slice(0, a)}${block}${current.slice(b + end.length)}` : `${current.trimEnd()}\n\n${heading}\n\n${intro ? `${intro}\n\n` : ''}${block}\n`;
  writeFileSync(file, next);
  return file;
}

/** One run as the comparison benches record it: a heading with its time, notes (one paragraph a line), the table, the samples. */
export function runSection({ started, notes, table, samples }) {
  return [`### Run of ${stamp(started)}`, '', ...notes, '', ...table, '', 'Samples, in run order:', '', ...samples].join('\n');
}

/** The two markers of a bench's section, as every bench writes them. */
export const markers = (key, script) => ({
  begin: `<!-- ${key}:begin (written by bench/${script}; edits inside are overwritten) -->`,
  end: `<!-- ${key}:end -->`,
});

// ---------------------------------------------------------------------------------------------
// command lines

/**
 * `--name=value` options of this process's command line. `check(usage, { flags, numbers, strings })`
 * exits 2 with `usage` when an argument is none of them, or a number option is not a positive integer.
 */
export function commandLine(argv = process.argv.slice(2)) {
  const value = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
  return {
    argv,
    has: (flag) => argv.includes(flag),
    string: (name, fallback) => value(name) ?? fallback,
    number: (name, fallback) => Number(value(name) ?? fallback),
    check(usage, { flags = [], numbers = [], strings = [] }) {
      const known = (a) => flags.includes(a) || numbers.some((n) => new RegExp(`^--${n}=\\d+$`).test(a)) || strings.some((s) => a.startsWith(`--${s}=`));
      if (argv.some((a) => !known(a)) || numbers.some((n) => value(n) !== undefined && !(Number(value(n)) > 0))) {
        process.stderr.write(`usage: ${usage}\n`);
        process.exit(2);
      }
    },
  };
}
