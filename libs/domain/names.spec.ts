import { assertRepositoryName, parseArtifactPath } from './names.js';
import { DomainError } from './errors.js';

describe('repository names', () => {
  it.each(['libs', 'a', 'team.release-1', 'x_y'])('accepts %s', (name) => {
    expect(() => assertRepositoryName(name)).not.toThrow();
  });
  it.each(['', 'Libs', '-a', 'a-', 'a/b', 'a..b', 'x'.repeat(65), 'ä', ' a'])('refuses %j', (name) => {
    expect(() => assertRepositoryName(name)).toThrow(DomainError);
  });
});

describe('artifact paths', () => {
  it('splits and decodes a normal path', () => {
    expect(parseArtifactPath('a/b%20c/file.bin')).toEqual(['a', 'b c', 'file.bin']);
  });
  it.each([
    ['dot-dot', 'a/../b'],
    ['encoded dot-dot', 'a/%2e%2e/b'],
    ['upper-case encoded dot-dot', 'a/%2E%2E/b'],
    ['encoded slash', 'a%2fb'],
    ['backslash', 'a\\b'],
    ['encoded backslash', 'a%5c..%5cb'],
    ['NUL', 'a%00b'],
    ['dot', './a'],
    ['empty segment', 'a//b'],
    ['malformed encoding', 'a%zz'],
    ['over-long path', 'a/'.repeat(600) + 'b'],
  ])('refuses %s', (_label, raw) => {
    expect(() => parseArtifactPath(raw)).toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
  });
});
