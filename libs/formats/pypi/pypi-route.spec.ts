import { parsePypiRoute } from './pypi-route.js';

describe('PyPI routes', () => {
  it.each([
    ['POST', 'py/', { op: 'upload', repo: 'py' }],
    ['POST', 'py', { op: 'upload', repo: 'py' }],
    ['POST', 'py/legacy/', { op: 'upload', repo: 'py' }],
    ['GET', 'py/simple/', { op: 'index', repo: 'py' }],
    ['GET', 'py/simple', { op: 'redirect', repo: 'py', location: 'py/simple/' }],
    ['GET', 'py/simple/bars-hello/', { op: 'project', repo: 'py', project: 'bars-hello' }],
    ['HEAD', 'py/simple/bars-hello/', { op: 'project', repo: 'py', project: 'bars-hello' }],
    ['GET', 'py/simple/Bars_Hello/', { op: 'redirect', repo: 'py', location: 'py/simple/bars-hello/' }],
    ['GET', 'py/simple/bars-hello', { op: 'redirect', repo: 'py', location: 'py/simple/bars-hello/' }],
    ['GET', 'py/simple/Bars%5FHello/', { op: 'redirect', repo: 'py', location: 'py/simple/bars-hello/' }],
    ['GET', 'py/files/bars-hello/bars_hello-1.0-py3-none-any.whl', { op: 'download', repo: 'py', project: 'bars-hello', file: 'bars_hello-1.0-py3-none-any.whl' }],
    ['GET', 'py/files/bars-hello/bars_hello-1.0-py3-none-any.whl.metadata', { op: 'download', file: 'bars_hello-1.0-py3-none-any.whl.metadata' }],
    ['GET', 'py/files/bars-hello/x%2B1.whl', { op: 'download', file: 'x+1.whl' }],
    ['POST', 'py/Bars_Hello/1.0/yank', { op: 'yank', repo: 'py', project: 'bars-hello', version: '1.0', yanked: true }],
    ['DELETE', 'py/bars-hello/1.0/yank', { op: 'yank', yanked: false }],
    ['DELETE', 'py/bars-hello/1.0/', { op: 'deleteRelease', repo: 'py', project: 'bars-hello', version: '1.0' }],
    ['GET', 'py/pypi/bars-hello/json', { op: 'jsonApi', repo: 'py', project: 'bars-hello' }],
    ['GET', 'py/pypi/bars-hello/1.0/json', { op: 'jsonApi', repo: 'py', project: 'bars-hello', version: '1.0' }],
    ['GET', 'py/pypi/Bars_Hello/json', { op: 'redirect', repo: 'py', location: 'py/pypi/bars-hello/json' }],
    ['GET', 'py/pypi/Bars_Hello/1.0/json', { op: 'redirect', repo: 'py', location: 'py/pypi/bars-hello/1.0/json' }],
  ])('%s %s', (method, path, expected) => {
    expect(parsePypiRoute(method, path)).toMatchObject(expected);
  });

  it.each([
    ['GET', 'py/'],
    ['GET', 'py/simple/a/b/'],
    ['PUT', 'py/'],
    ['GET', 'py/files/bars-hello/'],
    ['GET', 'py//simple/'],
    ['POST', 'py/other/'],
    ['GET', 'py/pypi/bars-hello/json/'],
    ['GET', 'py/pypi/bars-hello/1.0/2/json'],
    ['POST', 'py/pypi/bars-hello/json'],
  ])('nothing at %s %s', (method, path) => {
    expect(parsePypiRoute(method, path)).toBeUndefined();
  });

  it('refuses traversal and encoded separators in segments', () => {
    for (const path of ['py/files/x/..', 'py/files/x/%2e%2e', 'py/files/x/a%2fb.whl', 'py/files/x/%00.whl', 'py/files/x/%zz']) {
      expect(() => parsePypiRoute('GET', path)).toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
    }
  });
});
