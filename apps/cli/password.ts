import { StringDecoder } from 'node:string_decoder';
import type { CliIo } from './command.js';
import { CliError, UsageError } from './errors.js';

/** The part of process.stdin that reading a password needs; tests pass their own stream. */
export interface PasswordInput {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface PasswordRequest {
  /** `--password-stdin` was given: piped input is accepted */
  fromStdin: boolean;
  /** the command, for the usage hint */
  command: string;
  prompt?: string;
  /** a new password: on a terminal it is asked twice */
  confirm?: boolean;
}

/** more than any password the server accepts (login: 1024, stored passwords: 256 characters) */
const MAX_BYTES = 4096;

const abortError = () => Object.assign(new Error('interrupted'), { name: 'AbortError' });

/**
 * A password that is never on the command line: typed at a terminal with echo off (whether or not
 * `--password-stdin` is given, since stdin is the terminal), or piped with `--password-stdin`
 * (`printf %s "$PW" | strata login alice --password-stdin`; one trailing newline is dropped).
 * Piped input without the flag is refused, so a stray pipe never becomes a password by accident.
 */
export async function readPassword(io: CliIo, request: PasswordRequest): Promise<string> {
  const input = io.stdin;
  if (!input) throw new CliError('there is no standard input to read the password from');
  let password: string;
  if (input.isTTY && input.setRawMode) {
    password = await promptHidden(input, io, request.prompt ?? 'Password: ');
    if (request.confirm && password !== '') {
      const again = await promptHidden(input, io, 'Repeat password: ');
      if (again !== password) throw new CliError('the two passwords do not match');
    }
  } else if (request.fromStdin) {
    password = withoutTrailingNewline(await readAll(input, io.signal));
  } else {
    throw new UsageError('standard input is not a terminal: pipe the password in and add --password-stdin', request.command);
  }
  if (password === '') throw new CliError('the password is empty');
  return password;
}

/** Drops one trailing `\n` or `\r\n` (what `echo` and files add); a password of several lines is refused. */
export function withoutTrailingNewline(text: string): string {
  const line = text.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(line)) throw new CliError('standard input holds more than one line; expected just the password');
  return line;
}

/** Everything piped in, up to MAX_BYTES. */
function readAll(input: PasswordInput, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    let bytes = 0;
    const done = (error?: Error) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
      input.pause();
      if (error) reject(error);
      else resolve(text + decoder.end());
    };
    const onData = (chunk: Buffer | string) => {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      if (bytes > MAX_BYTES) return done(new CliError(`standard input holds more than ${MAX_BYTES} bytes; expected just the password`));
      text += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    };
    const onEnd = () => done();
    const onError = (e: Error) => done(new CliError(`cannot read the password from standard input: ${e.message}`));
    const onAbort = () => done(abortError());
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}

/**
 * One line typed at the terminal in raw mode, so nothing is echoed. Enter ends it, Backspace and
 * Ctrl-U edit it, Ctrl-C interrupts the command (raw mode turns off SIGINT), Ctrl-D ends the input.
 * Escape sequences (arrow keys) are dropped. The prompt and the final newline go to stderr.
 */
function promptHidden(input: PasswordInput, io: CliIo, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let typed = '';
    const done = (error?: Error) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      io.signal?.removeEventListener('abort', onAbort);
      input.setRawMode?.(false);
      input.pause();
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      for (const ch of text) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(abortError());
        if (ch === '\u001b') return; // the rest of the chunk is the escape sequence
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (ch === '\u0015') typed = '';
        else if (ch >= ' ') typed += ch;
        if (typed.length > MAX_BYTES) return done(new CliError(`a password is at most ${MAX_BYTES} characters`));
      }
    };
    const onEnd = () => done();
    const onError = (e: Error) => done(new CliError(`cannot read the password from the terminal: ${e.message}`));
    const onAbort = () => done(abortError());
    io.stderr.write(prompt);
    if (io.signal?.aborted) return onAbort();
    io.signal?.addEventListener('abort', onAbort);
    input.setRawMode?.(true);
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}
