import pep440 from '@renovatebot/pep440';
import { DomainError } from '../../domain/index.js';

/** A project name as core metadata allows it: https://packaging.python.org/en/latest/specifications/name-normalization/#name-format */
const PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
const MAX_NAME = 200;

/** PEP 503 normalisation: runs of `-`, `_`, `.` become one `-`, lowercase. https://peps.python.org/pep-0503/#normalized-names */
export const normalizeName = (name: string) => name.replace(/[-_.]+/g, '-').toLowerCase();

export function isValidProjectName(name: string): boolean {
  return name.length <= MAX_NAME && PROJECT_NAME.test(name);
}

export function assertProjectName(name: string): void {
  if (!isValidProjectName(name)) throw new DomainError('INVALID_NAME', `"${name.slice(0, MAX_NAME)}" is not a valid project name (letters, digits, ".", "_", "-"; alphanumeric at both ends)`);
}

/** The PEP 440 normal form of a version (`1.0.0RC1` -> `1.0.0rc1`), or INVALID_PACKAGE. https://peps.python.org/pep-0440/#normalization */
export function normalizeVersion(version: string): string {
  // from the parts: the library's own `clean` mangles local versions (`1.0+a-1` -> `1.0+a,1`)
  const parts = version.length <= 128 ? pep440.explain(version) : null;
  const clean = parts && (parts.local ? `${parts.public}+${parts.local}` : parts.public);
  if (!clean) throw new DomainError('INVALID_PACKAGE', `"${version.slice(0, 128)}" is not a valid PEP 440 version`);
  return clean;
}

/** PEP 440 ordering (`1.0a1` < `1.0` < `1.0.post1`). */
export const compareVersions = (a: string, b: string) => pep440.compare(a, b);
/** PEP 440 equality (`1.0` == `1.0.0`). */
export const sameVersion = (a: string, b: string) => pep440.eq(a, b);
export const isValidSpecifier = (specifier: string) => specifier.length <= 1024 && pep440.validRange(specifier);

export type DistributionKind = 'bdist_wheel' | 'sdist';

export interface DistributionFilename {
  kind: DistributionKind;
  /** the name and version parts as written in the file name */
  name: string;
  version: string;
  /** wheels: the python tag (the `pyversion` twine sends) */
  pythonTag?: string;
}

/** What a file name may contain at all: no separators, no control characters, nothing to escape in a URL path but `+` and `!`. */
const SAFE_FILENAME = /^[A-Za-z0-9][A-Za-z0-9._+!-]{0,254}$/;
const WHEEL_TAG = /^[A-Za-z0-9_.]+$/;

/**
 * A wheel or sdist file name, checked against its project. Wheels:
 * `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`
 * (https://packaging.python.org/en/latest/specifications/binary-distribution-format/#file-name-convention);
 * sdists: `{name}-{version}.tar.gz`, where older tools left dashes in the name
 * (https://packaging.python.org/en/latest/specifications/source-distribution-format/#source-distribution-file-name).
 */
export function parseDistributionFilename(filename: string, project: string): DistributionFilename {
  const invalid = (why: string) => new DomainError('INVALID_PACKAGE', `invalid distribution file name "${filename.slice(0, 255)}": ${why}`);
  if (!SAFE_FILENAME.test(filename)) throw invalid('only letters, digits and . _ + ! - are allowed, at most 255 characters');
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -'.whl'.length).split('-');
    if (parts.length !== 5 && parts.length !== 6) throw invalid('a wheel is named {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl');
    const [name, version] = parts;
    if (parts.length === 6 && !/^\d/.test(parts[2])) throw invalid('a build tag starts with a digit');
    if (!parts.slice(2).every((p) => WHEEL_TAG.test(p))) throw invalid('bad compatibility tags');
    if (normalizeName(name) !== project) throw invalid(`the file is for "${name}", not "${project}"`);
    return { kind: 'bdist_wheel', name, version, pythonTag: parts.at(-3) };
  }
  if (filename.endsWith('.tar.gz')) {
    const stem = filename.slice(0, -'.tar.gz'.length);
    // the name itself may hold dashes: the version is what follows the dash after which the name matches
    for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
      const version = stem.slice(i + 1);
      if (normalizeName(stem.slice(0, i)) === project && pep440.valid(version)) return { kind: 'sdist', name: stem.slice(0, i), version };
    }
    throw invalid(`the file is not named {name}-{version}.tar.gz for "${project}"`);
  }
  throw invalid('only wheels (.whl) and source distributions (.tar.gz) are accepted');
}
