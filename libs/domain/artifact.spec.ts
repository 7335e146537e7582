import { decideArtifact, evolveArtifact, initialArtifactState, type ArtifactCommand, type ArtifactState } from './artifact.js';
import type { DomainEvent } from './events.js';
import { DomainError } from './errors.js';

const target = { repository: 'r', format: 'npm', name: 'left-pad' };
const file = { path: 'left-pad-1.0.0.tgz', digest: 'sha256:aa', size: 1, mediaType: 'application/octet-stream' };
const publish = (version: string, extra: Partial<ArtifactCommand> = {}): ArtifactCommand =>
  ({ type: 'PublishArtifact', ...target, version, files: [file], metadata: {}, allowRedeploy: false, allowReuseAfterDelete: false, tags: ['latest'], ...extra }) as ArtifactCommand;

function given(commands: ArtifactCommand[]) {
  const state = commands.reduce<ArtifactState>((s, c) => decideArtifact(c, s).reduce(evolveArtifact, s), initialArtifactState());
  return {
    when: (c: ArtifactCommand) => ({
      then: (expected: Partial<DomainEvent>[]) => expect(decideArtifact(c, state)).toEqual(expected.map((e) => expect.objectContaining(e))),
      thenThrows: (code: string) => expect(() => decideArtifact(c, state)).toThrow(expect.objectContaining({ code }) as unknown as DomainError),
    }),
  };
}

describe('artifact decider (given/when/then)', () => {
  it('publishes a version and points its tags at it', () => {
    given([]).when(publish('1.0.0')).then([{ type: 'ArtifactPublished' }, { type: 'TagSet', data: { ...target, tag: 'latest', version: '1.0.0' } }]);
  });
  it('refuses a second publish of the same version', () => {
    given([publish('1.0.0')]).when(publish('1.0.0')).thenThrows('VERSION_EXISTS');
  });
  it('refuses to publish a deleted version again when the format forbids reuse (npm)', () => {
    given([publish('1.0.0'), { type: 'DeleteArtifact', ...target, version: '1.0.0' }]).when(publish('1.0.0')).thenThrows('VERSION_EXISTS');
  });
  it('allows reuse after delete when the format allows it (generic)', () => {
    given([publish('1.0.0'), { type: 'DeleteArtifact', ...target, version: '1.0.0' }])
      .when(publish('1.0.0', { allowReuseAfterDelete: true, tags: [] }))
      .then([{ type: 'ArtifactPublished' }]);
  });
  it('moves latest to the version pickLatest chooses when its version is deleted, and removes other tags', () => {
    given([publish('1.0.0'), publish('2.0.0'), { type: 'SetTag', ...target, tag: 'beta', version: '2.0.0' }])
      .when({ type: 'DeleteArtifact', ...target, version: '2.0.0', pickLatest: (rest) => rest.sort().at(-1) })
      .then([{ type: 'ArtifactDeleted' }, { type: 'TagSet', data: { ...target, tag: 'latest', version: '1.0.0' } }, { type: 'TagRemoved', data: { ...target, tag: 'beta' } }]);
  });
  it('refuses tags on missing versions, version-like tags and removing a protected tag', () => {
    given([publish('1.0.0')]).when({ type: 'SetTag', ...target, tag: 'next', version: '9.9.9' }).thenThrows('NOT_FOUND');
    given([publish('1.0.0')]).when({ type: 'SetTag', ...target, tag: '1.2.3', version: '1.0.0' }).thenThrows('BAD_REQUEST');
    given([publish('1.0.0')]).when({ type: 'RemoveTag', ...target, tag: 'latest', protectedTags: ['latest'] }).thenThrows('BAD_REQUEST');
    given([publish('1.0.0')]).when({ type: 'RemoveTag', ...target, tag: 'nope' }).thenThrows('NOT_FOUND');
  });
  it('deprecates and un-deprecates; a no-op deprecation appends nothing', () => {
    const dep: ArtifactCommand = { type: 'DeprecateArtifact', ...target, version: '1.0.0', message: 'use 2' };
    given([publish('1.0.0')]).when(dep).then([{ type: 'ArtifactDeprecated', data: { ...target, version: '1.0.0', message: 'use 2' } }]);
    given([publish('1.0.0'), dep]).when(dep).then([]);
    given([publish('1.0.0'), dep]).when({ ...dep, message: '' }).then([{ type: 'ArtifactDeprecated', data: { ...target, version: '1.0.0', message: '' } }]);
  });
  it('yanks and un-yanks', () => {
    const yank: ArtifactCommand = { type: 'YankArtifact', ...target, version: '1.0.0', yanked: true, reason: 'broken' };
    given([publish('1.0.0')]).when(yank).then([{ type: 'ArtifactYanked' }]);
    given([publish('1.0.0'), yank]).when(yank).then([]);
  });

  describe('adding files to a version (PyPI: a wheel beside the sdist)', () => {
    const py = { repository: 'r', format: 'pypi', name: 'bars-hello' };
    const f = (path: string) => ({ path, digest: `sha256:${path}`, size: 1, mediaType: 'application/octet-stream' });
    const add = (version: string, ...paths: string[]): ArtifactCommand => ({ type: 'AddArtifactFiles', ...py, version, files: paths.map(f), metadata: { files: {} }, allowReuseAfterDelete: false });
    const del = (version: string): ArtifactCommand => ({ type: 'DeleteArtifact', ...py, version });

    it('publishes the version with its first file, then adds the next ones to it', () => {
      given([]).when(add('1.0', 'bars-hello-1.0.tar.gz')).then([{ type: 'ArtifactPublished', data: { ...py, version: '1.0', files: [f('bars-hello-1.0.tar.gz')], metadata: { files: {} } } }]);
      given([add('1.0', 'bars-hello-1.0.tar.gz')])
        .when(add('1.0', 'bars_hello-1.0-py3-none-any.whl'))
        .then([{ type: 'ArtifactFilesAdded', data: { ...py, version: '1.0', files: [f('bars_hello-1.0-py3-none-any.whl')], metadata: { files: {} } } }]);
    });
    it('refuses a file name that exists in any version of the project', () => {
      given([add('1.0', 'a.tar.gz')]).when(add('1.0', 'a.tar.gz')).thenThrows('FILE_EXISTS');
      given([add('1.0', 'a.tar.gz')]).when(add('2.0', 'a.tar.gz')).thenThrows('FILE_EXISTS');
      given([]).when(add('1.0', 'a.tar.gz', 'a.tar.gz')).thenThrows('BAD_REQUEST');
      given([]).when(add('1.0')).thenThrows('BAD_REQUEST');
    });
    it('a deleted version can get new files, but a deleted file name is never used again unless the format allows it', () => {
      given([add('1.0', 'a.tar.gz'), del('1.0')]).when(add('1.0', 'b.tar.gz')).then([{ type: 'ArtifactPublished' }]);
      given([add('1.0', 'a.tar.gz'), add('1.0', 'a.whl'), del('1.0')]).when(add('1.0', 'a.whl')).thenThrows('FILE_EXISTS');
      given([add('1.0', 'a.tar.gz'), del('1.0'), add('1.0', 'b.tar.gz')]).when(add('2.0', 'a.tar.gz')).thenThrows('FILE_EXISTS');
      given([add('1.0', 'a.tar.gz'), del('1.0')]).when({ ...add('1.0', 'a.tar.gz'), allowReuseAfterDelete: true } as ArtifactCommand).then([{ type: 'ArtifactPublished' }]);
    });
    it('a deletion after an addition lists every file of the version (so blob references drop them all)', () => {
      given([add('1.0', 'a.tar.gz'), add('1.0', 'a.whl')])
        .when(del('1.0'))
        .then([{ type: 'ArtifactDeleted', data: { ...py, version: '1.0', files: [f('a.tar.gz'), f('a.whl')] } }]);
    });
    it('a yank covers the files added later too (the version is one unit)', () => {
      const yank: ArtifactCommand = { type: 'YankArtifact', ...py, version: '1.0', yanked: true, reason: 'broken' };
      given([add('1.0', 'a.tar.gz'), add('1.0', 'a.whl')]).when(yank).then([{ type: 'ArtifactYanked', data: { ...py, version: '1.0', yanked: true, reason: 'broken' } }]);
      given([add('1.0', 'a.tar.gz'), yank, add('1.0', 'a.whl')]).when(yank).then([]);
    });
  });
});
