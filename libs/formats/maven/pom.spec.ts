import { DomainError } from '../../domain/index.js';
import { assertPomMatches, MAX_XML_BYTES, parsePom } from './pom.js';

const pom = (body: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">${body}</project>`);
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as DomainError).code;
  }
  return 'no error';
};

describe('POM parsing for the read model', () => {
  it('reads coordinates, packaging, name, description, licenses and dependencies', () => {
    const info = parsePom(
      pom(`<modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>lib</artifactId><version>1.0</version><packaging>bundle</packaging>
        <name>Lib &amp; co</name><description> A library </description>
        <licenses><license><name>MIT</name><url>https://opensource.org/licenses/MIT</url></license><license><name>Apache-2.0</name></license></licenses>
        <dependencies><dependency><groupId>org.x</groupId><artifactId>y</artifactId><version>[1,2)</version><scope>test</scope><optional>true</optional></dependency>
        <dependency><groupId>org.z</groupId><artifactId>w</artifactId><classifier>jdk8</classifier><type>pom</type></dependency></dependencies>`),
    );
    expect(info).toEqual({
      groupId: 'com.example',
      artifactId: 'lib',
      version: '1.0',
      packaging: 'bundle',
      name: 'Lib & co',
      description: 'A library',
      licenses: [{ name: 'MIT', url: 'https://opensource.org/licenses/MIT' }, { name: 'Apache-2.0' }],
      dependencies: [
        { groupId: 'org.x', artifactId: 'y', version: '[1,2)', scope: 'test', optional: true },
        { groupId: 'org.z', artifactId: 'w', classifier: 'jdk8', type: 'pom' },
      ],
    });
  });

  it('inherits groupId and version from <parent>, and defaults packaging to jar', () => {
    const info = parsePom(pom('<parent><groupId>com.example</groupId><artifactId>parent</artifactId><version>2.0</version></parent><artifactId>child</artifactId>'));
    expect(info).toMatchObject({ groupId: 'com.example', artifactId: 'child', version: '2.0', packaging: 'jar', licenses: [], dependencies: [] });
  });

  it.each([
    ['malformed XML', pom('<groupId>x</artifactId>'), 'INVALID_PACKAGE'],
    ['not a project', Buffer.from('<metadata/>'), 'INVALID_PACKAGE'],
    ['no artifactId', pom('<groupId>g</groupId><version>1</version>'), 'INVALID_PACKAGE'],
    ['a DOCTYPE with entities (billion laughs)', Buffer.from('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><project><groupId>&b;</groupId></project>'), 'INVALID_PACKAGE'],
    ['an external entity', Buffer.from('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><project><groupId>&x;</groupId></project>'), 'INVALID_PACKAGE'],
    ['more than the size limit', Buffer.alloc(MAX_XML_BYTES + 1, 32), 'TOO_LARGE'],
  ])('refuses %s', (_what, bytes, expected) => {
    expect(code(() => parsePom(bytes))).toBe(expected);
  });

  it('refuses coordinates that contradict the path, but leaves unresolved ${properties} alone', () => {
    const info = parsePom(pom('<groupId>com.example</groupId><artifactId>lib</artifactId><version>1.0</version>'));
    expect(code(() => assertPomMatches(info, { groupId: 'com.example', artifactId: 'lib', version: '1.0' }))).toBe('no error');
    expect(code(() => assertPomMatches(info, { groupId: 'com.example', artifactId: 'lib', version: '1.1' }))).toBe('INVALID_PACKAGE');
    expect(code(() => assertPomMatches(info, { groupId: 'com.other', artifactId: 'lib', version: '1.0' }))).toBe('INVALID_PACKAGE');
    expect(code(() => assertPomMatches(info, { groupId: 'com.example', artifactId: 'other', version: '1.0' }))).toBe('INVALID_PACKAGE');
    const ci = parsePom(pom('<groupId>com.example</groupId><artifactId>lib</artifactId><version>${revision}</version>'));
    expect(code(() => assertPomMatches(ci, { groupId: 'com.example', artifactId: 'lib', version: '1.0' }))).toBe('no error');
  });
});
