import { defaultGoalPrefix, mavenTimestamp, pluginOf, renderArtifactMetadata, renderGroupMetadata, renderSnapshotMetadata } from './maven-metadata.js';
import { emptyArtifact, withFiles, withoutVersion, type MavenArtifactState } from './maven-state.js';

const file = (path: string) => ({ path, digest: `sha256:${'a'.repeat(64)}`, size: 1, mediaType: 'application/java-archive' });

function deployed(entries: [string, string[], string][]): MavenArtifactState {
  return entries.reduce((s, [version, names, at]) => withFiles(s, version, names.map((n) => file(`com/example/lib/${version}/${n}`)), {}, at, false), emptyArtifact('com.example:lib'));
}

describe('maven-metadata.xml rendering', () => {
  it('artifact level: versions in Maven order, latest, release (not a SNAPSHOT) and lastUpdated', () => {
    const s = deployed([
      ['1.10', ['lib-1.10.jar'], '2026-11-01T10:00:00.000Z'],
      ['1.9', ['lib-1.9.jar'], '2026-11-02T10:00:00.000Z'],
      ['2.0-SNAPSHOT', ['lib-2.0-20261103.100000-1.jar'], '2026-11-03T10:00:05.123Z'],
    ]);
    expect(renderArtifactMetadata(s)).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>com.example</groupId>
  <artifactId>lib</artifactId>
  <versioning>
    <latest>2.0-SNAPSHOT</latest>
    <release>1.10</release>
    <versions>
      <version>1.9</version>
      <version>1.10</version>
      <version>2.0-SNAPSHOT</version>
    </versions>
    <lastUpdated>20261103100005</lastUpdated>
  </versioning>
</metadata>
`);
    expect(renderArtifactMetadata(withoutVersion(withoutVersion(withoutVersion(s, '1.9'), '1.10'), '2.0-SNAPSHOT'))).toBeNull();
  });

  it('SNAPSHOT level: the newest build and, per classifier and extension, its newest file', () => {
    const s = deployed([
      ['1.0-SNAPSHOT', ['lib-1.0-20261129.101500-1.jar', 'lib-1.0-20261129.101500-1.pom', 'lib-1.0-20261129.101500-1-sources.jar'], '2026-11-29T10:15:01.000Z'],
      ['1.0-SNAPSHOT', ['lib-1.0-20261129.111500-2.jar', 'lib-1.0-20261129.111500-2.pom'], '2026-11-29T11:15:01.000Z'],
    ]);
    expect(renderSnapshotMetadata(s, '1.0-SNAPSHOT')).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<metadata modelVersion="1.1.0">
  <groupId>com.example</groupId>
  <artifactId>lib</artifactId>
  <version>1.0-SNAPSHOT</version>
  <versioning>
    <snapshot>
      <timestamp>20261129.111500</timestamp>
      <buildNumber>2</buildNumber>
    </snapshot>
    <lastUpdated>20261129111501</lastUpdated>
    <snapshotVersions>
      <snapshotVersion>
        <extension>jar</extension>
        <value>1.0-20261129.111500-2</value>
        <updated>20261129111500</updated>
      </snapshotVersion>
      <snapshotVersion>
        <extension>pom</extension>
        <value>1.0-20261129.111500-2</value>
        <updated>20261129111500</updated>
      </snapshotVersion>
      <snapshotVersion>
        <classifier>sources</classifier>
        <extension>jar</extension>
        <value>1.0-20261129.101500-1</value>
        <updated>20261129101500</updated>
      </snapshotVersion>
    </snapshotVersions>
  </versioning>
</metadata>
`);
    expect(renderSnapshotMetadata(s, '2.0-SNAPSHOT')).toBeNull();
  });

  it('group level: plugins with their goal prefix; escapes XML', () => {
    expect(defaultGoalPrefix('maven-surefire-plugin')).toBe('surefire');
    expect(defaultGoalPrefix('hello-maven-plugin')).toBe('hello');
    const s = withFiles(emptyArtifact('com.example:hello-maven-plugin'), '1.0', [file('com/example/hello-maven-plugin/1.0/hello-maven-plugin-1.0.pom')], { pom: { groupId: 'com.example', artifactId: 'hello-maven-plugin', version: '1.0', packaging: 'maven-plugin', name: 'Hello <&> Plugin', licenses: [], dependencies: [] } }, '2026-11-29T00:00:00.000Z', true);
    const plugin = pluginOf(s)!;
    expect(plugin).toEqual({ name: 'Hello <&> Plugin', prefix: 'hello', artifactId: 'hello-maven-plugin' });
    expect(renderGroupMetadata([plugin])).toContain('<name>Hello &lt;&amp;&gt; Plugin</name>');
    expect(renderGroupMetadata([])).toBeNull();
  });

  it('timestamps are yyyyMMddHHmmss in UTC', () => {
    expect(mavenTimestamp('2026-01-02T03:04:05.678Z')).toBe('20260102030405');
  });
});
