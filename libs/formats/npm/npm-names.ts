import validate from 'validate-npm-package-name';
import semver from 'semver';
import { DomainError } from '../../domain/index.js';

/**
 * Package names by npm's own rules (`validate-npm-package-name`, the module the npm CLI uses):
 * https://docs.npmjs.com/cli/v11/configuring-npm/package-json#name
 */
export function assertNewPackageName(name: string): void {
  const result = validate(name);
  if (!result.validForNewPackages) {
    throw new DomainError('INVALID_NAME', `invalid package name "${name}": ${[...(result.errors ?? []), ...(result.warnings ?? [])].join('; ')}`);
  }
}

/** Names that could ever have been published (reads): old rules, which still refuse traversal and odd characters. */
export function assertPackageName(name: string): void {
  if (!validate(name).validForOldPackages) throw new DomainError('INVALID_NAME', `invalid package name "${name}"`);
}

/** `@scope/name` -> `name`; the part that names the tarball file. */
export const bareName = (name: string) => (name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name);

/** The tarball file of a version, as the public registry names it: `name-1.0.0.tgz` (scope dropped). */
export const tarballFile = (name: string, version: string) => `${bareName(name)}-${version}.tgz`;

/** The provenance bundle file of a version, kept beside its tarball: `name-1.0.0.sigstore`. */
export const bundleFile = (name: string, version: string) => `${bareName(name)}-${version}.sigstore`;

/** A version as npm publishes it: strict semver, already in its normalised form. */
export function assertVersion(version: unknown): asserts version is string {
  if (typeof version !== 'string' || semver.valid(version) !== version) {
    throw new DomainError('INVALID_PACKAGE', `invalid version ${JSON.stringify(version)}: versions must be valid semver (https://semver.org)`);
  }
}

/** Tags npm accepts: not empty, URL-safe, and not something `npm install name@<tag>` would read as a range. */
export function assertDistTag(tag: string): void {
  if (!tag || encodeURIComponent(tag) !== tag || semver.validRange(tag) !== null) {
    throw new DomainError('BAD_REQUEST', `invalid dist-tag "${tag}": tags must be URL-safe and must not parse as a semver range`);
  }
}

/** The highest of some versions by semver precedence (what npm's unpublish moves `latest` to). */
export function highestVersion(versions: readonly string[]): string | undefined {
  return versions.filter((v) => semver.valid(v)).sort(semver.compare).pop();
}

export const compareVersions = (a: string, b: string) => (semver.valid(a) && semver.valid(b) ? semver.compare(a, b) : a < b ? -1 : a > b ? 1 : 0);
