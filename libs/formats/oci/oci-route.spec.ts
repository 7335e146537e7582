import { parseOciRoute } from './oci-route.js';

describe('parseOciRoute', () => {
  it.each([
    ['', { op: 'base' }],
    ['token', { op: 'token' }],
    ['_catalog', { op: 'catalog' }],
    ['containers/app/manifests/1.0', { op: 'manifest', repo: 'containers', name: 'app', reference: '1.0' }],
    ['containers/team/app/manifests/sha256:ab', { op: 'manifest', repo: 'containers', name: 'team/app', reference: 'sha256:ab' }],
    ['c/a/b/blobs/sha256:00', { op: 'blob', repo: 'c', name: 'a/b', digest: 'sha256:00' }],
    ['c/blobs/x/blobs/uploads/', { op: 'uploads', repo: 'c', name: 'blobs/x' }],
    ['c/a/blobs/uploads/1234', { op: 'upload', repo: 'c', name: 'a', id: '1234' }],
    ['c/a/tags/list', { op: 'tags', repo: 'c', name: 'a' }],
    ['c/manifests/a/referrers/sha256:00', { op: 'referrers', repo: 'c', name: 'manifests/a', digest: 'sha256:00' }],
  ])('%s', (path, route) => {
    expect(parseOciRoute(path)).toEqual(route);
  });

  it.each(['c/manifests/1.0', 'c/a/../b/manifests/1', 'c/a%2fb/manifests/1', 'c//a/tags/list', 'c/a/nothing'])('refuses %s', (path) => {
    expect(parseOciRoute(path)).toBeUndefined();
  });
});
