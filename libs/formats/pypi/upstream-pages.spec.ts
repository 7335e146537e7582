import { parseIndexPage, parseProjectHtml, parseProjectJson, parseProjectPage } from './upstream-pages.js';

const SHA = 'a'.repeat(64);
const META = 'b'.repeat(64);
const PAGE = 'https://index.example/simple/bars-hello/';

describe('reading an upstream project page', () => {
  it('PEP 503 HTML: relative links resolved, the hash fragment, requires-python with entities decoded, yanked with and without a reason, core metadata in both spellings', () => {
    const html = `<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.0"></head><body>
      <a href="../../packages/bars_hello-1.0.0-py3-none-any.whl#sha256=${SHA.toUpperCase()}" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=${META}">bars_hello-1.0.0-py3-none-any.whl</a><br/>
      <A HREF='https://files.example/bars-hello-1.0.0.tar.gz#md5=0123456789abcdef0123456789abcdef' data-yanked>bars-hello-1.0.0.tar.gz</A>
      <a href="bars-hello-0.9.tar.gz" data-yanked="broken &amp; slow" data-core-metadata="true">bars-hello-0.9.tar.gz</a>
      <a href="javascript:alert(1)">evil.whl</a>
      <a href="x/../../etc/passwd">../passwd</a>
    </body></html>`;
    const page = parseProjectHtml(html, PAGE, 'bars-hello');
    expect(page.files).toEqual([
      {
        filename: 'bars_hello-1.0.0-py3-none-any.whl',
        url: 'https://index.example/packages/bars_hello-1.0.0-py3-none-any.whl',
        hashes: { sha256: SHA },
        requiresPython: '>=3.8',
        coreMetadata: { sha256: META },
        yanked: false,
      },
      { filename: 'bars-hello-1.0.0.tar.gz', url: 'https://files.example/bars-hello-1.0.0.tar.gz', hashes: { md5: '0123456789abcdef0123456789abcdef' }, yanked: true },
      { filename: 'bars-hello-0.9.tar.gz', url: `${PAGE}bars-hello-0.9.tar.gz`, hashes: {}, coreMetadata: {}, yanked: 'broken & slow' },
    ]);
  });

  it('PEP 503 HTML: <base href> sets where relative links point; the anchor text is the file name, else the URL names it', () => {
    const page = parseProjectHtml('<base href="https://cdn.example/p/"><a href="a-1.0.tar.gz"></a>', PAGE, 'a');
    expect(page.files).toEqual([{ filename: 'a-1.0.tar.gz', url: 'https://cdn.example/p/a-1.0.tar.gz', hashes: {}, yanked: false }]);
  });

  it('PEP 691 JSON with PEP 700 fields; entries without a name or URL, or with an unsafe name, are dropped', () => {
    const json = JSON.stringify({
      meta: { 'api-version': '1.1' },
      name: 'bars-hello',
      versions: ['1.0.0'],
      files: [
        { filename: 'bars_hello-1.0.0-py3-none-any.whl', url: '../../files/bars-hello/bars_hello-1.0.0-py3-none-any.whl', hashes: { sha256: SHA }, 'requires-python': '>=3.8', 'core-metadata': { sha256: META }, size: 1234, 'upload-time': '2024-01-02T03:04:05.000000Z' },
        { filename: 'bars-hello-1.0.0.tar.gz', url: 'https://files.example/bars-hello-1.0.0.tar.gz', hashes: {}, 'dist-info-metadata': true, yanked: 'bad build' },
        { filename: '../escape.whl', url: 'https://files.example/escape.whl', hashes: {} },
        { url: 'https://files.example/nameless.whl', hashes: {} },
      ],
    });
    const page = parseProjectJson(json, 'https://strata.example/pypi/up/simple/bars-hello/', 'bars-hello');
    expect(page.versions).toEqual(['1.0.0']);
    expect(page.files).toEqual([
      {
        filename: 'bars_hello-1.0.0-py3-none-any.whl',
        url: 'https://strata.example/pypi/up/files/bars-hello/bars_hello-1.0.0-py3-none-any.whl',
        hashes: { sha256: SHA },
        requiresPython: '>=3.8',
        coreMetadata: { sha256: META },
        yanked: false,
        size: 1234,
        uploadTime: '2024-01-02T03:04:05.000000Z',
      },
      { filename: 'bars-hello-1.0.0.tar.gz', url: 'https://files.example/bars-hello-1.0.0.tar.gz', hashes: {}, coreMetadata: {}, yanked: 'bad build' },
    ]);
  });

  it('picks the representation from the Content-Type (or the body), and refuses JSON that is not', () => {
    const html = Buffer.from('<a href="a-1.0.tar.gz#sha256=' + SHA + '">a-1.0.tar.gz</a>');
    expect(parseProjectPage(html, 'text/html; charset=utf-8', PAGE, 'a').files[0].hashes).toEqual({ sha256: SHA });
    const json = Buffer.from(JSON.stringify({ meta: { 'api-version': '1.0' }, name: 'a', files: [{ filename: 'a-1.0.tar.gz', url: 'a-1.0.tar.gz', hashes: { sha256: SHA } }] }));
    expect(parseProjectPage(json, 'application/vnd.pypi.simple.v1+json', PAGE, 'a').files[0].url).toBe(`${PAGE}a-1.0.tar.gz`);
    expect(parseProjectPage(json, undefined, PAGE, 'a').files).toHaveLength(1);
    expect(() => parseProjectPage(Buffer.from('{not json'), 'application/vnd.pypi.simple.v1+json', PAGE, 'a')).toThrow(/not valid JSON/);
  });

  it('reads the root page in both representations: normalised names, each once, sorted', () => {
    expect(parseIndexPage(Buffer.from('<a href="/simple/Bars_Hello/">Bars_Hello</a><a href="zed/">zed</a><a href="bars-hello/">bars-hello</a><a href="x">not a name!</a>'), 'text/html')).toEqual([
      { name: 'bars-hello', displayName: 'Bars_Hello' },
      { name: 'zed', displayName: 'zed' },
    ]);
    expect(parseIndexPage(Buffer.from(JSON.stringify({ meta: { 'api-version': '1.0' }, projects: [{ name: 'Zed' }, { name: 'abc' }, {}] })), 'application/vnd.pypi.simple.v1+json')).toEqual([
      { name: 'abc', displayName: 'abc' },
      { name: 'zed', displayName: 'Zed' },
    ]);
  });
});
