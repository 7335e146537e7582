import { createHash } from 'node:crypto';
import {
  abbreviate, declaredTarball, mergePackuments, parseUpstreamPackument, rewriteUpstreamPackument, sriFromHex, versionOfFile, type Packument,
} from './proxy-packument.js';

const bytes = Buffer.from('tarball bytes');
const sha512 = createHash('sha512').update(bytes).digest();
const sha1 = createHash('sha1').update(bytes).digest('hex');
const upstreamIntegrity = `sha512-${sha512.toString('base64')}`;

const upstreamDoc = (name: string, versions: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}): Packument =>
  parseUpstreamPackument(Buffer.from(JSON.stringify({ _id: name, _rev: '3-abc', name, 'dist-tags': { latest: Object.keys(versions).at(-1) }, versions, _attachments: {}, _uplinks: {}, ...extra })), name);

const version = (name: string, v: string, dist: Record<string, unknown> = {}) => ({
  name, version: v, main: 'index.js', scripts: { test: 'x' }, dependencies: { dep: '^1' },
  dist: { tarball: `https://registry.example/${name}/-/${name.split('/').pop()}-${v}.tgz`, integrity: upstreamIntegrity, shasum: sha1, signatures: [{ keyid: 'k', sig: 's' }], ...dist },
});

describe('remote packuments: the upstream document rewritten', () => {
  it.each([
    ['unscoped', 'left-pad'],
    ['scoped', '@scope/pkg'],
  ])('%s: every tarball URL points at the remote repository, private fields go, the rest stays', (_, name) => {
    const doc = upstreamDoc(name, { '1.0.0': version(name, '1.0.0') });
    const out = rewriteUpstreamPackument(doc, { tarballBase: 'http://strata/npm/up', recorded: new Map(), abbreviated: false });
    const file = `${name.split('/').pop()}-1.0.0.tgz`;
    expect(out.versions['1.0.0'].dist).toEqual({ ...version(name, '1.0.0').dist, tarball: `http://strata/npm/up/${name}/-/${file}` });
    expect(out).not.toHaveProperty('_attachments');
    expect(out).not.toHaveProperty('_uplinks');
    expect(out._rev).toBe('3-abc');
    expect(out.versions['1.0.0'].scripts).toEqual({ test: 'x' });
  });

  it('a tarball already recorded carries the recorded digests (and the upstream signatures go with the old integrity)', () => {
    const recordedSha512 = createHash('sha512').update('recorded').digest('hex');
    const doc = upstreamDoc('pkg', { '1.0.0': version('pkg', '1.0.0'), '1.1.0': version('pkg', '1.1.0') });
    const out = rewriteUpstreamPackument(doc, { tarballBase: 'http://s/npm/up', recorded: new Map([['pkg/-/pkg-1.0.0.tgz', { sha1: 'a'.repeat(40), sha512: recordedSha512 }]]), abbreviated: false });
    expect(out.versions['1.0.0'].dist).toMatchObject({ integrity: sriFromHex(recordedSha512), shasum: 'a'.repeat(40) });
    expect(out.versions['1.0.0'].dist).not.toHaveProperty('signatures');
    expect(out.versions['1.1.0'].dist).toMatchObject({ integrity: upstreamIntegrity, shasum: sha1, signatures: [{ keyid: 'k', sig: 's' }] });
  });

  it('the same recorded digests keep the upstream signatures', () => {
    const doc = upstreamDoc('pkg', { '1.0.0': version('pkg', '1.0.0') });
    const out = rewriteUpstreamPackument(doc, { tarballBase: 'http://s/npm/up', recorded: new Map([['pkg/-/pkg-1.0.0.tgz', { sha1, sha512: sha512.toString('hex') }]]), abbreviated: false });
    expect(out.versions['1.0.0'].dist).toMatchObject({ integrity: upstreamIntegrity, signatures: [{ keyid: 'k', sig: 's' }] });
  });

  it('abbreviated: only the install fields, whatever the upstream sent', () => {
    const doc = upstreamDoc('pkg', { '1.0.0': version('pkg', '1.0.0') }, { readme: 'long', time: { modified: '2026-01-01T00:00:00.000Z' } });
    const out = rewriteUpstreamPackument(doc, { tarballBase: 'http://s/npm/up', recorded: new Map(), abbreviated: true });
    expect(Object.keys(out).sort()).toEqual(['dist-tags', 'modified', 'name', 'versions']);
    expect(out.modified).toBe('2026-01-01T00:00:00.000Z');
    expect(Object.keys(out.versions['1.0.0']).sort()).toEqual(['dependencies', 'dist', 'name', 'version']);
    expect(abbreviate(out)).toEqual(out);
  });

  it('refuses what is not a packument of the asked name; dist-tags naming missing versions are dropped', () => {
    expect(() => parseUpstreamPackument(Buffer.from('<html>'), 'pkg')).toThrow(/not JSON/);
    expect(() => parseUpstreamPackument(Buffer.from('{"name":"other","versions":{}}'), 'pkg')).toThrow(/not a packument of pkg/);
    expect(() => parseUpstreamPackument(Buffer.from('{"name":"pkg"}'), 'pkg')).toThrow(/not a packument/);
    const doc = parseUpstreamPackument(Buffer.from(JSON.stringify({ name: 'pkg', 'dist-tags': { latest: '1.0.0', next: '9.9.9', bad: 3 }, versions: { '1.0.0': version('pkg', '1.0.0'), junk: 'x' } })), 'pkg');
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
    expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
  });
});

describe('what an upstream version declares for its tarball', () => {
  it('sha512 of dist.integrity as hex, dist.shasum as sha1', () => {
    expect(declaredTarball(version('pkg', '1.0.0'))).toEqual({ url: 'https://registry.example/pkg/-/pkg-1.0.0.tgz', expected: { sha512: sha512.toString('hex'), sha1 } });
  });
  it.each([
    ['several hashes, sha512 among them', { integrity: `sha1-abc ${upstreamIntegrity}` }, { sha512: sha512.toString('hex'), sha1 }],
    ['only a shasum (old packages)', { integrity: undefined }, { sha1 }],
    ['a malformed integrity and shasum', { integrity: 'sha512-short', shasum: 'zz' }, {}],
  ])('%s', (_, dist, expected) => {
    expect(declaredTarball(version('pkg', '1.0.0', dist))?.expected).toEqual(expected);
  });
  it('no tarball URL: nothing to fetch', () => {
    expect(declaredTarball({ dist: {} })).toBeNull();
    expect(declaredTarball('x')).toBeNull();
  });
  it.each([
    ['pkg', 'pkg-1.0.0.tgz', '1.0.0'],
    ['@s/pkg', 'pkg-2.0.0-beta.1.tgz', '2.0.0-beta.1'],
    ['pkg', 'other-1.0.0.tgz', null],
    ['pkg', 'pkg-.tgz', null],
    ['pkg', 'pkg-1.0.0.tar', null],
  ])('version of %s file %s', (name, file, expected) => {
    expect(versionOfFile(name, file)).toBe(expected);
  });
});

describe('virtual packuments: members merged', () => {
  const hosted = { ...upstreamDoc('pkg', { '1.0.0': version('pkg', '1.0.0', { integrity: 'sha512-hosted' }) }, { description: 'private', time: { created: '2026-02-01T00:00:00.000Z', modified: '2026-02-02T00:00:00.000Z', '1.0.0': '2026-02-01T00:00:00.000Z' } }), 'dist-tags': { latest: '1.0.0', beta: '1.0.0' } };
  const remote = upstreamDoc('pkg', { '1.0.0': version('pkg', '1.0.0', { integrity: 'sha512-remote' }), '2.0.0': version('pkg', '2.0.0') }, { description: 'public', time: { created: '2025-01-01T00:00:00.000Z', modified: '2026-03-01T00:00:00.000Z', '1.0.0': '2025-01-01T00:00:00.000Z', '2.0.0': '2026-03-01T00:00:00.000Z' } });

  it('each version from the first member that has it; dist-tags and package fields from the first member', () => {
    const out = mergePackuments([hosted, remote], { tarballBase: 'http://s/npm/all', abbreviated: false });
    expect(Object.keys(out.versions).sort()).toEqual(['1.0.0', '2.0.0']);
    expect(out.versions['1.0.0'].dist).toMatchObject({ integrity: 'sha512-hosted', tarball: 'http://s/npm/all/pkg/-/pkg-1.0.0.tgz' });
    expect(out.versions['2.0.0'].dist).toMatchObject({ tarball: 'http://s/npm/all/pkg/-/pkg-2.0.0.tgz' });
    expect(out['dist-tags']).toEqual({ latest: '1.0.0', beta: '1.0.0' });
    expect(out.description).toBe('private');
    expect(out.time).toEqual({ created: '2025-01-01T00:00:00.000Z', modified: '2026-03-01T00:00:00.000Z', '1.0.0': '2026-02-01T00:00:00.000Z', '2.0.0': '2026-03-01T00:00:00.000Z' });
    expect(out).not.toHaveProperty('_rev');
  });

  it('abbreviated: name, modified, dist-tags and versions only; a single member is served as it is, on the virtual URL', () => {
    const out = mergePackuments([abbreviate(remote)], { tarballBase: 'http://s/npm/all', abbreviated: true });
    expect(Object.keys(out).sort()).toEqual(['dist-tags', 'modified', 'name', 'versions']);
    expect(out.versions['2.0.0'].dist).toMatchObject({ tarball: 'http://s/npm/all/pkg/-/pkg-2.0.0.tgz', integrity: upstreamIntegrity });
    expect(out['dist-tags']).toEqual({ latest: '2.0.0' });
  });
});
