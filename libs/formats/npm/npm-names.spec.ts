import { assertDistTag, assertNewPackageName, assertPackageName, assertVersion, highestVersion, tarballFile } from './npm-names.js';

describe('npm names, versions and tags', () => {
  it.each(['left-pad', '@scope/pkg', 'a.b_c-d'])('accepts the package name %s', (name) => {
    expect(() => assertNewPackageName(name)).not.toThrow();
  });

  it.each(['Upper', '../x', '.hidden', '@scope/a/b', 'a b', 'node_modules', 'fs', ''])('refuses the package name %j as npm does', (name) => {
    expect(() => assertNewPackageName(name)).toThrow(expect.objectContaining({ code: 'INVALID_NAME' }));
  });

  it('reads names that were once valid (capitals) but never traversal', () => {
    expect(() => assertPackageName('JSONStream')).not.toThrow();
    expect(() => assertPackageName('../etc')).toThrow();
  });

  it('takes only normalised semver versions', () => {
    expect(() => assertVersion('1.0.0-beta.1')).not.toThrow();
    // npm strips build metadata before it publishes, so a version carrying it was not normalised
    for (const v of ['1.0', 'v1.0.0', ' 1.0.0', '01.0.0', '1.0.0+build.5', 1]) expect(() => assertVersion(v)).toThrow(expect.objectContaining({ code: 'INVALID_PACKAGE' }));
  });

  it('refuses dist-tags that parse as ranges', () => {
    expect(() => assertDistTag('beta')).not.toThrow();
    for (const t of ['1.x', '^1.0.0', '1.0.0', '', 'a/b']) expect(() => assertDistTag(t)).toThrow();
  });

  it('names tarballs without the scope and orders versions by semver', () => {
    expect(tarballFile('@scope/pkg', '1.0.0')).toBe('pkg-1.0.0.tgz');
    expect(highestVersion(['1.0.0', '1.10.0', '1.9.0', '2.0.0-beta.1'])).toBe('2.0.0-beta.1');
    expect(highestVersion([])).toBeUndefined();
  });
});
