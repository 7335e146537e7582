import { compareVersions, isValidSpecifier, normalizeName, normalizeVersion, parseDistributionFilename, sameVersion } from './pypi-names.js';

describe('PyPI names and versions', () => {
  it.each([
    ['Bars_Hello', 'bars-hello'],
    ['friendly-bard', 'friendly-bard'],
    ['Friendly-Bard', 'friendly-bard'],
    ['FRIENDLY-BARD', 'friendly-bard'],
    ['friendly.bard', 'friendly-bard'],
    ['friendly_bard', 'friendly-bard'],
    ['friendly--bard', 'friendly-bard'],
    ['FrIeNdLy-._.-bArD', 'friendly-bard'],
  ])('normalises %s to %s (PEP 503)', (name, normal) => {
    expect(normalizeName(name)).toBe(normal);
  });

  // the normalisation examples of PEP 440 (https://peps.python.org/pep-0440/#normalization)
  it.each([
    ['1.0.0RC1', '1.0.0rc1'],
    ['1.1a1', '1.1a1'],
    ['1.1.alpha.1', '1.1a1'],
    ['1.1-c1', '1.1rc1'],
    ['1.0-1', '1.0.post1'],
    ['1.0.post', '1.0.post0'],
    ['1.0-dev1', '1.0.dev1'],
    ['1.0+ubuntu-1', '1.0+ubuntu.1'],
    ['v1.0', '1.0'],
    ['01.02', '1.2'],
  ])('normalises version %s to %s (PEP 440)', (version, normal) => {
    expect(normalizeVersion(version)).toBe(normal);
  });

  it('refuses what PEP 440 does not allow', () => {
    for (const v of ['nope', '1.0-beta-blah', '', '1..0', `1.${'0'.repeat(200)}`]) expect(() => normalizeVersion(v)).toThrow(expect.objectContaining({ code: 'INVALID_PACKAGE' }));
  });

  it('orders versions as PEP 440 does (dev < pre < release < post) and treats 1.0 and 1.0.0 as one', () => {
    const sorted = ['1.0.post1', '1.0', '1.0a1', '1.0.dev0', '1.0rc1', '0.9', '1.0b2', '2.0', '1.0a2.dev1', '1!0.1'].sort(compareVersions);
    expect(sorted).toEqual(['0.9', '1.0.dev0', '1.0a1', '1.0a2.dev1', '1.0b2', '1.0rc1', '1.0', '1.0.post1', '2.0', '1!0.1']);
    expect(sameVersion('1.0', '1.0.0')).toBe(true);
    expect(sameVersion('1.0', '1.0.1')).toBe(false);
  });

  it('checks Requires-Python specifiers', () => {
    expect(isValidSpecifier('>=3.8')).toBe(true);
    expect(isValidSpecifier('>=3.8,<4')).toBe(true);
    expect(isValidSpecifier('three')).toBe(false);
  });

  describe('distribution file names', () => {
    it.each([
      ['bars_hello-1.0.0-py3-none-any.whl', { kind: 'bdist_wheel', name: 'bars_hello', version: '1.0.0', pythonTag: 'py3' }],
      ['Bars_Hello-1.0.0-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', { kind: 'bdist_wheel', version: '1.0.0', pythonTag: 'cp311' }],
      ['bars_hello-2.0+local.1-py2.py3-none-any.whl', { kind: 'bdist_wheel', version: '2.0+local.1' }],
      ['bars-hello-1.0.0.tar.gz', { kind: 'sdist', name: 'bars-hello', version: '1.0.0' }],
      ['bars_hello-1.0.0.tar.gz', { kind: 'sdist', name: 'bars_hello', version: '1.0.0' }],
    ])('reads %s', (filename, expected) => {
      expect(parseDistributionFilename(filename, 'bars-hello')).toMatchObject(expected);
    });

    it.each([
      ['another project', 'other_pkg-1.0-py3-none-any.whl'],
      ['too few wheel parts', 'bars_hello-1.0-py3-any.whl'],
      ['a build tag not starting with a digit', 'bars_hello-1.0-x1-py3-none-any.whl'],
      ['an egg', 'bars_hello-1.0-py3.11.egg'],
      ['a zip sdist', 'bars-hello-1.0.zip'],
      ['a path', '../bars-hello-1.0.tar.gz'],
      ['a slash', 'a/bars-hello-1.0.tar.gz'],
      ['a space', 'bars hello-1.0.tar.gz'],
      ['an sdist of another project', 'bars-hello-world-1.0.tar.gz'],
    ])('refuses %s', (_what, filename) => {
      expect(() => parseDistributionFilename(filename, 'bars-hello')).toThrow(expect.objectContaining({ code: 'INVALID_PACKAGE' }));
    });
  });
});
