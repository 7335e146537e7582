import type { OptionSpecs, ParsedArgs } from './args.js';
import type { ApiClient } from './http.js';
import type { PasswordInput } from './password.js';
import type { ProgressStream } from './progress.js';

/** What the CLI needs from the outside world; tests pass their own. */
export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: ProgressStream;
  env: Record<string, string | undefined>;
  /** where passwords come from (`login`, `user create`, `user set-password`); process.stdin by default */
  stdin?: PasswordInput;
  /** aborts long-running commands (follow, rebuild polling, transfers) */
  signal?: AbortSignal;
  /** how often `projections rebuild` polls (default 250 ms) */
  pollIntervalMs?: number;
  now?: () => number;
}

export interface CommandContext {
  io: CliIo;
  api: ApiClient;
  /** --json: raw JSON on stdout, no tables, no progress */
  json: boolean;
  /** a line on stdout */
  print(text: string): void;
  /** a note on stderr (never mixed into --json output) */
  note(text: string): void;
}

/**
 * One `strata` command. `path` is the words that name it (`['repo', 'create']`); the rest of the
 * command line is parsed strictly against `options` plus the global options.
 */
export interface Command {
  path: string[];
  /** what follows the path in the usage line, e.g. `<name> --format <fmt> [options]` */
  args: string;
  summary: string;
  /** extra help text after the option list */
  notes?: string;
  options: OptionSpecs;
  positionals: { min: number; max: number };
  /** exit code: 0 success, 1 a failed check */
  run(ctx: CommandContext, args: ParsedArgs): Promise<number>;
}
