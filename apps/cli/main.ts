import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { leadingWords, parseOptions, stringOption, type OptionValues } from './args.js';
import type { CliIo, Command, CommandContext } from './command.js';
import { authCommands } from './commands/auth.js';
import { eventCommands } from './commands/events.js';
import { gcCommands } from './commands/gc.js';
import { grantCommands } from './commands/grants.js';
import { ociCommands } from './commands/oci.js';
import { groupCommands } from './commands/groups.js';
import { historyCommands } from './commands/history.js';
import { promotionCommands } from './commands/promote.js';
import { projectionCommands } from './commands/projections.js';
import { repoCommands } from './commands/repo.js';
import { tokenCommands } from './commands/tokens.js';
import { transferCommands } from './commands/transfer.js';
import { userCommands } from './commands/users.js';
import { verifyCommands } from './commands/verify.js';
import { yankCommands } from './commands/yank.js';
import { deleteVersionCommands } from './commands/delete-version.js';
import { CliError, UsageError, isAbort } from './errors.js';
import { commandHelp, overviewHelp } from './help.js';
import { ApiClient } from './http.js';

export type { CliIo } from './command.js';

export const DEFAULT_URL = 'http://localhost:8080';

export const COMMANDS: Command[] = [
  ...repoCommands,
  ...transferCommands,
  ...eventCommands,
  ...historyCommands,
  ...promotionCommands,
  ...yankCommands,
  ...deleteVersionCommands,
  ...verifyCommands,
  ...projectionCommands,
  ...gcCommands,
  ...ociCommands,
  ...authCommands,
  ...userCommands,
  ...groupCommands,
  ...tokenCommands,
  ...grantCommands,
];

/** The command named by the first words of `words`, longest name first. */
export function findCommand(words: string[]): Command | undefined {
  return [...COMMANDS]
    .sort((a, b) => b.path.length - a.path.length)
    .find((c) => c.path.every((w, i) => words[i] === w));
}

/** Server address and token: flags win over the environment. */
export function resolveConfig(values: OptionValues, env: CliIo['env']): { url: string; token?: string } {
  const url = stringOption(values, 'url') ?? (env.STRATA_URL || DEFAULT_URL);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a URL (set --url or STRATA_URL, e.g. http://localhost:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`"${url}" must be an http or https URL`);
  const token = stringOption(values, 'token') ?? env.STRATA_TOKEN;
  return { url, token: token || undefined };
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const words = leadingWords(argv);
  const print = (text: string) => void io.stdout.write(`${text}\n`);
  if (words.length === 0 || words[0] === 'help') {
    const topic = words.slice(1);
    const command = topic.length > 0 ? findCommand(topic) : undefined;
    if (topic.length > 0 && !command && !COMMANDS.some((c) => c.path[0] === topic[0])) throw new UsageError(`unknown command "${topic.join(' ')}"`);
    print(command ? commandHelp(command) : overviewHelp(COMMANDS, topic[0]));
    return words.length === 0 && !argv.some((a) => a === '--help' || a === '-h') ? 2 : 0;
  }
  const command = findCommand(words);
  if (!command) {
    if (COMMANDS.some((c) => c.path[0] === words[0] && c.path.length > 1)) {
      const asked = argv.includes('--help') || argv.includes('-h');
      print(overviewHelp(COMMANDS, words[0]));
      return asked ? 0 : 2;
    }
    throw new UsageError(`unknown command "${words[0]}"`);
  }

  const { values, positionals } = parseOptions(argv, command.options);
  if (values.help) {
    print(commandHelp(command));
    return 0;
  }
  const name = command.path.join(' ');
  const args = positionals.slice(command.path.length);
  const { min, max } = command.positionals;
  if (args.length < min) throw new UsageError(`missing arguments: strata ${name} ${command.args}`, name);
  if (args.length > max) throw new UsageError(`unexpected argument "${args[max]}"`, name);

  const { url, token } = resolveConfig(values, io.env);
  const ctx: CommandContext = {
    io,
    api: new ApiClient(url, token, io.signal),
    json: values.json === true,
    print,
    note: (text) => void io.stderr.write(`${text}\n`),
  };
  return command.run(ctx, { values, positionals: args });
}

/** Runs one command line; returns the exit status (0 ok, 1 failure, 2 usage, 130 interrupted). */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin, ...io };
  try {
    return await dispatch(argv, full);
  } catch (e) {
    if (isAbort(e) || full.signal?.aborted) {
      full.stderr.write('strata: interrupted\n');
      return 130;
    }
    if (e instanceof UsageError) {
      const hint = e.command ? `strata help ${e.command}` : 'strata help';
      full.stderr.write(`strata: ${e.message}\n(see '${hint}')\n`);
      return e.exitCode;
    }
    if (e instanceof CliError) {
      full.stderr.write(`strata: ${e.message}\n`);
      return e.exitCode;
    }
    full.stderr.write(`strata: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

/** The process entry: Ctrl-C aborts the running command (transfers clean up their temp files). */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); // `strata events tail | head`
    throw e;
  });
  const code = await main(argv, { signal: controller.signal });
  process.off('SIGINT', interrupt);
  // fetch keeps its connection alive for a while after the last answer; once the output is
  // flushed there is nothing left to wait for
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
  process.exit(code);
}

function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) await run();
