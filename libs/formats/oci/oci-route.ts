/**
 * Names the operation of a request under `/v2/`, as distribution routes: the image name may have
 * several segments, so the route is found from the end (`/blobs/...`, `/manifests/...`,
 * `/tags/list`, `/referrers/...`). The first segment of the name is the Strata repository.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#endpoints
 */
export type OciRoute =
  | { op: 'base' }
  | { op: 'token' }
  | { op: 'catalog' }
  | { op: 'blob'; repo: string; name: string; digest: string }
  | { op: 'uploads'; repo: string; name: string }
  | { op: 'upload'; repo: string; name: string; id: string }
  | { op: 'manifest'; repo: string; name: string; reference: string }
  | { op: 'tags'; repo: string; name: string }
  | { op: 'referrers'; repo: string; name: string; digest: string };

const TAIL = /^(.+?)\/(blobs\/uploads\/?|blobs\/uploads\/([^/]+)|blobs\/([^/]+)|manifests\/([^/]+)|tags\/list|referrers\/([^/]+))$/;

export function parseOciRoute(rawPath: string): OciRoute | undefined {
  if (rawPath === '' || rawPath === '/') return { op: 'base' };
  if (rawPath === 'token') return { op: 'token' };
  if (rawPath === '_catalog') return { op: 'catalog' };
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  // an encoded slash or dot-segment would let a name mean two things
  if (/%2f/i.test(rawPath) || path.replace(/\/$/, '').split('/').some((s) => s === '.' || s === '..' || s === '')) return undefined;
  const m = TAIL.exec(path);
  if (!m) return undefined;
  const full = m[1];
  const slash = full.indexOf('/');
  if (slash <= 0) return undefined;
  const repo = full.slice(0, slash);
  const name = full.slice(slash + 1);
  const tail = m[2];
  if (tail.startsWith('blobs/uploads')) return m[3] ? { op: 'upload', repo, name, id: m[3] } : { op: 'uploads', repo, name };
  if (m[4]) return { op: 'blob', repo, name, digest: m[4] };
  if (m[5]) return { op: 'manifest', repo, name, reference: m[5] };
  if (m[6]) return { op: 'referrers', repo, name, digest: m[6] };
  return { op: 'tags', repo, name };
}
