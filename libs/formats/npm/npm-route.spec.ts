import { parseNpmRoute, type NpmRoute } from './npm-route.js';

describe('parseNpmRoute: every path the npm CLI uses, scoped names encoded and raw', () => {
  const cases: [string, string, NpmRoute | null][] = [
    ['GET', 'r/left-pad', { repo: 'r', op: 'packument', name: 'left-pad' }],
    ['HEAD', 'r/left-pad', { repo: 'r', op: 'packument', name: 'left-pad' }],
    ['GET', 'r/@scope%2fpkg', { repo: 'r', op: 'packument', name: '@scope/pkg' }],
    ['GET', 'r/@scope%2Fpkg', { repo: 'r', op: 'packument', name: '@scope/pkg' }],
    ['GET', 'r/@scope/pkg', { repo: 'r', op: 'packument', name: '@scope/pkg' }],
    ['GET', 'r/@scope/pkg/1.0.0', { repo: 'r', op: 'versionManifest', name: '@scope/pkg', spec: '1.0.0' }],
    ['GET', 'r/left-pad/latest', { repo: 'r', op: 'versionManifest', name: 'left-pad', spec: 'latest' }],
    ['PUT', 'r/@scope%2fpkg', { repo: 'r', op: 'publishOrUpdate', name: '@scope/pkg' }],
    ['PUT', 'r/@scope%2fpkg/-rev/3-abc', { repo: 'r', op: 'updateRev', name: '@scope/pkg', rev: '3-abc' }],
    ['DELETE', 'r/left-pad/-rev/3-abc', { repo: 'r', op: 'unpublishAll', name: 'left-pad', rev: '3-abc' }],
    ['GET', 'r/@scope/pkg/-/pkg-1.0.0.tgz', { repo: 'r', op: 'tarball', name: '@scope/pkg', file: 'pkg-1.0.0.tgz' }],
    ['GET', 'r/@scope%2fpkg/-/pkg-1.0.0.tgz', { repo: 'r', op: 'tarball', name: '@scope/pkg', file: 'pkg-1.0.0.tgz' }],
    ['GET', 'r/left-pad/-/left-pad-1.0.0.tgz', { repo: 'r', op: 'tarball', name: 'left-pad', file: 'left-pad-1.0.0.tgz' }],
    ['DELETE', 'r/@scope/pkg/-/pkg-1.0.0.tgz/-rev/4-x', { repo: 'r', op: 'tarballDelete', name: '@scope/pkg', file: 'pkg-1.0.0.tgz' }],
    // older npm clients repeat the registry path from the tarball URL
    ['DELETE', 'r/npm/r/left-pad/-/left-pad-1.0.0.tgz/-rev/4-x', { repo: 'r', op: 'tarballDelete', name: 'left-pad', file: 'left-pad-1.0.0.tgz' }],
    ['GET', 'r/npm/r/left-pad/-/left-pad-1.0.0.tgz', null],
    ['GET', 'r/left-pad/-/left-pad-1.0.0.zip', null],
    ['GET', 'r/-/whoami', { repo: 'r', op: 'whoami' }],
    ['GET', 'r/-/ping', { repo: 'r', op: 'ping' }],
    ['GET', 'r/-/v1/search', { repo: 'r', op: 'search' }],
    ['POST', 'r/-/v1/login', { repo: 'r', op: 'webLogin' }],
    ['GET', 'r/-/npm/v1/attestations/@scope%2fpkg@1.0.0', { repo: 'r', op: 'attestations', name: '@scope/pkg', version: '1.0.0' }],
    ['GET', 'r/-/npm/v1/attestations/@scope/pkg@1.0.0-beta.1', { repo: 'r', op: 'attestations', name: '@scope/pkg', version: '1.0.0-beta.1' }],
    ['GET', 'r/-/npm/v1/attestations/left-pad@1.0.0', { repo: 'r', op: 'attestations', name: 'left-pad', version: '1.0.0' }],
    ['GET', 'r/-/npm/v1/attestations/left-pad', null],
    ['GET', 'r/-/npm/v1/attestations/@scope%2fpkg', null],
    ['GET', 'r/-/v1/login/cli/abc', { repo: 'r', op: 'webLoginForm', id: 'abc' }],
    ['GET', 'r/-/v1/login/cli/abc/sso', { repo: 'r', op: 'webLoginSsoReturn', id: 'abc' }],
    ['POST', 'r/-/v1/login/cli', { repo: 'r', op: 'webLoginSubmit' }],
    ['POST', 'r/-/v1/login/cli/sso', { repo: 'r', op: 'webLoginSsoComplete' }],
    ['GET', 'r/-/v1/done/abc', { repo: 'r', op: 'webLoginDone', id: 'abc' }],
    ['GET', 'r/-/v1/login', null],
    ['POST', 'r/-/v1/done/abc', null],
    ['GET', 'r/-/user/org.couchdb.user:alice', { repo: 'r', op: 'userGet', user: 'alice' }],
    ['PUT', 'r/-/user/org.couchdb.user:alice', { repo: 'r', op: 'userLogin', user: 'alice' }],
    ['PUT', 'r/-/user/org.couchdb.user%3Aalice', { repo: 'r', op: 'userLogin', user: 'alice' }],
    ['PUT', 'r/-/user/alice', null],
    ['GET', 'r/-/npm/v1/tokens', { repo: 'r', op: 'tokensList' }],
    ['POST', 'r/-/npm/v1/tokens', { repo: 'r', op: 'tokenCreate' }],
    ['DELETE', 'r/-/npm/v1/tokens/token/t_123', { repo: 'r', op: 'tokenRevoke', key: 't_123' }],
    ['POST', 'r/-/npm/v1/security/advisories/bulk', { repo: 'r', op: 'audit' }],
    ['POST', 'r/-/npm/v1/security/audits/quick', { repo: 'r', op: 'audit' }],
    ['GET', 'r/-/package/@scope%2fpkg/dist-tags', { repo: 'r', op: 'distTagsList', name: '@scope/pkg' }],
    ['GET', 'r/-/package/@scope/pkg/dist-tags', { repo: 'r', op: 'distTagsList', name: '@scope/pkg' }],
    ['PUT', 'r/-/package/left-pad/dist-tags/beta', { repo: 'r', op: 'distTagSet', name: 'left-pad', tag: 'beta' }],
    ['DELETE', 'r/-/package/left-pad/dist-tags/beta', { repo: 'r', op: 'distTagRemove', name: 'left-pad', tag: 'beta' }],
    ['DELETE', 'r/-/package/left-pad/dist-tags', null],
    ['POST', 'r/left-pad', null],
    ['GET', 'r/-/nothing', null],
    ['GET', 'r', null],
  ];

  it.each(cases)('%s %s', (method, path, expected) => {
    expect(parseNpmRoute(method, path)).toEqual(expected);
  });

  it('refuses malformed percent-encoding with 400', () => {
    expect(() => parseNpmRoute('GET', 'r/%zz')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});
