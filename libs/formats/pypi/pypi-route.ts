import { DomainError } from '../../domain/index.js';
import { normalizeName } from './pypi-names.js';

/** The operations of a PyPI repository's URL space, `/pypi/<repo>/...`. */
export type PypiRoute =
  | { op: 'upload'; repo: string }
  | { op: 'index'; repo: string }
  | { op: 'project'; repo: string; project: string }
  /** a URL to answer with a redirect to `location` (relative to `/pypi/`) */
  | { op: 'redirect'; repo: string; location: string }
  | { op: 'download'; repo: string; project: string; file: string }
  /** PyPI's JSON API: the project, or one release when `version` is given */
  | { op: 'jsonApi'; repo: string; project: string; version?: string }
  | { op: 'yank'; repo: string; project: string; version: string; yanked: boolean }
  | { op: 'deleteRelease'; repo: string; project: string; version: string };

function decode(segment: string): string {
  let value: string;
  try {
    value = decodeURIComponent(segment);
  } catch {
    throw new DomainError('INVALID_PATH', 'malformed percent-encoding in path');
  }
  // eslint-disable-next-line no-control-regex
  if (value.includes('/') || value.includes('\\') || value === '.' || value === '..' || /[\u0000-\u001f]/.test(value)) {
    throw new DomainError('INVALID_PATH', 'path segments may not hold "/", "\\", control characters, nor be "." or ".."');
  }
  return value;
}

/**
 * Names the operation of a method and raw (still encoded) path after `/pypi/`; undefined when
 * nothing is there. Simple pages want the trailing slash (PEP 503); without it they redirect.
 */
export function parsePypiRoute(method: string, rawPath: string): PypiRoute | undefined {
  const slash = rawPath.endsWith('/');
  const parts = rawPath.split('/').filter((p, i, all) => p !== '' || i < all.length - 1);
  if (parts.some((p) => p === '')) return undefined;
  const [repo, ...rest] = parts.map(decode);
  if (!repo) return undefined;
  const read = method === 'GET' || method === 'HEAD';
  const enc = encodeURIComponent;
  if (method === 'POST' && (rest.length === 0 || (rest.length === 1 && rest[0] === 'legacy'))) return { op: 'upload', repo };
  if (read && rest[0] === 'simple') {
    if (rest.length === 1) return slash ? { op: 'index', repo } : { op: 'redirect', repo, location: `${enc(repo)}/simple/` };
    if (rest.length === 2) {
      // https://peps.python.org/pep-0503/#normalized-names: other spellings redirect to the normalised URL
      const project = normalizeName(rest[1]);
      return project === rest[1] && slash ? { op: 'project', repo, project } : { op: 'redirect', repo, location: `${enc(repo)}/simple/${enc(project)}/` };
    }
    return undefined;
  }
  if (read && rest[0] === 'pypi' && (rest.length === 3 || rest.length === 4) && rest.at(-1) === 'json' && !slash) {
    // https://docs.pypi.org/api/json/: /pypi/<project>/json and /pypi/<project>/<version>/json
    const project = normalizeName(rest[1]);
    const version = rest.length === 4 ? rest[2] : undefined;
    if (project !== rest[1]) return { op: 'redirect', repo, location: `${enc(repo)}/pypi/${enc(project)}/${version ? `${enc(version)}/` : ''}json` };
    return { op: 'jsonApi', repo, project, ...(version ? { version } : {}) };
  }
  if (read && rest[0] === 'files' && rest.length === 3 && !slash) return { op: 'download', repo, project: normalizeName(rest[1]), file: rest[2] };
  if (rest.length === 3 && rest[2] === 'yank' && (method === 'POST' || method === 'DELETE')) return { op: 'yank', repo, project: normalizeName(rest[0]), version: rest[1], yanked: method === 'POST' };
  if (rest.length === 2 && method === 'DELETE' && rest[0] !== 'simple' && rest[0] !== 'files') return { op: 'deleteRelease', repo, project: normalizeName(rest[0]), version: rest[1] };
  return undefined;
}
