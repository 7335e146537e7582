import type { ArtifactPublished, RecordedEvent } from '../../domain/index.js';

/** One published, live version of a package, as the projection keeps it. */
export interface NpmVersionRecord {
  manifest: Record<string, unknown>;
  /** tarball file name under `<name>/-/` */
  file: string;
  /** sha256 hex: the content address */
  sha256: string;
  size: number;
  integrity: string;
  shasum: string;
  fileCount?: number;
  unpackedSize?: number;
  hasShrinkwrap?: boolean;
  readme?: string;
  publishedAt: string;
  /** the user (or token) that published it: npm's `_npmUser` */
  publisher: string;
  deprecated?: string;
  /** the provenance bundle published with it (`npm publish --provenance`) */
  provenance?: { file: string; sha256: string; size: number; predicateType: string };
}

/**
 * Everything the packument of one package is rendered from. Built only from events (deterministic),
 * stored beside the rendered documents so the next event updates it without reading the log.
 */
export interface NpmPackageState {
  name: string;
  created: string;
  modified: string;
  versions: Record<string, NpmVersionRecord>;
  /** unpublished versions and when (they can never be published again) */
  unpublished: Record<string, string>;
  tags: Record<string, string>;
  /** owners: write grants on exactly this package name, by grant id */
  owners: Record<string, string>;
  /** counts changes: CouchDB's `_rev` prefix */
  rev: number;
}

/** What an npm publish records in ArtifactPublished.metadata. */
export interface NpmPublishMetadata {
  manifest: Record<string, unknown>;
  readme?: string;
  integrity: string;
  shasum: string;
  fileCount: number;
  unpackedSize: number;
  hasShrinkwrap: boolean;
  /** which of the files is the provenance bundle, and its statement's predicate type */
  provenance?: { file: string; predicateType: string };
}

export const emptyPackage = (name: string, at: string): NpmPackageState => ({ name, created: at, modified: at, versions: {}, unpublished: {}, tags: {}, owners: {}, rev: 0 });

const touched = (s: NpmPackageState, at: string): NpmPackageState => ({ ...s, modified: at, rev: s.rev + 1 });

export function withPublished(s: NpmPackageState, event: RecordedEvent<ArtifactPublished>): NpmPackageState {
  const d = event.data;
  const m = d.metadata as unknown as NpmPublishMetadata;
  const f = d.files.find((file) => file.path.endsWith('.tgz')) ?? d.files[0];
  const bundle = m.provenance && d.files.find((file) => file.path === m.provenance!.file);
  const record: NpmVersionRecord = {
    manifest: m.manifest,
    file: f.path,
    sha256: f.digest.replace(/^sha256:/, ''),
    size: f.size,
    integrity: m.integrity,
    shasum: m.shasum ?? f.sha1,
    fileCount: m.fileCount,
    unpackedSize: m.unpackedSize,
    hasShrinkwrap: m.hasShrinkwrap,
    ...(m.readme ? { readme: m.readme } : {}),
    ...(bundle ? { provenance: { file: bundle.path, sha256: bundle.digest.replace(/^sha256:/, ''), size: bundle.size, predicateType: m.provenance!.predicateType } } : {}),
    publishedAt: event.recordedAt,
    publisher: event.metadata.actor,
  };
  const { [d.version]: _gone, ...unpublished } = s.unpublished;
  const created = Object.keys(s.versions).length === 0 && Object.keys(s.unpublished).length === 0 ? event.recordedAt : s.created;
  return { ...touched(s, event.recordedAt), created, versions: { ...s.versions, [d.version]: record }, unpublished };
}

export function withDeleted(s: NpmPackageState, version: string, at: string): NpmPackageState {
  const { [version]: _gone, ...versions } = s.versions;
  return { ...touched(s, at), versions, unpublished: { ...s.unpublished, [version]: at } };
}

export function withDeprecation(s: NpmPackageState, version: string, message: string, at: string): NpmPackageState {
  const v = s.versions[version];
  if (!v) return s;
  const { deprecated: _old, ...rest } = v;
  return { ...touched(s, at), versions: { ...s.versions, [version]: message ? { ...rest, deprecated: message } : rest } };
}

export function withTag(s: NpmPackageState, tag: string, version: string | undefined, at: string): NpmPackageState {
  const { [tag]: _old, ...tags } = s.tags;
  return { ...touched(s, at), tags: version === undefined ? tags : { ...tags, [tag]: version } };
}

export function withOwner(s: NpmPackageState, grantId: string, userId: string | undefined, at: string): NpmPackageState {
  const { [grantId]: _old, ...owners } = s.owners;
  return { ...touched(s, at), owners: userId === undefined ? owners : { ...owners, [grantId]: userId } };
}
