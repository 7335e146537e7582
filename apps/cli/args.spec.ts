import { integerOption, parseOptions, parseSize, splitTarget } from './args.js';
import { configFromOptions, createBody } from './commands/repo.js';
import { UsageError } from './errors.js';
import { encodePath } from './http.js';
import { DEFAULT_URL, findCommand, main, resolveConfig } from './main.js';
import { captureIo } from './stub-server.js';

describe('sizes for --max-upload', () => {
  it.each([
    ['1048576', 1_048_576],
    ['500MB', 500_000_000],
    ['500mb', 500_000_000],
    ['10GiB', 10 * 1024 ** 3],
    ['1.5 GB', 1_500_000_000],
    ['64KiB', 65_536],
    ['2k', 2000],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'ten', '10XB', '-5MB', '0', '1e3', '10 GiB extra'])('refuses %j', (text) => {
    expect(() => parseSize(text)).toThrow(UsageError);
  });
});

describe('option parsing', () => {
  const options = { limit: { type: 'string', description: '' }, follow: { type: 'boolean', description: '' } } as const;

  it('knows the global options and the command options', () => {
    const { values, positionals } = parseOptions(['events', 'tail', '--limit', '5', '--json', '-f', '--url', 'http://x:1'], { ...options, follow: { ...options.follow, short: 'f' } });
    expect(values).toMatchObject({ limit: '5', json: true, follow: true, url: 'http://x:1' });
    expect(positionals).toEqual(['events', 'tail']);
  });

  it('turns --no-<flag> into false', () => {
    expect(parseOptions(['--no-follow'], options).values.follow).toBe(false);
  });

  it('refuses unknown options as usage errors', () => {
    expect(() => parseOptions(['--limt', '5'], options)).toThrow(UsageError);
  });

  it.each([['5', 5], [undefined, undefined]])('reads --limit %j', (raw, expected) => {
    expect(integerOption({ limit: raw }, 'limit', 1)).toBe(expected);
  });

  it.each(['0', '-1', 'x', '1.5'])('refuses --limit %s', (raw) => {
    expect(() => integerOption({ limit: raw }, 'limit', 1)).toThrow(UsageError);
  });

  it('splits <repository>/<path> at the first slash', () => {
    expect(splitTarget('libs/a/b c.tgz')).toEqual({ repository: 'libs', path: 'a/b c.tgz' });
    expect(() => splitTarget('libs')).toThrow(UsageError);
    expect(() => splitTarget('/a')).toThrow(UsageError);
    expect(() => splitTarget('libs/')).toThrow(UsageError);
  });

  it('encodes each path segment but keeps the slashes', () => {
    expect(encodePath('@scope/a b/c%d/é?#')).toBe('%40scope/a%20b/c%25d/%C3%A9%3F%23');
  });
});

describe('command lookup', () => {
  it.each([
    [['repo', 'create', 'libs'], 'repo create'],
    [['upload', 'f', 'libs/f'], 'upload'],
    [['projections', 'rebuild', 'x'], 'projections rebuild'],
  ])('%j is %s', (words, name) => {
    expect(findCommand(words)?.path.join(' ')).toBe(name);
  });

  it('finds nothing for an unknown word', () => {
    expect(findCommand(['repos', 'list'])).toBeUndefined();
  });
});

describe('repository options', () => {
  it('builds the create body with defaults and parsed sizes', () => {
    const body = createBody('libs', { format: 'generic', 'anonymous-read': true, 'max-upload': '10GiB', members: 'a, b,,c' });
    expect(body).toEqual({ name: 'libs', format: 'generic', type: 'hosted', anonymousRead: true, maxUploadBytes: 10 * 1024 ** 3, members: ['a', 'b', 'c'] });
  });

  it('needs --format and a known --type', () => {
    expect(() => createBody('libs', {})).toThrow(/--format is required/);
    expect(() => createBody('libs', { format: 'npm', type: 'mirror' })).toThrow(/--type must be one of/);
  });

  it('sends only the settings given when configuring', () => {
    expect(configFromOptions({ 'allow-redeploy': false, upstream: 'https://registry.npmjs.org' })).toEqual({ allowRedeploy: false, upstream: { url: 'https://registry.npmjs.org' } });
  });
});

describe('configuration', () => {
  it('defaults to localhost:8080 without a token', () => {
    expect(resolveConfig({}, {})).toEqual({ url: DEFAULT_URL, token: undefined });
  });

  it('reads STRATA_URL and STRATA_TOKEN', () => {
    expect(resolveConfig({}, { STRATA_URL: 'https://strata.example', STRATA_TOKEN: 't1' })).toEqual({ url: 'https://strata.example', token: 't1' });
  });

  it('lets flags win over the environment', () => {
    expect(resolveConfig({ url: 'http://other:9', token: 't2' }, { STRATA_URL: 'https://strata.example', STRATA_TOKEN: 't1' })).toEqual({ url: 'http://other:9', token: 't2' });
  });

  it('refuses an address that is not http(s)', () => {
    expect(() => resolveConfig({ url: 'ftp://x' }, {})).toThrow(UsageError);
    expect(() => resolveConfig({ url: 'not a url' }, {})).toThrow(UsageError);
  });
});

describe('strata help and usage errors', () => {
  it('strata help lists every command and exits 0', async () => {
    const io = captureIo();
    expect(await main(['help'], io)).toBe(0);
    for (const name of ['repo create', 'upload', 'download', 'events tail', 'verify', 'projections rebuild', 'gc', 'history']) {
      expect(io.out()).toContain(name);
    }
  });

  it('strata <command> --help shows its options without calling a server', async () => {
    const io = captureIo({ STRATA_URL: 'http://127.0.0.1:1' });
    expect(await main(['repo', 'create', '--help'], io)).toBe(0);
    expect(io.out()).toContain('usage: strata repo create <name> --format <format> [options]');
    expect(io.out()).toContain('--[no-]anonymous-read');
  });

  it('strata help <command> is the same help', async () => {
    const a = captureIo();
    const b = captureIo();
    await main(['help', 'events', 'tail'], a);
    await main(['events', 'tail', '--help'], b);
    expect(a.out()).toBe(b.out());
  });

  it('a group without a subcommand lists the group and exits 2', async () => {
    const io = captureIo();
    expect(await main(['projections'], io)).toBe(2);
    expect(io.out()).toContain('projections status');
    expect(io.out()).not.toContain('repo create');
  });

  it.each([
    [['nope'], 'unknown command "nope"'],
    [['repo', 'show'], 'missing arguments'],
    [['repo', 'show', 'a', 'b'], 'unexpected argument "b"'],
    [['repo', 'create', 'libs', '--format', 'generic', '--max-upload', 'lots'], 'is not a size'],
    [['events', 'tail', '--limit', '0'], '--limit must be at least 1'],
    [['gc', '--force'], "Unknown option '--force'"],
    [['repo', 'configure', 'libs'], 'nothing to change'],
  ])('%j exits 2 with a clear message', async (argv, message) => {
    const io = captureIo({ STRATA_URL: 'http://127.0.0.1:1' });
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.out()).toBe('');
  });
});
