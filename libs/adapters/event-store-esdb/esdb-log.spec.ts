import { WrongExpectedVersionError, StreamNotFoundError } from '@eventstore/db-client';
import { ChainVerifier, GENESIS_HASH, type NewEvent } from '../../ports/index.js';
import {
  assembleStream,
  backoffMs,
  buildLogEntries,
  checkMissing,
  classifyPointer,
  expectedRevisionFor,
  isStreamNotFound,
  isWrongExpectedVersion,
  linkData,
  missingPointers,
  parseLink,
  streamNames,
  toRecordedEvent,
} from './esdb-log.js';

const meta = { actor: 'test', authMethod: 'system', correlationId: 'c-1' };
const ev = (type: string, data: unknown = {}): NewEvent => ({ type, schemaVersion: 1, data, metadata: meta });
const at = '2024-01-02T03:04:05.678Z';

describe('ESDB adapter helpers (no server needed)', () => {
  it('names the log and index streams inside a namespace and refuses system-looking ones', () => {
    expect(streamNames().log).toBe('strata-log');
    expect(streamNames().index('artifact-r-npm-x')).toBe('strata-stream-artifact-r-npm-x');
    expect(streamNames('t1').log).toBe('t1-log');
    expect(() => streamNames('$all')).toThrow();
    expect(() => streamNames('')).toThrow();
  });

  it('maps stream lengths to ESDB expected revisions', () => {
    expect(expectedRevisionFor(0)).toBe('no_stream');
    expect(expectedRevisionFor(1)).toBe(0n);
    expect(expectedRevisionFor(42)).toBe(41n);
  });

  it('builds log entries that continue positions, versions and the hash chain', () => {
    const first = buildLogEntries({}, 'a', 0, [ev('A', { x: 1, drop: undefined }), ev('B')], at);
    expect(first.map((e) => [e.position, e.streamVersion, e.streamId])).toEqual([[1, 1, 'a'], [2, 2, 'a']]);
    expect(first[0].prevHash).toBe(GENESIS_HASH);
    expect(first[0].data).toEqual({ x: 1 }); // hashed as it will read back from JSON
    const next = buildLogEntries({ last: first[1] }, 'b', 4, [ev('C', { big: 2 ** 40 })], at);
    expect(next[0]).toMatchObject({ position: 3, streamVersion: 5, prevHash: first[1].hash });
    const verifier = new ChainVerifier();
    [...first, ...next].forEach((e) => verifier.check(e));
    expect(verifier.verdict()).toMatchObject({ ok: true, events: 3, head: next[0].hash });
  });

  it('maps a log event back to the same RecordedEvent, through JSON', () => {
    const [entry] = buildLogEntries({}, 's', 0, [ev('A', { s: 'ü "q"', n: [1, null] })], at);
    const read = toRecordedEvent(0n, JSON.parse(JSON.stringify(entry)));
    expect(read).toEqual(entry);
  });

  it('refuses log events that are not Strata entries or sit at the wrong revision', () => {
    const [entry] = buildLogEntries({}, 's', 0, [ev('A')], at);
    expect(() => toRecordedEvent(1n, entry)).toThrow(/claims position 1, expected 2/);
    expect(() => toRecordedEvent(0n, { hello: 'world' })).toThrow(/not a Strata log entry/);
    expect(() => toRecordedEvent(0n, null)).toThrow(/not a Strata log entry/);
    expect(() => toRecordedEvent(0n, { ...entry, hash: undefined })).toThrow(/not a Strata log entry/);
  });

  it('writes and parses ESDB link data for log positions', () => {
    const data = linkData('strata-log', 7);
    expect(Buffer.from(data).toString()).toBe('6@strata-log');
    expect(parseLink(data, 'strata-log')).toBe(7);
    expect(parseLink('0@strata-log', 'strata-log')).toBe(1);
    expect(parseLink('6@other-log', 'strata-log')).toBeUndefined();
    expect(parseLink('x@strata-log', 'strata-log')).toBeUndefined();
    expect(parseLink({}, 'strata-log')).toBeUndefined();
  });

  it('finds the unindexed versions of the tail batch and their positions', () => {
    const [, , last] = buildLogEntries({ last: { position: 10 } as never }, 's', 3, [ev('A'), ev('B'), ev('C')], at);
    expect(last).toMatchObject({ position: 13, streamVersion: 6 });
    expect(missingPointers(last, 3)).toEqual([
      { streamVersion: 4, position: 11 },
      { streamVersion: 5, position: 12 },
      { streamVersion: 6, position: 13 },
    ]);
    expect(missingPointers(last, 5)).toEqual([{ streamVersion: 6, position: 13 }]);
    expect(missingPointers(last, 6)).toEqual([]);
    expect(missingPointers(last, 9)).toEqual([]); // index read after newer appends: nothing missing
  });

  it('checks read-back entries before linking them', () => {
    const batch = buildLogEntries({}, 's', 0, [ev('A'), ev('B')], at);
    const missing = missingPointers(batch[1], 0);
    expect(() => checkMissing('s', missing, batch)).not.toThrow();
    expect(() => checkMissing('s', missing, batch.slice(1))).toThrow(/expected 2 log entries/);
    expect(() => checkMissing('t', missing, batch)).toThrow(/is s@1/);
    // an index that fell behind the tail batch (the invariant broken): the arithmetic points at the wrong entries
    const other = buildLogEntries({}, 'x', 0, [ev('X')], at);
    const batch2 = buildLogEntries({ last: other[0] }, 's', 1, [ev('B')], at);
    expect(() => checkMissing('s', missingPointers(batch2[0], 0), [other[0], batch2[0]])).toThrow(/is x@1/);
  });

  it('classifies index events: resolved by the server, or a bare link to resolve ourselves', () => {
    const [entry] = buildLogEntries({}, 's', 0, [ev('A')], at);
    const logRecord = { streamId: 'strata-log', revision: 0n, type: 'A', data: JSON.parse(JSON.stringify(entry)) as unknown };
    const link = { streamId: 'strata-stream-s', revision: 0n, type: '$>', data: linkData('strata-log', 1) };
    expect(classifyPointer({ event: logRecord, link }, 'strata-log')).toEqual({ kind: 'resolved', event: entry });
    expect(classifyPointer({ event: link }, 'strata-log')).toEqual({ kind: 'link', position: 1 });
    expect(classifyPointer({ link }, 'strata-log')).toEqual({ kind: 'link', position: 1 });
    expect(() => classifyPointer({ event: { ...link, type: 'Foreign' } }, 'strata-log')).toThrow(/unexpected event/);
    expect(() => classifyPointer({}, 'strata-log')).toThrow(/unexpected event/);
  });

  it('assembles a stream from the index and the unindexed tail batch, refusing gaps', () => {
    const a = buildLogEntries({}, 's', 0, [ev('A'), ev('B')], at);
    const b = buildLogEntries({ last: a[1] }, 's', 2, [ev('C'), ev('D')], at);
    expect(assembleStream('s', a, b).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
    // the index caught up with part of the batch between our reads: no duplicates
    expect(assembleStream('s', [...a, b[0]], b).map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
    expect(assembleStream('s', [], [])).toEqual([]);
    expect(() => assembleStream('s', [a[0]], b)).toThrow(/inconsistent/);
    expect(() => assembleStream('t', a, [])).toThrow(/inconsistent/);
  });

  it('recognises the client errors it maps, by their type tag', () => {
    const wev = new WrongExpectedVersionError(undefined, { streamName: 'strata-log', expected: 3n, current: 4n });
    expect(isWrongExpectedVersion(wev)).toBe(true);
    expect(isWrongExpectedVersion(new Error('x'))).toBe(false);
    expect(isWrongExpectedVersion(undefined)).toBe(false);
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 'nope'))).toBe(true);
    expect(isStreamNotFound(wev)).toBe(false);
  });

  it('backs off with jitter that grows and stays bounded', () => {
    expect(backoffMs(0, () => 0.999)).toBe(0);
    expect(backoffMs(3, () => 0.999)).toBe(7);
    expect(backoffMs(50, () => 0.999)).toBe(99);
    expect(backoffMs(50, () => 0)).toBe(0);
  });
});
