import type { StoredFile } from '../../domain/index.js';
import type { CoreInfo } from './core-metadata.js';
import type { DistributionKind } from './pypi-names.js';

export const PYPI = 'pypi';

/** What an upload records about one distribution file (in the `metadata.files` of its event). */
export interface PypiFileMetadata {
  filetype: DistributionKind;
  /** twine's `pyversion`: the python tag of a wheel, `source` for an sdist */
  pythonVersion: string;
  /** from the file's own core metadata */
  metadataVersion: string;
  name: string;
  version: string;
  summary?: string;
  requiresPython?: string;
  blake2_256: string;
  /** wheels: the METADATA stored beside the file and served as `<file>.metadata` (PEP 658) */
  coreMetadata?: { path: string; sha256: string };
  /** what the JSON API shows of the file's core metadata (absent in events recorded before it) */
  info?: CoreInfo;
}

/** `metadata` of the ArtifactPublished / ArtifactFilesAdded events of PyPI projects. */
export interface PypiEventMetadata {
  files: Record<string, PypiFileMetadata>;
}

export interface PypiFileRecord {
  version: string;
  sha256: string;
  size: number;
  uploadTime: string;
  filetype: DistributionKind;
  requiresPython?: string;
  coreMetadata?: { path: string; sha256: string; size: number };
  md5?: string;
  blake2_256?: string;
  /** the python tag of a wheel, `source` for an sdist */
  pythonVersion?: string;
}

/** A release's core metadata for the JSON API: that of the release's first file. */
export interface PypiReleaseInfo extends CoreInfo {
  /** the Name as the file's metadata spells it */
  name: string;
  summary?: string;
  requires_python?: string;
}

export interface PypiRelease {
  files: string[];
  yanked?: boolean;
  yankReason?: string;
  info?: PypiReleaseInfo;
}

/** One project of one repository: what the simple pages are rendered from. */
export interface PypiProjectState {
  /** the PEP 503 normalised name (the artifact name) */
  name: string;
  /** the Name in the core metadata of the project's first file (as it was registered) */
  displayName: string;
  versions: Record<string, PypiRelease>;
  files: Record<string, PypiFileRecord>;
}

export const emptyProject = (name: string): PypiProjectState => ({ name, displayName: name, versions: {}, files: {} });

const sha256Of = (f: StoredFile) => f.digest.replace(/^sha256:/, '');

/** A version's first files (it is new, or was deleted before) or files added to it. */
export function withFiles(s: PypiProjectState, version: string, stored: StoredFile[], metadata: PypiEventMetadata, at: string, fresh: boolean): PypiProjectState {
  const byPath = new Map(stored.map((f) => [f.path, f]));
  const files = { ...s.files };
  const added: string[] = [];
  let info: PypiReleaseInfo | undefined;
  let displayName = Object.keys(s.files).length === 0 ? undefined : s.displayName;
  for (const [filename, meta] of Object.entries(metadata.files ?? {})) {
    const file = byPath.get(filename);
    if (!file) continue;
    const core = meta.coreMetadata && byPath.get(meta.coreMetadata.path);
    files[filename] = {
      version,
      sha256: sha256Of(file),
      size: file.size,
      uploadTime: at,
      filetype: meta.filetype,
      ...(meta.requiresPython ? { requiresPython: meta.requiresPython } : {}),
      ...(core ? { coreMetadata: { path: core.path, sha256: sha256Of(core), size: core.size } } : {}),
      ...(file.md5 ? { md5: file.md5 } : {}),
      blake2_256: meta.blake2_256,
      pythonVersion: meta.pythonVersion,
    };
    added.push(filename);
    displayName ??= meta.name;
    info ??= {
      name: meta.name,
      ...(meta.summary ? { summary: meta.summary } : {}),
      ...(meta.requiresPython ? { requires_python: meta.requiresPython } : {}),
      ...(meta.info ?? {}),
    };
  }
  const before = fresh ? undefined : s.versions[version];
  const releaseInfo = before?.info ?? info;
  const versions = { ...s.versions, [version]: { ...(before ?? {}), files: [...(before?.files ?? []), ...added], ...(releaseInfo ? { info: releaseInfo } : {}) } };
  return { ...s, displayName: displayName ?? s.displayName, versions, files };
}

export function withoutVersion(s: PypiProjectState, version: string): PypiProjectState {
  const gone = s.versions[version];
  if (!gone) return s;
  const versions = { ...s.versions };
  delete versions[version];
  const files = { ...s.files };
  for (const f of gone.files) delete files[f];
  return { ...s, versions, files };
}

export function withYank(s: PypiProjectState, version: string, yanked: boolean, reason: string | undefined): PypiProjectState {
  const v = s.versions[version];
  if (!v) return s;
  const next: PypiRelease = { files: v.files, ...(yanked ? { yanked: true, ...(reason ? { yankReason: reason } : {}) } : {}), ...(v.info ? { info: v.info } : {}) };
  return { ...s, versions: { ...s.versions, [version]: next } };
}

/** Every servable path of the project (distribution files and their `.metadata`), for downloads. */
export function downloadsOf(s: PypiProjectState): Record<string, { sha256: string; size: number; kind: 'file' | 'metadata' }> {
  const out: Record<string, { sha256: string; size: number; kind: 'file' | 'metadata' }> = {};
  for (const [filename, f] of Object.entries(s.files)) {
    out[filename] = { sha256: f.sha256, size: f.size, kind: 'file' };
    if (f.coreMetadata) out[`${filename}.metadata`] = { sha256: f.coreMetadata.sha256, size: f.coreMetadata.size, kind: 'metadata' };
  }
  return out;
}
