import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

/** One command-line option: the parser config and its help line come from this one entry. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** placeholder shown in help for string options, e.g. `<bytes>` */
  value?: string;
  short?: string;
  /** boolean options that `--no-<name>` turns off show that form in help */
  negatable?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  url: { type: 'string', value: '<url>', description: 'server address (default $STRATA_URL or http://localhost:8080)' },
  token: { type: 'string', value: '<token>', description: 'API token sent as Bearer (default $STRATA_TOKEN; prefer the variable, flags show in ps)' },
  json: { type: 'boolean', description: 'print raw JSON for scripts instead of tables' },
  help: { type: 'boolean', short: 'h', description: 'show help for the command' },
};

export type OptionValues = Record<string, string | boolean | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/** Strict parse of `args` against the global options plus `options`; unknown options are usage errors. */
export function parseOptions(args: string[], options: OptionSpecs): ParsedArgs {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries({ ...GLOBAL_OPTIONS, ...options })) {
    config[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  try {
    const { values, positionals } = parseArgs({ args, options: config, allowPositionals: true, allowNegative: true, strict: true });
    return { values: values as OptionValues, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** The words of a command line that are not options, as far as the global options tell: used to find the command. */
export function leadingWords(args: string[]): string[] {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(GLOBAL_OPTIONS)) config[name] = { type: spec.type };
  const words: string[] = [];
  for (const token of parseArgs({ args, options: config, allowPositionals: true, strict: false, tokens: true }).tokens ?? []) {
    if (token.kind === 'positional') words.push(token.value);
    else if (token.kind === 'option-terminator') break;
  }
  return words;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function booleanOption(values: OptionValues, name: string): boolean | undefined {
  const v = values[name];
  return typeof v === 'boolean' ? v : undefined;
}

/** `--members 'a, b,,c'` -> `['a', 'b', 'c']`; a list flag given with nothing in it is a usage error. */
export function listOption(values: OptionValues, name: string): string[] | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const items = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  if (items.length === 0) throw new UsageError(`--${name} needs at least one value, e.g. --${name} a,b`);
  return items;
}

/** A whole number option; `min` guards against nonsense such as `--limit 0`. */
export function integerOption(values: OptionValues, name: string, min: number): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be at least ${min}, got ${raw}`);
  return n;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** `1048576`, `500MB` (decimal), `10GiB` (binary), `1.5 GB` -> bytes. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new UsageError(`"${text}" is not a size: use bytes or a unit such as 500MB, 10GiB`);
  }
  const bytes = Math.round(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new UsageError(`"${text}" is not a positive size`);
  return bytes;
}

/** `repo/some/path` -> repository and path; both must be non-empty. */
export function splitTarget(target: string): { repository: string; path: string } {
  const slash = target.indexOf('/');
  const repository = slash > 0 ? target.slice(0, slash) : '';
  const path = slash > 0 ? target.slice(slash + 1) : '';
  if (!repository || !path) throw new UsageError(`expected <repository>/<path>, got "${target}"`);
  return { repository, path };
}
