import { createHash } from 'node:crypto';
import { isSnapshotVersion, newestBuild, newestFiles, versionsInOrder, type MavenArtifactState } from './maven-state.js';

/**
 * `maven-metadata.xml` as Strata serves it, rendered from the deployed versions (never from what
 * a client uploaded): https://maven.apache.org/ref/3.8.7/maven-repository-metadata/repository-metadata.html
 */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const el = (name: string, value: string | number, indent: string) => `${indent}<${name}>${esc(String(value))}</${name}>\n`;
export const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** `yyyyMMddHHmmss` (UTC) of an ISO time, as `lastUpdated` and `updated` want it. */
export const mavenTimestamp = (iso: string) => iso.replace(/[-:T]/g, '').slice(0, 14);

/** Artifact level (`<group>/<artifactId>/maven-metadata.xml`): versions, latest, release, lastUpdated. Null with no versions. */
export function renderArtifactMetadata(s: MavenArtifactState): string | null {
  const versions = versionsInOrder(s);
  if (versions.length === 0) return null;
  const releases = versions.filter((v) => !isSnapshotVersion(v));
  const lastUpdated = Object.values(s.versions).reduce((max, v) => (v.updated > max ? v.updated : max), '');
  let xml = `${HEAD}<metadata>\n${el('groupId', s.groupId, '  ')}${el('artifactId', s.artifactId, '  ')}  <versioning>\n`;
  xml += el('latest', versions[versions.length - 1], '    ');
  if (releases.length) xml += el('release', releases[releases.length - 1], '    ');
  xml += `    <versions>\n${versions.map((v) => el('version', v, '      ')).join('')}    </versions>\n`;
  xml += el('lastUpdated', mavenTimestamp(lastUpdated), '    ');
  return `${xml}  </versioning>\n</metadata>\n`;
}

/**
 * SNAPSHOT version level (`<group>/<artifactId>/<x>-SNAPSHOT/maven-metadata.xml`): the newest
 * build (`snapshot.timestamp`, `snapshot.buildNumber`) and, per classifier and extension, the
 * newest file (`snapshotVersions`). Null when the version has no timestamped build.
 */
export function renderSnapshotMetadata(s: MavenArtifactState, version: string): string | null {
  const v = s.versions[version];
  const build = v && newestBuild(v);
  if (!v || !build) return null;
  const [timestamp, buildNumber] = [build.slice(0, 15), build.slice(16)];
  let xml = `${HEAD}<metadata modelVersion="1.1.0">\n${el('groupId', s.groupId, '  ')}${el('artifactId', s.artifactId, '  ')}${el('version', version, '  ')}  <versioning>\n`;
  xml += `    <snapshot>\n${el('timestamp', timestamp, '      ')}${el('buildNumber', buildNumber, '      ')}    </snapshot>\n`;
  xml += el('lastUpdated', mavenTimestamp(v.updated), '    ');
  xml += '    <snapshotVersions>\n';
  const sortKey = (f: { classifier?: string; extension: string }) => `${f.classifier ?? ''}\u0000${f.extension}`;
  const newest = newestFiles(version, v).sort((a, b) => (sortKey(a.file) < sortKey(b.file) ? -1 : 1));
  for (const { file, value } of newest) {
    xml += '      <snapshotVersion>\n';
    if (file.classifier) xml += el('classifier', file.classifier, '        ');
    xml += `${el('extension', file.extension, '        ')}${el('value', value, '        ')}${el('updated', file.build!.slice(0, 15).replace('.', ''), '        ')}`;
    xml += '      </snapshotVersion>\n';
  }
  return `${xml}    </snapshotVersions>\n  </versioning>\n</metadata>\n`;
}

export interface PluginEntry {
  name: string;
  prefix: string;
  artifactId: string;
}

/** The goal prefix Maven derives from a plugin's artifactId (`maven-foo-plugin` and `foo-maven-plugin` give `foo`). */
export function defaultGoalPrefix(artifactId: string): string {
  const m = /^maven-(.+)-plugin$/.exec(artifactId) ?? /^(.+)-maven-plugin$/.exec(artifactId);
  return m ? m[1] : artifactId.replace(/-?plugin$/, '') || artifactId;
}

/** The plugin an artifact is, if its newest POM has `maven-plugin` packaging. */
export function pluginOf(s: MavenArtifactState): PluginEntry | null {
  const newest = versionsInOrder(s).reverse().find((v) => s.versions[v].pom);
  const pom = newest ? s.versions[newest].pom : undefined;
  if (pom?.packaging !== 'maven-plugin') return null;
  return { name: pom.name ?? s.artifactId, prefix: defaultGoalPrefix(s.artifactId), artifactId: s.artifactId };
}

/** Group level (`<group>/maven-metadata.xml`): the plugins of the group, for prefix resolution. Null without any. */
export function renderGroupMetadata(plugins: PluginEntry[]): string | null {
  if (plugins.length === 0) return null;
  const sorted = [...plugins].sort((a, b) => (a.artifactId < b.artifactId ? -1 : 1));
  const body = sorted.map((p) => `    <plugin>\n${el('name', p.name, '      ')}${el('prefix', p.prefix, '      ')}${el('artifactId', p.artifactId, '      ')}    </plugin>\n`).join('');
  return `${HEAD}<metadata>\n  <plugins>\n${body}  </plugins>\n</metadata>\n`;
}

/** The digests a rendered document is served with (ETag and checksum files). */
export function digestsOf(body: string | Buffer): { sha256: string; sha1: string; md5: string; sha512: string; size: number } {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const h = (algo: string) => createHash(algo).update(bytes).digest('hex');
  return { sha256: h('sha256'), sha1: h('sha1'), md5: h('md5'), sha512: h('sha512'), size: bytes.length };
}
