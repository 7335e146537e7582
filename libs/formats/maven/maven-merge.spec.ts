import { DomainError } from '../../domain/index.js';
import { mergeMetadata, readMetadata, snapshotValue } from './maven-merge.js';

const xml = (body: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
const artifactDoc = (versions: string[], extra = '') =>
  readMetadata(xml(`<metadata><groupId>org.example</groupId><artifactId>lib</artifactId><versioning>${extra}<versions>${versions.map((v) => `<version>${v}</version>`).join('')}</versions></versioning></metadata>`));
const tag = (doc: string, name: string) => [...doc.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);

describe('maven-metadata.xml merge (virtual repositories)', () => {
  it('reads the three levels, a single <version> as a list, snapshotVersions and plugins', () => {
    expect(artifactDoc(['1.0'], '<latest>1.0</latest><release>1.0</release><lastUpdated>20260101120000</lastUpdated>')).toEqual({
      groupId: 'org.example', artifactId: 'lib', versions: ['1.0'], latest: '1.0', release: '1.0', lastUpdated: '20260101120000', plugins: [], snapshotVersions: [],
    });
    const snap = readMetadata(
      xml(`<metadata modelVersion="1.1.0"><groupId>g</groupId><artifactId>a</artifactId><version>1.0-SNAPSHOT</version><versioning><snapshot><timestamp>20260102.030405</timestamp><buildNumber>7</buildNumber></snapshot>
        <snapshotVersions><snapshotVersion><extension>jar</extension><value>1.0-20260102.030405-7</value><updated>20260102030405</updated></snapshotVersion>
        <snapshotVersion><classifier>sources</classifier><extension>jar</extension><value>1.0-20260101.000000-6</value></snapshotVersion></snapshotVersions></versioning></metadata>`),
    );
    expect(snap).toMatchObject({ version: '1.0-SNAPSHOT', snapshot: { timestamp: '20260102.030405', buildNumber: 7 } });
    expect(snapshotValue(snap, '1.0-SNAPSHOT', undefined, 'jar')).toBe('1.0-20260102.030405-7');
    expect(snapshotValue(snap, '1.0-SNAPSHOT', 'sources', 'jar')).toBe('1.0-20260101.000000-6');
    // no entry for the pom: the newest build
    expect(snapshotValue(snap, '1.0-SNAPSHOT', undefined, 'pom')).toBe('1.0-20260102.030405-7');
    const group = readMetadata(xml('<metadata><plugins><plugin><name>Foo</name><prefix>foo</prefix><artifactId>foo-maven-plugin</artifactId></plugin></plugins></metadata>'));
    expect(group.plugins).toEqual([{ name: 'Foo', prefix: 'foo', artifactId: 'foo-maven-plugin' }]);
  });

  it('unions versions in ComparableVersion order and recomputes latest and release, whatever the members claimed', () => {
    const a = artifactDoc(['1.9', '1.0-SNAPSHOT', '2.0-rc1'], '<latest>2.0-rc1</latest><release>2.0-rc1</release><lastUpdated>20260101120000</lastUpdated>');
    const b = artifactDoc(['1.10', '1.9', '1.0', '2.1-SNAPSHOT'], '<latest>1.10</latest><release>1.10</release><lastUpdated>20250101120000</lastUpdated>');
    const merged = mergeMetadata([a, b], { groupId: 'org.example', artifactId: 'lib' })!;
    expect(tag(merged, 'version')).toEqual(['1.0-SNAPSHOT', '1.0', '1.9', '1.10', '2.0-rc1', '2.1-SNAPSHOT']);
    expect(tag(merged, 'latest')).toEqual(['2.1-SNAPSHOT']);
    expect(tag(merged, 'release')).toEqual(['2.0-rc1']);
    expect(tag(merged, 'lastUpdated')).toEqual(['20260101120000']);
    expect(tag(merged, 'groupId')).toEqual(['org.example']);
    // the merge reads back as what it says
    expect(readMetadata(Buffer.from(merged))).toMatchObject({ versions: ['1.0-SNAPSHOT', '1.0', '1.9', '1.10', '2.0-rc1', '2.1-SNAPSHOT'], latest: '2.1-SNAPSHOT', release: '2.0-rc1' });
  });

  it('leaves release out when every version is a SNAPSHOT, and is deterministic (same members, same bytes)', () => {
    const docs = [artifactDoc(['1.0-SNAPSHOT']), artifactDoc(['1.1-SNAPSHOT'])];
    const merged = mergeMetadata(docs, { groupId: 'org.example', artifactId: 'lib' })!;
    expect(tag(merged, 'release')).toEqual([]);
    expect(tag(merged, 'latest')).toEqual(['1.1-SNAPSHOT']);
    expect(mergeMetadata([...docs].reverse(), { groupId: 'org.example', artifactId: 'lib' })).toBe(merged);
  });

  it('merges plugin groups by artifactId, the first member winning', () => {
    const first = readMetadata(xml('<metadata><plugins><plugin><name>Ours</name><prefix>x</prefix><artifactId>x-maven-plugin</artifactId></plugin></plugins></metadata>'));
    const second = readMetadata(
      xml('<metadata><plugins><plugin><name>Theirs</name><prefix>x</prefix><artifactId>x-maven-plugin</artifactId></plugin><plugin><name>Y</name><prefix>y</prefix><artifactId>y-maven-plugin</artifactId></plugin></plugins></metadata>'),
    );
    const merged = mergeMetadata([first, second])!;
    expect(tag(merged, 'name')).toEqual(['Ours', 'Y']);
    expect(tag(merged, 'versions')).toEqual([]);
  });

  it('is null with nothing to merge, and refuses what is not metadata', () => {
    expect(mergeMetadata([])).toBeNull();
    expect(mergeMetadata([readMetadata(xml('<metadata/>'))])).toBeNull();
    const code = (b: Buffer) => {
      try {
        readMetadata(b);
        return 'read';
      } catch (e) {
        return (e as DomainError).code;
      }
    };
    expect(code(xml('<project/>'))).toBe('INVALID_PACKAGE');
    expect(code(xml('<metadata><versioning>'))).toBe('INVALID_PACKAGE');
    expect(code(xml('<!DOCTYPE m [<!ENTITY a "x">]><metadata><groupId>&a;</groupId></metadata>'))).toBe('INVALID_PACKAGE');
  });
});
