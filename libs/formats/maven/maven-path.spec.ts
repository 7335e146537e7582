import { DomainError } from '../../domain/index.js';
import { filePath, parseMavenPath, parseVersionFolder } from './maven-path.js';

describe('Maven 2 layout paths', () => {
  it.each([
    ['com/example/lib/1.0/lib-1.0.jar', { groupId: 'com.example', artifactId: 'lib', version: '1.0', extension: 'jar' }, undefined],
    ['com/example/lib/1.0/lib-1.0-sources.jar', { groupId: 'com.example', artifactId: 'lib', version: '1.0', classifier: 'sources', extension: 'jar' }, undefined],
    ['com/example/lib/1.0/lib-1.0.jar.asc', { artifactId: 'lib', extension: 'jar.asc' }, undefined],
    ['com/example/lib/1.0/lib-1.0.tar.gz.sha512', { artifactId: 'lib', extension: 'tar.gz' }, 'sha512'],
    ['com/example/lib/1.0/lib-1.0.module.sha256', { artifactId: 'lib', extension: 'module' }, 'sha256'],
    ['com/example/lib/1.0/lib-1.0.pom.md5', { artifactId: 'lib', extension: 'pom' }, 'md5'],
    ['org/x/my-lib/2.0-rc-1/my-lib-2.0-rc-1-tests.jar', { groupId: 'org.x', artifactId: 'my-lib', version: '2.0-rc-1', classifier: 'tests', extension: 'jar' }, undefined],
    ['com/example/lib/1.0-SNAPSHOT/lib-1.0-20261129.101500-3.jar', { version: '1.0-SNAPSHOT', build: { timestamp: '20261129.101500', buildNumber: 3 }, extension: 'jar' }, undefined],
    ['com/example/lib/1.0-SNAPSHOT/lib-1.0-20261129.101500-12-javadoc.jar.sha1', { build: { timestamp: '20261129.101500', buildNumber: 12 }, classifier: 'javadoc', extension: 'jar' }, 'sha1'],
    ['com/example/lib/1.0-SNAPSHOT/lib-1.0-SNAPSHOT.jar', { version: '1.0-SNAPSHOT', alias: true, extension: 'jar' }, undefined],
    ['com/example/lib/1.0-SNAPSHOT/lib-1.0-SNAPSHOT-sources.jar', { alias: true, classifier: 'sources', extension: 'jar' }, undefined],
    ['com/example/lib/1.0/lib-1.0.j%61r', { extension: 'jar' }, undefined],
  ])('%s is a file', (raw, file, checksum) => {
    const p = parseMavenPath(raw);
    expect(p).toMatchObject({ kind: 'file', file, ...(checksum ? { checksum } : {}) });
    if (p.kind === 'file' && !p.checksum && !p.file.alias) expect(filePath(p.file)).toBe(decodeURIComponent(raw));
  });

  it.each([
    ['com/example/lib/maven-metadata.xml', undefined],
    ['com/example/lib/1.0-SNAPSHOT/maven-metadata.xml.sha1', 'sha1'],
    ['com/example/maven-metadata.xml.sha512', 'sha512'],
  ])('%s is metadata', (raw, checksum) => {
    expect(parseMavenPath(raw)).toEqual({ kind: 'metadata', path: raw.replace(/\.(sha1|sha512)$/, ''), ...(checksum ? { checksum } : {}) });
  });

  it('folders end with a slash; the root is the empty path', () => {
    expect(parseMavenPath('')).toEqual({ kind: 'folder', prefix: '' });
    expect(parseMavenPath('com/example/')).toEqual({ kind: 'folder', prefix: 'com/example/' });
  });

  it.each([
    ['com/x.jar', 'too shallow'],
    ['com/example/lib/1.0/other-1.0.jar', 'another artifact'],
    ['com/example/lib/1.0/lib-1.1.jar', 'another version'],
    ['com/example/lib/1.0/lib-1.0', 'no extension'],
    ['com/example/lib/1.0/lib-1.0-.jar', 'empty classifier'],
    ['com/example/lib/1.0/lib-1.0.', 'empty extension'],
    ['com/example/lib/1.0-SNAPSHOT/lib-1.0-2026.jar', 'a malformed build'],
    ['com/../lib/1.0/lib-1.0.jar', 'traversal'],
    ['com/%2e%2e/lib/1.0/lib-1.0.jar', 'encoded traversal'],
    ['com/a%2fb/lib/1.0/lib-1.0.jar', 'an encoded slash'],
    ['com/a%5cb/lib/1.0/lib-1.0.jar', 'an encoded backslash'],
    ['com//lib/1.0/lib-1.0.jar', 'an empty segment'],
    ['com/ex%00/lib/1.0/lib-1.0.jar', 'a control character'],
    ['com/%zz/lib/1.0/lib-1.0.jar', 'malformed percent-encoding'],
    ['com/example/lib/1.0 beta/lib-1.0 beta.jar', 'a space in the version'],
    ['maven-metadata.xml', 'metadata outside any folder'],
  ])('%s is refused (%s)', (raw) => {
    expect(() => parseMavenPath(raw)).toThrow(DomainError);
    try {
      parseMavenPath(raw);
    } catch (e) {
      expect((e as DomainError).code).toBe('INVALID_PATH');
    }
  });

  it('version folders (for DELETE), with or without the trailing slash', () => {
    expect(parseVersionFolder('com/example/lib/1.0/')).toEqual({ groupId: 'com.example', artifactId: 'lib', version: '1.0' });
    expect(parseVersionFolder('com/example/lib/1.0-SNAPSHOT')).toEqual({ groupId: 'com.example', artifactId: 'lib', version: '1.0-SNAPSHOT' });
    expect(() => parseVersionFolder('lib/1.0/')).toThrow(DomainError);
  });
});
