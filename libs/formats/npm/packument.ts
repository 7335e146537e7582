import { createHash } from 'node:crypto';
import { compareVersions, highestVersion } from './npm-names.js';
import type { NpmPackageState, NpmVersionRecord } from './npm-state.js';

/**
 * Stands for the registry's external URL inside stored documents; replaced when served, so that
 * tarball URLs follow STRATA_BASE_URL (or the request's host) without re-rendering anything.
 * The NUL characters make it impossible in real metadata, and publish refuses it anyway.
 */
export const BASE_URL_MARK = '\u0000strata:base-url\u0000';
const MARK_IN_JSON = JSON.stringify(BASE_URL_MARK).slice(1, -1);

export interface RenderedDocument {
  body: string;
  etag: string;
}

export interface RenderedPackument {
  full: RenderedDocument;
  abbreviated: RenderedDocument;
  rev: string;
  latest: string | undefined;
}

/** Top-level fields the public registry copies from the latest version's manifest. */
const FROM_LATEST = ['description', 'homepage', 'keywords', 'repository', 'author', 'bugs', 'license', 'readmeFilename'] as const;
/**
 * The abbreviated ("corgi") version fields:
 * https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md#abbreviated-version-object
 * plus the platform fields npm's installer reads from it (cpu, os, libc, peerDependenciesMeta).
 */
export const ABBREVIATED = [
  'name', 'version', 'dependencies', 'optionalDependencies', 'devDependencies', 'bundleDependencies', 'peerDependencies', 'peerDependenciesMeta',
  'acceptDependencies', 'bin', 'directories', 'engines', 'cpu', 'os', 'libc', 'funding', 'license', 'deprecated', '_hasShrinkwrap', 'hasInstallScript', 'dist',
] as const;

const hash = (text: string) => createHash('sha256').update(text).digest('hex');
const person = (name: string) => ({ name, email: '' });

/** The live versions, oldest semver first. */
const liveVersions = (s: NpmPackageState) => Object.keys(s.versions).sort(compareVersions);

/** The version `latest` names, or the highest live one. */
export function latestOf(s: NpmPackageState): string | undefined {
  const tagged = s.tags.latest;
  return tagged && s.versions[tagged] ? tagged : highestVersion(Object.keys(s.versions));
}

/** Absolute tarball URL (with the base URL mark) of a version: `<base>/npm/<repo>/<name>/-/<file>`, as the public registry lays them out. */
export const tarballUrl = (repository: string, name: string, file: string) => `${BASE_URL_MARK}/npm/${encodeURIComponent(repository)}/${name}/-/${file}`;

/**
 * Where a version's attestations are served, as the public registry advertises them in
 * `dist.attestations.url`: `<base>/npm/<repo>/-/npm/v1/attestations/<name>@<version>`.
 */
export const attestationsUrl = (repository: string, name: string, version: string) =>
  `${BASE_URL_MARK}/npm/${encodeURIComponent(repository)}/-/npm/v1/attestations/${name.replace('/', '%2f')}@${version}`;

function hasInstallScript(manifest: Record<string, unknown>): boolean {
  const scripts = manifest.scripts && typeof manifest.scripts === 'object' ? (manifest.scripts as Record<string, unknown>) : {};
  return ['preinstall', 'install', 'postinstall'].some((k) => typeof scripts[k] === 'string') || manifest.gypfile === true;
}

function versionDocument(repository: string, name: string, version: string, v: NpmVersionRecord): Record<string, unknown> {
  return {
    ...v.manifest,
    name,
    version,
    _id: `${name}@${version}`,
    _npmUser: person(v.publisher),
    ...(v.deprecated ? { deprecated: v.deprecated } : {}),
    _hasShrinkwrap: !!v.hasShrinkwrap,
    ...(hasInstallScript(v.manifest) ? { hasInstallScript: true } : {}),
    dist: {
      integrity: v.integrity,
      shasum: v.shasum,
      tarball: tarballUrl(repository, name, v.file),
      ...(v.fileCount !== undefined ? { fileCount: v.fileCount } : {}),
      ...(v.unpackedSize !== undefined ? { unpackedSize: v.unpackedSize } : {}),
      ...(v.provenance ? { attestations: { url: attestationsUrl(repository, name, version), provenance: { predicateType: v.provenance.predicateType } } } : {}),
    },
  };
}

export function pick(doc: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (doc[k] !== undefined) out[k] = doc[k];
  return out;
}

/**
 * The full packument and the abbreviated install document of a package, serialised with their
 * ETags; null when no version is live (the package reads as not found).
 * https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md
 */
export function renderPackument(repository: string, s: NpmPackageState): RenderedPackument | null {
  const versions = liveVersions(s);
  if (versions.length === 0) return null;
  const latest = latestOf(s);
  const latestRecord = latest ? s.versions[latest] : undefined;
  const newest = [...versions].sort((a, b) => s.versions[a].publishedAt.localeCompare(s.versions[b].publishedAt)).pop()!;
  const docs = Object.fromEntries(versions.map((v) => [v, versionDocument(repository, s.name, v, s.versions[v])]));
  const time: Record<string, string> = { created: s.created, modified: s.modified };
  for (const v of versions) time[v] = s.versions[v].publishedAt;
  const maintainers = [...new Set(Object.values(s.owners))].sort().map(person);
  const readme = latestRecord?.readme ?? s.versions[newest].readme ?? '';

  const content = {
    name: s.name,
    'dist-tags': s.tags,
    versions: docs,
    time,
    maintainers,
    ...pick(latestRecord?.manifest ?? {}, FROM_LATEST),
    readme,
  };
  const rev = `${s.rev}-${hash(JSON.stringify(content)).slice(0, 32)}`;
  const full = JSON.stringify({ _id: s.name, _rev: rev, ...content });
  const abbreviated = JSON.stringify({
    name: s.name,
    modified: s.modified,
    'dist-tags': s.tags,
    versions: Object.fromEntries(versions.map((v) => [v, pick(docs[v], ABBREVIATED)])),
  });
  return { full: { body: full, etag: hash(full) }, abbreviated: { body: abbreviated, etag: hash(abbreviated) }, rev, latest };
}

/** A stored document with the base URL filled in. */
export const withBaseUrl = (body: string, baseUrl: string) => body.replaceAll(MARK_IN_JSON, JSON.stringify(baseUrl.replace(/\/+$/, '')).slice(1, -1));
