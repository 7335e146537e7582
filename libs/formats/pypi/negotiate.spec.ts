import { negotiate } from './negotiate.js';

describe('simple API content negotiation (PEP 691)', () => {
  it.each([
    ['pip 23', 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01', 'application/vnd.pypi.simple.v1+json'],
    ['uv', 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01', 'application/vnd.pypi.simple.v1+json'],
    ['an old pip', 'text/html', 'text/html'],
    ['a browser', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'text/html'],
    ['curl', '*/*', 'text/html'],
    ['nothing', undefined, 'text/html'],
    ['the latest JSON alias', 'application/vnd.pypi.simple.latest+json', 'application/vnd.pypi.simple.v1+json'],
    ['the latest HTML alias', 'application/vnd.pypi.simple.latest+html', 'application/vnd.pypi.simple.v1+html'],
    ['HTML preferred by quality', 'application/vnd.pypi.simple.v1+json;q=0.5, application/vnd.pypi.simple.v1+html', 'application/vnd.pypi.simple.v1+html'],
    ['JSON refused with q=0', 'application/vnd.pypi.simple.v1+json;q=0, */*', 'text/html'],
    ['an unknown type', 'application/xml', 'text/html'],
    ['application/*', 'application/*', 'application/vnd.pypi.simple.v1+html'],
  ])('%s gets %s', (_who, accept, type) => {
    expect(negotiate(accept).contentType).toBe(type);
  });

  it('takes ?format= over Accept', () => {
    expect(negotiate('text/html', 'application/vnd.pypi.simple.v1+json')).toEqual({ kind: 'json', contentType: 'application/vnd.pypi.simple.v1+json' });
  });
});
