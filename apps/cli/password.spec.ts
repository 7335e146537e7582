import { PassThrough, Readable } from 'node:stream';
import { CliError, UsageError, isAbort } from './errors.js';
import { readPassword, withoutTrailingNewline, type PasswordInput } from './password.js';
import { captureIo } from './stub-server.js';

/** A stand-in terminal: `isTTY`, raw mode recorded, keys typed once the prompt is shown. */
function fakeTerminal(...keystrokes: string[]) {
  const stream = new PassThrough();
  const rawModes: boolean[] = [];
  const tty = Object.assign(stream, { isTTY: true, setRawMode: (raw: boolean) => rawModes.push(raw) });
  const io = captureIo({}, { stdin: tty });
  const stderrWrite = io.stderr.write;
  let typed = 0;
  // each prompt (a write ending in ': ') gets the next keystrokes, the way a person answers it
  io.stderr.write = (s: string) => {
    const result = stderrWrite(s);
    if (s.endsWith(': ') && typed < keystrokes.length) {
      const keys = keystrokes[typed++]!;
      setImmediate(() => stream.write(keys));
    }
    return result;
  };
  return { io, rawModes };
}

const piped = (...chunks: Array<string | Buffer>) => captureIo({}, { stdin: Readable.from(chunks) });

describe('readPassword from a pipe (--password-stdin)', () => {
  it.each([
    ['s3cret password\n', 's3cret password'],
    ['s3cret password\r\n', 's3cret password'],
    ['s3cret password', 's3cret password'],
    ['  spaces kept  \n', '  spaces kept  '],
  ])('%j is %j', async (input, expected) => {
    expect(await readPassword(piped(input), { fromStdin: true, command: 'login' })).toBe(expected);
  });

  it('joins chunks, including a UTF-8 character split between two', async () => {
    const bytes = Buffer.from('pässwörd-long\n');
    expect(await readPassword(piped(bytes.subarray(0, 2), bytes.subarray(2)), { fromStdin: true, command: 'login' })).toBe('pässwörd-long');
  });

  it('refuses piped input without --password-stdin, before reading it', async () => {
    const io = piped('secret\n');
    await expect(readPassword(io, { fromStdin: false, command: 'login' })).rejects.toThrow(UsageError);
    await expect(readPassword(io, { fromStdin: false, command: 'login' })).rejects.toThrow(/--password-stdin/);
  });

  it.each([
    ['nothing', '', /empty/],
    ['an empty line', '\n', /empty/],
    ['two lines', 'one\ntwo\n', /more than one line/],
    ['5000 bytes', 'x'.repeat(5000), /more than 4096 bytes/],
  ])('refuses %s', async (_label, input, message) => {
    await expect(readPassword(piped(input), { fromStdin: true, command: 'login' })).rejects.toThrow(message);
  });

  it('drops only one trailing newline', () => {
    expect(withoutTrailingNewline('a\n')).toBe('a');
    expect(() => withoutTrailingNewline('a\n\n')).toThrow(CliError);
  });
});

describe('readPassword at a terminal', () => {
  it('reads in raw mode (no echo), writing only the prompt and a newline', async () => {
    const { io, rawModes } = fakeTerminal('correct horse\r');
    expect(await readPassword(io, { fromStdin: false, command: 'login', prompt: 'Password for alice: ' })).toBe('correct horse');
    expect(rawModes).toEqual([true, false]);
    expect(io.err()).toBe('Password for alice: \n');
    expect(io.out()).toBe('');
  });

  it('prompts at a terminal even with --password-stdin (stdin is the terminal)', async () => {
    const { io, rawModes } = fakeTerminal('typed-secret\n');
    expect(await readPassword(io, { fromStdin: true, command: 'login' })).toBe('typed-secret');
    expect(rawModes).toEqual([true, false]);
  });

  it('handles Backspace, Ctrl-U and arrow keys', async () => {
    const { io } = fakeTerminal('abc\u007fd\u0015xyz\u007f\u007fq\u001b[A');
    // the escape sequence ends its chunk; Enter comes in the next one
    const reading = readPassword(io, { fromStdin: false, command: 'login' });
    setTimeout(() => (io.stdin as PassThrough).write('2\r'), 20);
    expect(await reading).toBe('xq2');
  });

  it('asks twice for a new password and refuses a mismatch', async () => {
    const same = fakeTerminal('new password 1\r', 'new password 1\r');
    expect(await readPassword(same.io, { fromStdin: false, command: 'user set-password', confirm: true })).toBe('new password 1');
    expect(same.io.err()).toBe('Password: \nRepeat password: \n');
    const differ = fakeTerminal('new password 1\r', 'new password 2\r');
    await expect(readPassword(differ.io, { fromStdin: false, command: 'user set-password', confirm: true })).rejects.toThrow('the two passwords do not match');
    expect(differ.rawModes).toEqual([true, false, true, false]);
  });

  it('Ctrl-C interrupts (raw mode has no SIGINT) and leaves raw mode', async () => {
    const { io, rawModes } = fakeTerminal('abc\u0003');
    const error = await readPassword(io, { fromStdin: false, command: 'login' }).catch((e: unknown) => e);
    expect(isAbort(error)).toBe(true);
    expect(rawModes).toEqual([true, false]);
  });

  it('an aborted command stops waiting for the password', async () => {
    const controller = new AbortController();
    const stdin: PasswordInput = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const io = captureIo({}, { stdin, signal: controller.signal });
    const reading = readPassword(io, { fromStdin: false, command: 'login' });
    controller.abort();
    expect(isAbort(await reading.catch((e: unknown) => e))).toBe(true);
  });

  it('an empty line is no password', async () => {
    const { io } = fakeTerminal('\r');
    await expect(readPassword(io, { fromStdin: false, command: 'login', confirm: true })).rejects.toThrow('the password is empty');
  });
});
