import { formatGcReport } from './commands/gc.js';
import { formatTimeline } from './commands/history.js';
import { formatProjections, formatRebuildLine } from './commands/projections.js';
import { formatRepository, formatRepositoryList, type RepositoryView } from './commands/repo.js';
import { describeEvent, formatEventLine, type EventView } from './event-view.js';
import { formatBytes, formatDuration, formatTable, formatTime } from './format.js';
import { createProgress, formatProgress } from './progress.js';

process.env.TZ = 'UTC';

const event = (over: Partial<EventView> = {}): EventView => ({
  position: 42,
  streamId: 'artifact-libs-generic-a/b.bin',
  streamVersion: 1,
  type: 'ArtifactPublished',
  schemaVersion: 1,
  data: { repository: 'libs', version: '1.0.0', files: [{ path: 'b.bin', digest: 'sha256:ab', size: 1_500_000, mediaType: 'x' }, { path: 'b.sig', digest: 'sha256:cd', size: 500_000, mediaType: 'x' }] },
  metadata: { actor: 'alice', authMethod: 'token', correlationId: 'c1' },
  recordedAt: '2024-05-01T12:00:03.120Z',
  prevHash: '0'.repeat(64),
  hash: '1'.repeat(64),
  ...over,
});

describe('tables and values', () => {
  it('aligns columns and trims trailing blanks', () => {
    expect(formatTable(['NAME', 'SIZE', 'X'], [['a', '1 B', ''], ['longer', '10 kB', 'y']], ['left', 'right'])).toBe(
      ['NAME     SIZE  X', 'a         1 B', 'longer  10 kB  y'].join('\n'),
    );
  });

  it('shows times as local date and time', () => {
    expect(formatTime('2024-05-01T12:00:03.120Z')).toBe('2024-05-01 12:00:03');
    expect(formatTime(undefined)).toBe('-');
    expect(formatTime('yesterday')).toBe('yesterday');
  });

  it.each([
    [0, false, '0 B'],
    [999, false, '999 B'],
    [1_234_567, false, '1.2 MB'],
    [250_000_000, false, '250 MB'],
    [10 * 1024 ** 3, true, '10 GiB'],
    [1536, true, '1.5 KiB'],
  ])('formatBytes(%d, binary=%s) is %s', (n, binary, text) => {
    expect(formatBytes(n, binary)).toBe(text);
  });

  it.each([[4200, '4.2s'], [65_000, '1m05s'], [3_725_000, '1h02m05s']])('formatDuration(%d) is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('progress bar', () => {
  it('shows the bar, percentage, amounts and MB/s', () => {
    expect(formatProgress({ label: 'uploading a.bin', done: 50_000_000, total: 100_000_000, elapsedMs: 500 })).toBe(
      'uploading a.bin [############............]  50%  50.0 MB / 100 MB  100.0 MB/s',
    );
  });

  it('clamps at 100% and copes with no elapsed time', () => {
    expect(formatProgress({ label: 'x', done: 10, total: 5, elapsedMs: 0 })).toBe(`x [${'#'.repeat(24)}] 100%  10 B / 5 B  0.0 MB/s`);
  });

  it('shrinks, then drops, the bar to fit a narrow terminal', () => {
    const p = { label: 'uploading a.bin', done: 50_000_000, total: 100_000_000, elapsedMs: 500 };
    expect(formatProgress(p, 62)).toBe('uploading a.bin [#####....]  50%  50.0 MB / 100 MB  100.0 MB/s');
    expect(formatProgress(p, 62)).toHaveLength(62);
    expect(formatProgress(p, 50)).toBe('uploading a.bin  50%  50.0 MB / 100 MB  100.0 MB/s');
  });

  it('drops the bar when the total is unknown', () => {
    expect(formatProgress({ label: 'downloading', done: 2_000_000, elapsedMs: 1000 })).toBe('downloading  2.0 MB  2.0 MB/s');
  });

  it('counts events for rebuilds', () => {
    expect(formatProgress({ label: 'rebuilding p', done: 300, total: 1200, elapsedMs: 2000, unit: 'events' })).toBe(
      'rebuilding p [######..................]  25%  300 / 1200 events  150 events/s',
    );
  });

  it('draws on a terminal with carriage returns, throttled, and ends the line', () => {
    const written: string[] = [];
    let clock = 0;
    const bar = createProgress({ write: (s: string) => written.push(s), isTTY: true, columns: 200 }, 'up', 1000, { now: () => clock });
    bar.update(100);
    clock = 50;
    bar.update(200); // within 100 ms of the last draw: skipped
    clock = 200;
    bar.update(1000);
    bar.finish();
    expect(written).toHaveLength(4);
    expect(written[0]).toMatch(/^\r\x1b\[2Kup \[##/);
    expect(written[2]).toContain('100%');
    expect(written[3]).toBe('\n');
  });

  it('writes nothing when stderr is not a terminal', () => {
    const written: string[] = [];
    const bar = createProgress({ write: (s: string) => written.push(s), isTTY: false }, 'up', 1000);
    bar.update(500);
    bar.finish();
    bar.clear();
    expect(written).toEqual([]);
  });
});

describe('command output', () => {
  const repo: RepositoryView = {
    name: 'libs',
    format: 'generic',
    type: 'hosted',
    config: { anonymousRead: true, allowRedeploy: false, maxUploadBytes: 10 * 1024 ** 3, description: 'build outputs' },
    createdAt: '2024-05-01T12:00:00.000Z',
    updatedAt: '2024-05-02T08:30:00.000Z',
  };

  it('shows a repository as aligned fields', () => {
    expect(formatRepository(repo)).toBe(
      [
        'name            libs',
        'format          generic',
        'type            hosted',
        'anonymous read  yes',
        'allow redeploy  no',
        'max upload      10 GiB',
        'description     build outputs',
        'created         2024-05-01 12:00:00',
        'updated         2024-05-02 08:30:00',
      ].join('\n'),
    );
  });

  it('lists repositories as a table', () => {
    expect(formatRepositoryList([repo]).split('\n')).toEqual([
      'NAME  FORMAT   TYPE    ANON READ  REDEPLOY  MAX UPLOAD  CREATED',
      'libs  generic  hosted  yes        no            10 GiB  2024-05-01 12:00:00',
    ]);
    expect(formatRepositoryList([])).toBe('no repositories');
  });

  it('prints one fixed-width line per event: position, time, type, stream, actor', () => {
    expect(formatEventLine(event())).toBe('     42  2024-05-01 12:00:03  ArtifactPublished       artifact-libs-generic-a/b.bin  alice');
  });

  it('describes what an event did', () => {
    expect(describeEvent(event())).toBe('1.0.0, 2 files, 2.0 MB');
    expect(describeEvent(event({ type: 'TagSet', data: { tag: 'latest', version: '1.2.0' } }))).toBe('1.2.0, tag latest');
    expect(describeEvent(event({ type: 'Odd', data: { something: 'else' } }))).toBe('{"something":"else"}');
  });

  it('prints a package history as a timeline', () => {
    const lines = formatTimeline([event(), event({ position: 57, type: 'ArtifactDeleted', data: { version: '1.0.0' }, recordedAt: '2024-05-03T09:00:00.000Z' })]).split('\n');
    expect(lines).toEqual([
      'TIME                 POSITION  EVENT              WHAT                    BY',
      '2024-05-01 12:00:03       #42  ArtifactPublished  1.0.0, 2 files, 2.0 MB  alice (token)',
      '2024-05-03 09:00:00       #57  ArtifactDeleted    1.0.0                   alice (token)',
    ]);
  });

  it('summarises gc and says why blobs are kept on a dry run', () => {
    const text = formatGcReport({
      dryRun: true,
      scanned: 3,
      removed: [{ digest: 'sha256:aa', size: 2048, reason: 'unreferenced for 2 days' }],
      kept: [{ digest: 'sha256:bb', reason: 'referenced by libs/a.bin' }, { digest: 'sha256:cc', reason: 'within grace period' }],
      bytesFreed: 2048,
      temporaryRemoved: 1,
    });
    expect(text).toContain('dry run: scanned 3 blobs, would remove 1 (2.0 kB), kept 2, would remove 1 temporary file');
    expect(text).toContain('sha256:aa  2.0 kB  unreferenced for 2 days');
    expect(text).toContain('sha256:bb  referenced by libs/a.bin');
  });

  it('shows projections and rebuild progress', () => {
    const p = { name: 'packages', version: 2, table: 'packages_v2', position: 90, head: 100, lag: 10, state: 'rebuilding' as const, rebuild: { position: 45, head: 100 } };
    expect(formatProjections([p]).split('\n')[1]).toBe('packages        2  rebuilding        90   100   10   45/100  packages_v2');
    expect(formatRebuildLine(p)).toBe('packages: rebuilding 45/100 (45%)');
  });
});
