import { DomainError } from '../../domain/index.js';

/**
 * Every endpoint the npm CLI calls, as data. The registry API is CouchDB-shaped and documented in
 * https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md; paths are relative to the
 * registry URL `/npm/<repo>/`. Scoped names arrive encoded (`@scope%2fname`, what npm sends) or
 * raw (`@scope/name`); both route the same.
 */
export type NpmRoute = { repo: string } & (
  | { op: 'whoami' | 'ping' | 'search' | 'tokensList' | 'tokenCreate' | 'audit' | 'webLogin' | 'webLoginSubmit' | 'webLoginSsoComplete' }
  | { op: 'webLoginForm' | 'webLoginSsoReturn' | 'webLoginDone'; id: string }
  | { op: 'userGet' | 'userLogin'; user: string }
  | { op: 'tokenRevoke'; key: string }
  | { op: 'attestations'; name: string; version: string }
  | { op: 'distTagsList'; name: string }
  | { op: 'distTagSet' | 'distTagRemove'; name: string; tag: string }
  | { op: 'packument' | 'publishOrUpdate'; name: string }
  | { op: 'versionManifest'; name: string; spec: string }
  | { op: 'updateRev' | 'unpublishAll'; name: string; rev: string }
  | { op: 'tarball' | 'tarballDelete'; name: string; file: string }
);

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new DomainError('BAD_REQUEST', `malformed percent-encoding in "${segment}"`);
  }
};

/** A package name at the start of `segments`: `@scope%2fname`, `@scope/name` or `name`; with how many segments it took. */
function nameAt(segments: string[], at: number): { name: string; used: number } | null {
  const first = segments[at] === undefined ? '' : decode(segments[at]);
  if (!first) return null;
  if (first.startsWith('@') && !first.includes('/')) {
    const second = segments[at + 1] === undefined ? '' : decode(segments[at + 1]);
    return second ? { name: `${first}/${second}`, used: 2 } : null;
  }
  return { name: first, used: 1 };
}

/** The endpoint a request names, or null when none matches (404). `rest` is the raw path after `/npm/`. */
export function parseNpmRoute(method: string, rest: string): NpmRoute | null {
  const segments = rest.split('/');
  if (segments.at(-1) === '' && segments.length > 1) segments.pop();
  const repo = decode(segments[0] ?? '');
  if (!repo) return null;
  const s = segments.slice(1);
  const m = method === 'HEAD' ? 'GET' : method;
  if (s[0] === '-') return accountRoute(m, repo, s.slice(1));
  return packageRoute(m, repo, s);
}

function accountRoute(m: string, repo: string, s: string[]): NpmRoute | null {
  const path = s.join('/');
  if (m === 'GET' && path === 'whoami') return { repo, op: 'whoami' };
  if (m === 'GET' && path === 'ping') return { repo, op: 'ping' };
  if (m === 'GET' && path === 'v1/search') return { repo, op: 'search' };
  if (m === 'POST' && path === 'v1/login') return { repo, op: 'webLogin' };
  if (m === 'POST' && path === 'v1/login/cli') return { repo, op: 'webLoginSubmit' };
  if (m === 'POST' && path === 'v1/login/cli/sso') return { repo, op: 'webLoginSsoComplete' };
  if (m === 'GET' && s[0] === 'v1' && s[1] === 'login' && s[2] === 'cli' && s[3]) {
    if (s.length === 4) return { repo, op: 'webLoginForm', id: decode(s[3]) };
    if (s.length === 5 && s[4] === 'sso') return { repo, op: 'webLoginSsoReturn', id: decode(s[3]) };
  }
  if (m === 'GET' && s.length === 3 && s[0] === 'v1' && s[1] === 'done' && s[2]) return { repo, op: 'webLoginDone', id: decode(s[2]) };
  if (m === 'POST' && /^npm\/v1\/security\/(advisories\/bulk|audits\/quick|audits)$/.test(path)) return { repo, op: 'audit' };
  if (path === 'npm/v1/tokens') return m === 'GET' ? { repo, op: 'tokensList' } : m === 'POST' ? { repo, op: 'tokenCreate' } : null;
  if (m === 'DELETE' && s.length === 5 && path.startsWith('npm/v1/tokens/token/')) return { repo, op: 'tokenRevoke', key: decode(s[4]) };
  if (m === 'GET' && (s.length === 4 || s.length === 5) && path.startsWith('npm/v1/attestations/')) {
    // <name>@<version>, the scoped name encoded (`@scope%2fname@1.0.0`) or raw
    const spec = s.slice(3).map(decode).join('/');
    const at = spec.lastIndexOf('@');
    return at > 0 && at < spec.length - 1 ? { repo, op: 'attestations', name: spec.slice(0, at), version: spec.slice(at + 1) } : null;
  }
  if (s[0] === 'user' && s.length === 2) {
    const id = decode(s[1]);
    if (!id.startsWith('org.couchdb.user:') || id.length === 'org.couchdb.user:'.length) return null;
    const user = id.slice('org.couchdb.user:'.length);
    return m === 'GET' ? { repo, op: 'userGet', user } : m === 'PUT' ? { repo, op: 'userLogin', user } : null;
  }
  if (s[0] === 'package') {
    const n = nameAt(s, 1);
    if (!n || s[1 + n.used] !== 'dist-tags') return null;
    const tail = s.slice(2 + n.used);
    if (tail.length === 0 && m === 'GET') return { repo, op: 'distTagsList', name: n.name };
    if (tail.length === 1 && (m === 'PUT' || m === 'POST')) return { repo, op: 'distTagSet', name: n.name, tag: decode(tail[0]) };
    if (tail.length === 1 && m === 'DELETE') return { repo, op: 'distTagRemove', name: n.name, tag: decode(tail[0]) };
  }
  return null;
}

function packageRoute(m: string, repo: string, s: string[]): NpmRoute | null {
  const dash = s.indexOf('-');
  if (dash > 0) {
    // <name>/-/<file> (GET), or <name>/-/<file>/-rev/<rev> (DELETE). npm's unpublish builds the
    // latter from the tarball URL's path, so it repeats the registry's `npm/<repo>/` prefix.
    const file = s[dash + 1] === undefined ? '' : decode(s[dash + 1]);
    const tail = s.slice(dash + 2);
    const prefix = s[0] === 'npm' && decode(s[1] ?? '') === repo && dash > 2 ? 2 : 0;
    const n = nameAt(s, prefix);
    if (!file.endsWith('.tgz') || !n || prefix + n.used !== dash) return null;
    if (m === 'GET' && tail.length === 0 && prefix === 0) return { repo, op: 'tarball', name: n.name, file };
    if (m === 'DELETE' && tail.length === 2 && tail[0] === '-rev') return { repo, op: 'tarballDelete', name: n.name, file };
    return null;
  }
  const n = nameAt(s, 0);
  if (!n) return null;
  const tail = s.slice(n.used);
  if (tail.length === 0) {
    if (m === 'GET') return { repo, op: 'packument', name: n.name };
    if (m === 'PUT') return { repo, op: 'publishOrUpdate', name: n.name };
    return null;
  }
  if (tail.length === 2 && tail[0] === '-rev') {
    const rev = decode(tail[1]);
    if (m === 'PUT') return { repo, op: 'updateRev', name: n.name, rev };
    if (m === 'DELETE') return { repo, op: 'unpublishAll', name: n.name, rev };
    return null;
  }
  if (tail.length === 1 && m === 'GET') return { repo, op: 'versionManifest', name: n.name, spec: decode(tail[0]) };
  return null;
}
