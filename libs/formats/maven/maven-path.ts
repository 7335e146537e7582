import { DomainError } from '../../domain/index.js';

/**
 * Paths of the Maven 2 repository layout
 * (https://maven.apache.org/repository/layout.html, https://maven.apache.org/ref/3.8.7/maven-repository-metadata/):
 * `<group as folders>/<artifactId>/<version>/<artifactId>-<version>[-<classifier>].<extension>`,
 * `maven-metadata.xml` at the group, artifact and SNAPSHOT-version levels, and a checksum
 * (`.md5`, `.sha1`, `.sha256`, `.sha512`) beside any of them.
 */

export const CHECKSUMS = ['md5', 'sha1', 'sha256', 'sha512'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUMS)[number];

export const METADATA_FILE = 'maven-metadata.xml';

/** A file of a version. For SNAPSHOT versions, `build` names the timestamped build it belongs to. */
export interface ArtifactFile {
  groupId: string;
  artifactId: string;
  /** the version folder: `1.0` or `1.0-SNAPSHOT` */
  version: string;
  classifier?: string;
  /** everything after the version (and classifier): `jar`, `pom`, `jar.asc`, `tar.gz` */
  extension: string;
  /** SNAPSHOT builds: `20261129.101500-3` (absent on the plain `-SNAPSHOT` name, which is an alias) */
  build?: { timestamp: string; buildNumber: number };
  /** a SNAPSHOT file named with `-SNAPSHOT` instead of a build: it resolves to the newest build */
  alias?: boolean;
}

export type MavenPath =
  /** a folder to list (`prefix` '' is the repository root, else it ends with `/`) */
  | { kind: 'folder'; prefix: string }
  | { kind: 'file'; path: string; file: ArtifactFile; checksum?: ChecksumAlgorithm }
  /** a `maven-metadata.xml` (group, artifact or SNAPSHOT level: which one is served is decided by what exists) */
  | { kind: 'metadata'; path: string; checksum?: ChecksumAlgorithm };

const GROUP_OR_ARTIFACT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9_.+~-]*$/;
const SEGMENT_MAX = 200;

function decodeSegment(segment: string): string {
  let value: string;
  try {
    value = decodeURIComponent(segment);
  } catch {
    throw new DomainError('INVALID_PATH', 'malformed percent-encoding in path');
  }
  // eslint-disable-next-line no-control-regex
  if (value === '' || value === '.' || value === '..' || /[/\\\u0000-\u001f\u007f]/.test(value) || value.length > SEGMENT_MAX) {
    throw new DomainError('INVALID_PATH', 'path segments may not be empty, "." or "..", hold "/", "\\" or control characters, or exceed 200 characters');
  }
  return value;
}

export const assertGroupId = (g: string) => {
  if (!g.split('.').every((p) => GROUP_OR_ARTIFACT.test(p)) || g.length > 400) throw new DomainError('INVALID_PATH', `"${g.slice(0, 100)}" is not a valid groupId`);
};
export const assertArtifactId = (a: string) => {
  if (!GROUP_OR_ARTIFACT.test(a)) throw new DomainError('INVALID_PATH', `"${a.slice(0, 100)}" is not a valid artifactId`);
};
export const assertVersion = (v: string) => {
  if (!VERSION.test(v) || v.endsWith('.')) throw new DomainError('INVALID_PATH', `"${v.slice(0, 100)}" is not a valid version`);
};

/** Reads `<artifactId>-<version>[-<classifier>].<extension>` for a file in a version folder. */
export function parseFileName(groupId: string, artifactId: string, version: string, name: string): ArtifactFile {
  const bad = () => new DomainError('INVALID_PATH', `${name} is not a file name of ${artifactId} ${version} (expected ${artifactId}-${version}[-classifier].extension)`);
  if (!name.startsWith(`${artifactId}-`)) throw bad();
  let rest = name.slice(artifactId.length + 1);
  const file: ArtifactFile = { groupId, artifactId, version, extension: '' };
  if (version.endsWith('-SNAPSHOT')) {
    const base = version.slice(0, -'SNAPSHOT'.length);
    if (!rest.startsWith(base)) throw bad();
    rest = rest.slice(base.length);
    if (rest.startsWith('SNAPSHOT')) {
      file.alias = true;
      rest = rest.slice('SNAPSHOT'.length);
    } else {
      const m = /^(\d{8}\.\d{6})-(\d{1,9})(?=[.-])/.exec(rest);
      if (!m) throw bad();
      file.build = { timestamp: m[1], buildNumber: Number(m[2]) };
      rest = rest.slice(m[0].length);
    }
  } else {
    if (!rest.startsWith(version)) throw bad();
    rest = rest.slice(version.length);
  }
  if (rest.startsWith('-')) {
    const dot = rest.indexOf('.');
    if (dot < 2) throw bad();
    file.classifier = rest.slice(1, dot);
    if (!GROUP_OR_ARTIFACT.test(file.classifier)) throw bad();
    rest = rest.slice(dot);
  }
  if (!rest.startsWith('.') || rest.length < 2 || rest.endsWith('.') || rest.includes('..')) throw bad();
  file.extension = rest.slice(1);
  return file;
}

/** `1.0-20261129.101500-3` from `1.0-SNAPSHOT` and a build (what maven-metadata.xml calls its `value`). */
export const buildVersion = (version: string, build: { timestamp: string; buildNumber: number }) => `${version.slice(0, -'SNAPSHOT'.length)}${build.timestamp}-${build.buildNumber}`;

/** The layout path of a file (no leading slash). */
export function filePath(f: ArtifactFile): string {
  const v = f.build ? buildVersion(f.version, f.build) : f.version;
  return `${f.groupId.replace(/\./g, '/')}/${f.artifactId}/${f.version}/${f.artifactId}-${v}${f.classifier ? `-${f.classifier}` : ''}.${f.extension}`;
}

/** Names what a raw (still percent-encoded) path after `/maven/<repo>/` is in the layout; INVALID_PATH when it fits none. */
export function parseMavenPath(raw: string): MavenPath {
  if (raw === '') return { kind: 'folder', prefix: '' };
  const folder = raw.endsWith('/');
  const parts = (folder ? raw.slice(0, -1) : raw).split('/').map(decodeSegment);
  if (folder) return { kind: 'folder', prefix: `${parts.join('/')}/` };
  let name = parts[parts.length - 1];
  let checksum: ChecksumAlgorithm | undefined;
  for (const algo of CHECKSUMS) {
    if (name.endsWith(`.${algo}`)) {
      checksum = algo;
      name = name.slice(0, -(algo.length + 1));
    }
  }
  const dirs = parts.slice(0, -1);
  if (name === METADATA_FILE) {
    if (dirs.length === 0) throw new DomainError('INVALID_PATH', 'maven-metadata.xml belongs in a group, artifact or version folder');
    if (!dirs.every((d) => GROUP_OR_ARTIFACT.test(d))) throw new DomainError('INVALID_PATH', 'not a metadata path of the layout');
    return { kind: 'metadata', path: [...dirs, METADATA_FILE].join('/'), ...(checksum ? { checksum } : {}) };
  }
  if (dirs.length < 3) throw new DomainError('INVALID_PATH', 'a file path needs <group folders>/<artifactId>/<version>/<file>');
  const version = dirs[dirs.length - 1];
  const artifactId = dirs[dirs.length - 2];
  const groupId = dirs.slice(0, -2).join('.');
  assertGroupId(groupId);
  assertArtifactId(artifactId);
  assertVersion(version);
  const file = parseFileName(groupId, artifactId, version, name);
  return { kind: 'file', path: [...dirs, name].join('/'), file, ...(checksum ? { checksum } : {}) };
}

/** A version folder (`<group folders>/<artifactId>/<version>`, trailing slash optional), for DELETE. */
export function parseVersionFolder(raw: string): { groupId: string; artifactId: string; version: string } {
  const parts = raw.replace(/\/$/, '').split('/').map(decodeSegment);
  if (parts.length < 3) throw new DomainError('INVALID_PATH', 'a version folder is <group folders>/<artifactId>/<version>/');
  const version = parts[parts.length - 1];
  const artifactId = parts[parts.length - 2];
  const groupId = parts.slice(0, -2).join('.');
  assertGroupId(groupId);
  assertArtifactId(artifactId);
  assertVersion(version);
  return { groupId, artifactId, version };
}
