import type { ArtifactPublished, RecordedEvent } from '../../domain/index.js';
import { emptyPackage, withDeleted, withDeprecation, withOwner, withPublished, withTag, type NpmPackageState } from './npm-state.js';
import { BASE_URL_MARK, renderPackument, withBaseUrl } from './packument.js';

let position = 0;
function published(name: string, version: string, at: string, manifest: Record<string, unknown> = {}, readme?: string): RecordedEvent<ArtifactPublished> {
  position++;
  return {
    position,
    streamId: `artifact-r-npm-${name}`,
    streamVersion: position,
    type: 'ArtifactPublished',
    schemaVersion: 1,
    data: {
      repository: 'r',
      format: 'npm',
      name,
      version,
      files: [{ path: `${name.replace(/^@.*\//, '')}-${version}.tgz`, digest: `sha256:${'a'.repeat(64)}`, size: 100, mediaType: 'application/octet-stream', sha1: 'b'.repeat(40) }],
      metadata: { manifest: { name, version, ...manifest }, ...(readme ? { readme } : {}), integrity: 'sha512-xyz', shasum: 'b'.repeat(40), fileCount: 2, unpackedSize: 50, hasShrinkwrap: false },
    },
    metadata: { actor: 'alice', authMethod: 'token', correlationId: 'c' },
    recordedAt: at,
    prevHash: '',
    hash: '',
  };
}

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-02T00:00:00.000Z';
const T2 = '2026-01-03T00:00:00.000Z';

function twoVersions(): NpmPackageState {
  let s = emptyPackage('@acme/lib', T0);
  s = withTag(withPublished(s, published('@acme/lib', '1.0.0', T0, { description: 'one', dependencies: { a: '^1' }, devDependencies: { jest: '*' }, scripts: { install: 'node-gyp rebuild' } }, '# one')), 'latest', '1.0.0', T0);
  s = withTag(withPublished(s, published('@acme/lib', '2.0.0-beta.1', T1, { description: 'two' }, '# two')), 'beta', '2.0.0-beta.1', T1);
  return withOwner(s, 'g1', 'alice', T1);
}

describe('packument rendering (the npm-packages read model)', () => {
  it('renders the full document: top-level fields from latest, time, maintainers, versions with dist', () => {
    const doc = JSON.parse(renderPackument('r', twoVersions())!.full.body);
    expect(doc).toMatchObject({ _id: '@acme/lib', name: '@acme/lib', description: 'one', readme: '# one', 'dist-tags': { latest: '1.0.0', beta: '2.0.0-beta.1' }, maintainers: [{ name: 'alice', email: '' }] });
    expect(doc.time).toEqual({ created: T0, modified: T1, '1.0.0': T0, '2.0.0-beta.1': T1 });
    expect(doc.versions['1.0.0']).toMatchObject({ _id: '@acme/lib@1.0.0', _npmUser: { name: 'alice', email: '' }, hasInstallScript: true, _hasShrinkwrap: false });
    expect(doc.versions['1.0.0'].dist).toEqual({ integrity: 'sha512-xyz', shasum: 'b'.repeat(40), tarball: `${BASE_URL_MARK}/npm/r/@acme/lib/-/lib-1.0.0.tgz`, fileCount: 2, unpackedSize: 50 });
  });

  it('renders the abbreviated document with only the install fields', () => {
    const doc = JSON.parse(renderPackument('r', twoVersions())!.abbreviated.body);
    expect(doc).toEqual({ name: '@acme/lib', modified: T1, 'dist-tags': { latest: '1.0.0', beta: '2.0.0-beta.1' }, versions: expect.any(Object) });
    expect(Object.keys(doc.versions['1.0.0']).sort()).toEqual(['_hasShrinkwrap', 'dependencies', 'devDependencies', 'dist', 'hasInstallScript', 'name', 'version']);
  });

  it('fills in the base URL when served, JSON-escaped', () => {
    const body = renderPackument('r', twoVersions())!.abbreviated.body;
    const doc = JSON.parse(withBaseUrl(body, 'https://npm.example.com/'));
    expect(doc.versions['1.0.0'].dist.tarball).toBe('https://npm.example.com/npm/r/@acme/lib/-/lib-1.0.0.tgz');
  });

  it('changes _rev and the ETags with every change; deprecation shows and goes', () => {
    const before = renderPackument('r', twoVersions())!;
    const deprecated = withDeprecation(twoVersions(), '1.0.0', 'use 2', T2);
    const after = renderPackument('r', deprecated)!;
    expect(after.rev).not.toBe(before.rev);
    expect(after.full.etag).not.toBe(before.full.etag);
    expect(JSON.parse(after.abbreviated.body).versions['1.0.0'].deprecated).toBe('use 2');
    const undone = renderPackument('r', withDeprecation(deprecated, '1.0.0', '', T2))!;
    expect(JSON.parse(undone.full.body).versions['1.0.0']).not.toHaveProperty('deprecated');
  });

  it('is null once every version is unpublished; unpublished versions are remembered', () => {
    const s = withDeleted(withDeleted(twoVersions(), '1.0.0', T2), '2.0.0-beta.1', T2);
    expect(renderPackument('r', s)).toBeNull();
    expect(Object.keys(s.unpublished).sort()).toEqual(['1.0.0', '2.0.0-beta.1']);
  });

  it('takes the readme of the newest version when latest names none, and drops owners whose grant is revoked', () => {
    let s = withTag(twoVersions(), 'latest', undefined, T2);
    s = withOwner(s, 'g1', undefined, T2);
    const doc = JSON.parse(renderPackument('r', s)!.full.body);
    expect(doc.readme).toBe('# two');
    expect(doc.maintainers).toEqual([]);
  });
});
