import type { StoredFile } from '../../domain/index.js';
import { compareMavenVersions, isSnapshotVersion } from './maven-version.js';
import { parseMavenPath, type ArtifactFile } from './maven-path.js';
import type { PomInfo } from './pom.js';

export const MAVEN = 'maven';

/** `metadata` of the ArtifactPublished / ArtifactFilesAdded events of Maven artifacts. */
export interface MavenEventMetadata {
  /** the read model of the POM among the event's files, if there is one */
  pom?: PomInfo;
}

/** One servable file of a version. */
export interface MavenFileRecord {
  path: string;
  sha256: string;
  size: number;
  sha1?: string;
  md5?: string;
  sha512?: string;
  mediaType: string;
  classifier?: string;
  extension: string;
  /** SNAPSHOT builds: `20261129.101500-3` */
  build?: string;
  /** recorded time of its event */
  updated: string;
}

export interface MavenVersionState {
  files: MavenFileRecord[];
  /** the latest POM's read model (of the newest build, for SNAPSHOTs) */
  pom?: PomInfo;
  updated: string;
}

/** One `groupId:artifactId` of one repository: what its metadata is rendered from. */
export interface MavenArtifactState {
  groupId: string;
  artifactId: string;
  versions: Record<string, MavenVersionState>;
}

/** The artifact name of Strata's model: `groupId:artifactId`. */
export const artifactName = (groupId: string, artifactId: string) => `${groupId}:${artifactId}`;

export function splitName(name: string): { groupId: string; artifactId: string } {
  const i = name.lastIndexOf(':');
  return { groupId: name.slice(0, i), artifactId: name.slice(i + 1) };
}

export const emptyArtifact = (name: string): MavenArtifactState => ({ ...splitName(name), versions: {} });

function record(f: StoredFile, at: string): MavenFileRecord {
  const parsed = parseMavenPath(f.path);
  const file = parsed.kind === 'file' ? parsed.file : ({ extension: 'bin' } as ArtifactFile);
  return {
    path: f.path,
    sha256: f.digest.replace(/^sha256:/, ''),
    size: f.size,
    ...(f.sha1 ? { sha1: f.sha1 } : {}),
    ...(f.md5 ? { md5: f.md5 } : {}),
    ...(f.sha512 ? { sha512: f.sha512 } : {}),
    mediaType: f.mediaType,
    ...(file.classifier ? { classifier: file.classifier } : {}),
    extension: file.extension,
    ...(file.build ? { build: `${file.build.timestamp}-${file.build.buildNumber}` } : {}),
    updated: at,
  };
}

/**
 * A version's files: `replace` (ArtifactPublished: a publish, a redeploy or a promotion names the
 * version's whole file set) or added to it (ArtifactFilesAdded).
 */
export function withFiles(s: MavenArtifactState, version: string, files: StoredFile[], metadata: MavenEventMetadata, at: string, replace: boolean): MavenArtifactState {
  const before = replace ? undefined : s.versions[version];
  const added = files.map((f) => record(f, at));
  const kept = (before?.files ?? []).filter((f) => !added.some((a) => a.path === f.path));
  const pom = metadata.pom ?? before?.pom;
  const next: MavenVersionState = { files: [...kept, ...added], ...(pom ? { pom } : {}), updated: at };
  return { ...s, versions: { ...s.versions, [version]: next } };
}

export function withoutVersion(s: MavenArtifactState, version: string): MavenArtifactState {
  const versions = { ...s.versions };
  delete versions[version];
  return { ...s, versions };
}

export const versionsInOrder = (s: MavenArtifactState) => Object.keys(s.versions).sort(compareMavenVersions);

/** The newest build of a SNAPSHOT version, by build number (then timestamp). */
export function newestBuild(v: MavenVersionState): string | undefined {
  return v.files.reduce<string | undefined>((best, f) => (f.build && (!best || compareBuilds(f.build, best) > 0) ? f.build : best), undefined);
}

/**
 * For each (classifier, extension) of a SNAPSHOT version, the file of its newest build: what the
 * plain `-SNAPSHOT` name resolves to and what `snapshotVersions` lists.
 */
export function newestFiles(version: string, v: MavenVersionState): { key: string; aliasPath: string; file: MavenFileRecord; value: string }[] {
  const best = new Map<string, MavenFileRecord>();
  for (const f of v.files) {
    if (!f.build) continue;
    const key = `${f.classifier ?? ''}|${f.extension}`;
    const current = best.get(key);
    if (!current || compareBuilds(f.build, current.build!) > 0) best.set(key, f);
  }
  return [...best].map(([key, file]) => {
    const dir = file.path.slice(0, file.path.lastIndexOf('/') + 1);
    const artifactId = dir.split('/').slice(-3, -2)[0];
    const aliasPath = `${dir}${artifactId}-${version}${file.classifier ? `-${file.classifier}` : ''}.${file.extension}`;
    return { key, aliasPath, file, value: `${version.slice(0, -'SNAPSHOT'.length)}${file.build}` };
  });
}

/** Builds (`20261129.101500-3`) by build number, then timestamp. */
function compareBuilds(a: string, b: string): number {
  const na = Number(a.slice(16));
  const nb = Number(b.slice(16));
  return na !== nb ? na - nb : a < b ? -1 : a > b ? 1 : 0;
}

export { isSnapshotVersion };
