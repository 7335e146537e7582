import { decideArtifact, evolveArtifact, initialArtifactState, type ArtifactCommand, type ArtifactState } from './artifact.js';
import type { DomainEvent } from './events.js';
import { normalisePromotionRules, promotionSource } from './promotion.js';

const target = { repository: 'release', format: 'pypi', name: 'demo' };
const sdist = { path: 'demo-1.0.tar.gz', digest: 'sha256:aa', size: 1, mediaType: 'application/gzip' };
const wheel = { path: 'demo-1.0-py3-none-any.whl', digest: 'sha256:bb', size: 2, mediaType: 'application/zip' };
const at = (e: DomainEvent, recordedAt: string) => ({ ...e, recordedAt }) as unknown as DomainEvent;
const fold = (events: DomainEvent[]) => events.reduce<ArtifactState>(evolveArtifact, initialArtifactState());
const published = (repository: string, version = '1.0'): DomainEvent => ({
  type: 'ArtifactPublished', schemaVersion: 1, data: { ...target, repository, version, files: [sdist], metadata: { files: { [sdist.path]: { filetype: 'sdist' } } } },
});
const added = (repository: string): DomainEvent => ({
  type: 'ArtifactFilesAdded', schemaVersion: 1, data: { ...target, repository, version: '1.0', files: [wheel], metadata: { files: { [wheel.path]: { filetype: 'bdist_wheel' } } } },
});
const promote = (extra: Partial<ArtifactCommand> = {}): ArtifactCommand =>
  ({ type: 'PromoteArtifact', ...target, version: '1.0', from: 'staging', files: [sdist, wheel], metadata: {}, allowReuseAfterDelete: false, tags: [], ...extra }) as ArtifactCommand;

describe('promotion and restore (given/when/then)', () => {
  it('carries every file of the source version and its metadata merged across additions', () => {
    const source = promotionSource(fold([published('staging'), added('staging')]), 'staging', 'demo', '1.0', undefined);
    expect(source.files.map((f) => f.path)).toEqual([sdist.path, wheel.path]);
    expect(source.metadata).toEqual({ files: { [sdist.path]: { filetype: 'sdist' }, [wheel.path]: { filetype: 'bdist_wheel' } } });
  });

  it('refuses a missing or deleted source version, and sources or versions the rules exclude', () => {
    const deleted: DomainEvent = { type: 'ArtifactDeleted', schemaVersion: 1, data: { ...target, repository: 'staging', version: '1.0', files: [sdist] } };
    expect(() => promotionSource(fold([published('staging'), deleted]), 'staging', 'demo', '1.0', undefined)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    const live = fold([published('staging')]);
    expect(() => promotionSource(live, 'staging', 'demo', '1.0', { allowedSources: ['qa'] })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => promotionSource(live, 'staging', 'demo', '1.0', { requiredTags: ['qa-passed'] })).toThrow(/qa-passed/);
    const yanked = fold([published('staging'), { type: 'ArtifactYanked', schemaVersion: 1, data: { ...target, repository: 'staging', version: '1.0', yanked: true } }]);
    expect(() => promotionSource(yanked, 'staging', 'demo', '1.0', { rejectDeprecated: true })).toThrow(/yanked/);
  });

  it('appends one ArtifactPromoted (plus the tags) and refuses a version the target already has, live or deleted where reuse is forbidden', () => {
    expect(decideArtifact(promote({ tags: ['latest'] }), fold([]))).toEqual([
      expect.objectContaining({ type: 'ArtifactPromoted', data: expect.objectContaining({ repository: 'release', from: 'staging', to: 'release', files: [sdist, wheel] }) }),
      expect.objectContaining({ type: 'TagSet', data: expect.objectContaining({ tag: 'latest', version: '1.0' }) }),
    ]);
    expect(() => decideArtifact(promote(), fold([published('release')]))).toThrow(expect.objectContaining({ code: 'VERSION_EXISTS' }));
    const gone = fold([published('release'), { type: 'ArtifactDeleted', schemaVersion: 1, data: { ...target, version: '1.0', files: [sdist] } }]);
    expect(() => decideArtifact(promote(), gone)).toThrow(expect.objectContaining({ code: 'VERSION_EXISTS' }));
    expect(decideArtifact(promote({ allowReuseAfterDelete: true }), gone)[0].type).toBe('ArtifactPromoted');
  });

  it('restores a deleted version with its files within the window, and not after it', () => {
    const deleted = at({ type: 'ArtifactDeleted', schemaVersion: 1, data: { ...target, version: '1.0', files: [sdist] } }, '2026-01-01T00:00:00.000Z');
    const state = fold([published('release'), deleted]);
    const restore = (now: string): ArtifactCommand => ({ type: 'RestoreArtifact', ...target, version: '1.0', now, windowMs: 86_400_000 });
    expect(decideArtifact(restore('2026-01-01T12:00:00.000Z'), state)).toEqual([expect.objectContaining({ type: 'ArtifactRestored', data: expect.objectContaining({ files: [sdist] }) })]);
    expect(() => decideArtifact(restore('2026-01-03T00:00:00.000Z'), state)).toThrow(expect.objectContaining({ code: 'GONE' }));
    expect(() => decideArtifact(restore('2026-01-01T12:00:00.000Z'), fold([published('release')]))).toThrow(expect.objectContaining({ code: 'VERSION_EXISTS' }));
    expect(() => decideArtifact(restore('2026-01-01T12:00:00.000Z'), fold([]))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('validates promotion rules in repository configuration', () => {
    expect(normalisePromotionRules({ allowedSources: ['staging'], rejectDeprecated: true })).toEqual({ allowedSources: ['staging'], rejectDeprecated: true });
    expect(() => normalisePromotionRules({ allowedSource: ['x'] })).toThrow(/unknown promotion rule/);
    expect(() => normalisePromotionRules({ allowedSources: 'staging' })).toThrow(/list of names/);
  });
});
