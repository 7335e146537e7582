import { GLOBAL_OPTIONS, type OptionSpecs } from './args.js';
import type { Command } from './command.js';

const usageLine = (c: Command) => `strata ${[...c.path, c.args].filter(Boolean).join(' ')}`;

function optionLines(options: OptionSpecs): string[] {
  const entries = Object.entries(options).map(([name, o]) => {
    const flag = o.negatable ? `--[no-]${name}` : `--${name}`;
    const short = o.short ? `-${o.short}, ` : '    ';
    return [`${short}${flag}${o.value ? ` ${o.value}` : ''}`, o.description] as const;
  });
  const width = Math.max(...entries.map(([f]) => f.length));
  return entries.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

/** `strata help <command>` and `strata <command> --help`. */
export function commandHelp(c: Command): string {
  const lines = [`usage: ${usageLine(c)}`, '', c.summary];
  if (Object.keys(c.options).length > 0) lines.push('', 'options:', ...optionLines(c.options));
  if (c.notes) lines.push('', c.notes);
  lines.push('', 'global options:', ...optionLines(GLOBAL_OPTIONS));
  return lines.join('\n');
}

/** `strata help`, or the commands of one group (`strata repo`). */
export function overviewHelp(commands: Command[], group?: string): string {
  const shown = group ? commands.filter((c) => c.path[0] === group) : commands;
  const names = shown.map((c) => c.path.join(' '));
  const width = Math.max(...names.map((n) => n.length));
  const lines = [
    'usage: strata <command> [options]',
    '',
    'Strata command-line client: talks to a Strata server over its HTTP API.',
    '',
    'commands:',
    ...shown.map((c, i) => `  ${names[i]!.padEnd(width)}  ${c.summary}`),
    '',
    'global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'environment: STRATA_URL (default http://localhost:8080), STRATA_TOKEN (Bearer token)',
    "Run 'strata help <command>' or 'strata <command> --help' for a command's options.",
    'Exit status: 0 success, 1 failure or failed check, 2 bad command line.',
  ];
  return lines.join('\n');
}
