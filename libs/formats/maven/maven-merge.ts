import { DomainError } from '../../domain/index.js';
import { el, HEAD, type PluginEntry } from './maven-metadata.js';
import { compareMavenVersions, isSnapshotVersion } from './maven-version.js';
import { parseXml } from './pom.js';

/**
 * Reading and merging `maven-metadata.xml` documents of several repositories (a virtual
 * repository's members, an upstream's documents), following the repository metadata model
 * (https://maven.apache.org/ref/3.8.7/maven-repository-metadata/repository-metadata.html).
 */

/** What Strata uses of a metadata document, at any of its three levels. */
export interface MetadataDocument {
  groupId?: string;
  artifactId?: string;
  /** SNAPSHOT level: the `-SNAPSHOT` version */
  version?: string;
  versions: string[];
  latest?: string;
  release?: string;
  /** `yyyyMMddHHmmss` */
  lastUpdated?: string;
  /** group level: the plugins of the group (prefix resolution) */
  plugins: PluginEntry[];
  /** SNAPSHOT level: the newest build's timestamp and number */
  snapshot?: { timestamp: string; buildNumber: number };
  /** SNAPSHOT level: per classifier and extension, the timestamped version of the newest file */
  snapshotVersions: { classifier?: string; extension: string; value: string }[];
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v]);
const TIMESTAMP = /^\d{14}$/;

/** Reads a metadata document (bounded, well-formed, no DOCTYPE); INVALID_PACKAGE when it is not one. */
export function readMetadata(bytes: Buffer): MetadataDocument {
  const root = parseXml(bytes, 'maven-metadata.xml').metadata;
  if (root === undefined) throw new DomainError('INVALID_PACKAGE', 'maven-metadata.xml has no <metadata> element');
  const m = obj(root);
  const v = obj(m.versioning);
  const snapshot = obj(v.snapshot);
  const timestamp = str(snapshot.timestamp);
  const buildNumber = Number(str(snapshot.buildNumber));
  const lastUpdated = str(v.lastUpdated);
  return {
    ...(str(m.groupId) ? { groupId: str(m.groupId) } : {}),
    ...(str(m.artifactId) ? { artifactId: str(m.artifactId) } : {}),
    ...(str(m.version) ? { version: str(m.version) } : {}),
    versions: list(obj(v.versions).version).flatMap((x) => (str(x) ? [str(x)!] : [])),
    ...(str(v.latest) ? { latest: str(v.latest) } : {}),
    ...(str(v.release) ? { release: str(v.release) } : {}),
    ...(lastUpdated && TIMESTAMP.test(lastUpdated) ? { lastUpdated } : {}),
    plugins: list(obj(m.plugins).plugin).flatMap((p) => {
      const o = obj(p);
      const artifactId = str(o.artifactId);
      const prefix = str(o.prefix);
      return artifactId && prefix ? [{ artifactId, prefix, name: str(o.name) ?? artifactId }] : [];
    }),
    ...(timestamp && Number.isInteger(buildNumber) ? { snapshot: { timestamp, buildNumber } } : {}),
    snapshotVersions: list(obj(v.snapshotVersions).snapshotVersion).flatMap((sv) => {
      const o = obj(sv);
      const extension = str(o.extension);
      const value = str(o.value);
      return extension && value ? [{ extension, value, ...(str(o.classifier) ? { classifier: str(o.classifier) } : {}) }] : [];
    }),
  };
}

const newest = (versions: string[]) => versions.reduce<string | undefined>((best, v) => (best === undefined || compareMavenVersions(v, best) > 0 ? v : best), undefined);

/**
 * Artifact- and group-level metadata merged across documents given in member order: the union of
 * `versions` in Maven's order, `latest` and `release` recomputed from it with ComparableVersion
 * (whatever each member claimed), the newest `lastUpdated`, and the union of `plugins` by
 * artifactId (the first member's entry wins). Null when no document has versions or plugins.
 * SNAPSHOT-level documents are not merged: a SNAPSHOT's builds come from one member.
 */
export function mergeMetadata(docs: MetadataDocument[], coordinates?: { groupId: string; artifactId: string }): string | null {
  const versions = new Set<string>();
  const plugins = new Map<string, PluginEntry>();
  let lastUpdated = '';
  let coords = coordinates;
  for (const d of docs) {
    d.versions.forEach((v) => versions.add(v));
    if (d.lastUpdated && d.lastUpdated > lastUpdated) lastUpdated = d.lastUpdated;
    for (const p of d.plugins) if (!plugins.has(p.artifactId)) plugins.set(p.artifactId, p);
    if (!coords && d.versions.length && d.groupId && d.artifactId) coords = { groupId: d.groupId, artifactId: d.artifactId };
  }
  if (versions.size === 0 && plugins.size === 0) return null;
  let xml = `${HEAD}<metadata>\n`;
  if (versions.size) {
    const ordered = [...versions].sort(compareMavenVersions);
    const release = newest(ordered.filter((v) => !isSnapshotVersion(v)));
    if (coords) xml += `${el('groupId', coords.groupId, '  ')}${el('artifactId', coords.artifactId, '  ')}`;
    xml += `  <versioning>\n${el('latest', ordered[ordered.length - 1], '    ')}${release ? el('release', release, '    ') : ''}`;
    xml += `    <versions>\n${ordered.map((v) => el('version', v, '      ')).join('')}    </versions>\n`;
    if (lastUpdated) xml += el('lastUpdated', lastUpdated, '    ');
    xml += '  </versioning>\n';
  }
  if (plugins.size) {
    const sorted = [...plugins.values()].sort((a, b) => (a.artifactId < b.artifactId ? -1 : 1));
    xml += `  <plugins>\n${sorted.map((p) => `    <plugin>\n${el('name', p.name, '      ')}${el('prefix', p.prefix, '      ')}${el('artifactId', p.artifactId, '      ')}    </plugin>\n`).join('')}  </plugins>\n`;
  }
  return `${xml}</metadata>\n`;
}

/**
 * The timestamped file name a plain `-SNAPSHOT` name stands for, from a SNAPSHOT-level document:
 * its `snapshotVersions` entry for that classifier and extension, else its newest build.
 */
export function snapshotValue(doc: MetadataDocument, version: string, classifier: string | undefined, extension: string): string | undefined {
  const entry = doc.snapshotVersions.find((s) => (s.classifier ?? '') === (classifier ?? '') && s.extension === extension);
  if (entry) return entry.value;
  return doc.snapshot ? `${version.slice(0, -'SNAPSHOT'.length)}${doc.snapshot.timestamp}-${doc.snapshot.buildNumber}` : undefined;
}
