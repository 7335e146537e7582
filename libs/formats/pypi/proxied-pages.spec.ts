import type { StoredFile } from '../../domain/index.js';
import { mergePages, rewriteJsonApi, rewritePage, versionOfFilename } from './proxied-pages.js';
import { renderPageHtml, renderPageJson } from './simple-pages.js';
import type { SimpleFile, SimpleProject } from './upstream-pages.js';

const hex = (c: string) => c.repeat(64);
const file = (filename: string, extra: Partial<SimpleFile> = {}): SimpleFile => ({ filename, url: `https://files.example/${filename}`, hashes: { sha256: hex('a') }, yanked: false, ...extra });
const stored = (path: string, c: string, size: number): StoredFile => ({ path, digest: `sha256:${hex(c)}`, size, mediaType: 'application/octet-stream' });

describe('pages as remote and virtual repositories serve them', () => {
  it('names the version of wheels, sdists (.tar.gz and .zip) and nothing else', () => {
    expect(versionOfFilename('bars_hello-1.0.0-py3-none-any.whl', 'bars-hello')).toBe('1.0.0');
    expect(versionOfFilename('bars-hello-2.0rc1.tar.gz', 'bars-hello')).toBe('2.0rc1');
    expect(versionOfFilename('bars-hello-2.0.zip', 'bars-hello')).toBe('2.0');
    expect(versionOfFilename('bars-hello-1.0.exe', 'bars-hello')).toBeUndefined();
  });

  it('a remote page: URLs on Strata, recorded digests and sizes in place of the upstream\'s, versions from the file names', () => {
    const upstream: SimpleProject = {
      name: 'bars-hello',
      files: [file('bars_hello-1.0.0-py3-none-any.whl', { coreMetadata: { sha256: hex('c') }, requiresPython: '>=3.8' }), file('bars-hello-1.1.0.tar.gz', { hashes: { md5: '0'.repeat(32) } })],
    };
    const recorded = new Map([
      ['bars-hello/bars_hello-1.0.0-py3-none-any.whl', stored('bars-hello/bars_hello-1.0.0-py3-none-any.whl', 'd', 42)],
      ['bars-hello/bars_hello-1.0.0-py3-none-any.whl.metadata', stored('x', 'e', 7)],
    ]);
    const page = rewritePage(upstream, recorded);
    expect(page.versions).toEqual(['1.0.0', '1.1.0']);
    expect(page.files).toEqual([
      { filename: 'bars_hello-1.0.0-py3-none-any.whl', url: '../../files/bars-hello/bars_hello-1.0.0-py3-none-any.whl', hashes: { sha256: hex('d') }, size: 42, coreMetadata: { sha256: hex('e') }, requiresPython: '>=3.8', yanked: false },
      { filename: 'bars-hello-1.1.0.tar.gz', url: '../../files/bars-hello/bars-hello-1.1.0.tar.gz', hashes: { md5: '0'.repeat(32) }, yanked: false },
    ]);
    // one size unknown: the JSON page is API 1.0 (PEP 700 needs every size); HTML links carry the md5 when no sha256 is known
    expect(JSON.parse(renderPageJson(page).body).meta).toEqual({ 'api-version': '1.0' });
    expect(renderPageHtml(page).body).toContain(`bars-hello-1.1.0.tar.gz#md5=${'0'.repeat(32)}"`);
    expect(renderPageHtml(page).body).toContain(`data-core-metadata="sha256=${hex('e')}"`);
  });

  it('merges members in order: each file name once, from the first member listing it; versions of all', () => {
    const hosted: SimpleProject = { name: 'p', versions: ['1.0'], files: [file('p-1.0.tar.gz', { hashes: { sha256: hex('1') }, size: 1 })] };
    const remote: SimpleProject = { name: 'p', files: [file('p-1.0.tar.gz', { hashes: { sha256: hex('2') }, size: 2 }), file('p-2.0.tar.gz', { size: 3, yanked: 'oops' })] };
    const merged = mergePages('p', [hosted, remote]);
    expect(merged.versions).toEqual(['1.0', '2.0']);
    expect(merged.files.map((f) => [f.filename, f.hashes.sha256, f.url, f.yanked])).toEqual([
      ['p-1.0.tar.gz', hex('1'), '../../files/p/p-1.0.tar.gz', false],
      ['p-2.0.tar.gz', hex('a'), '../../files/p/p-2.0.tar.gz', 'oops'],
    ]);
    expect(JSON.parse(renderPageJson(merged).body)).toMatchObject({ meta: { 'api-version': '1.1' }, versions: ['1.0', '2.0'] });
    // a member whose files do not all name a version: no versions list, API 1.0
    expect(mergePages('p', [hosted, { name: 'p', files: [file('p-setup.exe', { size: 1 })] }]).versions).toBeUndefined();
  });

  it('rewrites a JSON API document onto the repository serving it', () => {
    const doc = { info: { name: 'P', version: '1.0', package_url: 'https://pypi.example/project/p/' }, urls: [{ filename: 'p-1.0.tar.gz', url: 'https://files.example/x/p-1.0.tar.gz' }], releases: { '1.0': [{ filename: 'p-1.0.tar.gz', url: 'https://files.example/x/p-1.0.tar.gz' }] } };
    const out = JSON.parse(rewriteJsonApi(JSON.stringify(doc), 'http://strata/pypi/up', 'p')!);
    expect(out.urls[0].url).toBe('http://strata/pypi/up/files/p/p-1.0.tar.gz');
    expect(out.releases['1.0'][0].url).toBe('http://strata/pypi/up/files/p/p-1.0.tar.gz');
    expect(out.info).toMatchObject({ package_url: 'http://strata/pypi/up/simple/p/', release_url: 'http://strata/pypi/up/pypi/p/1.0/json' });
    expect(rewriteJsonApi('<html>', 'http://strata/pypi/up', 'p')).toBeNull();
    expect(rewriteJsonApi('[]', 'http://strata/pypi/up', 'p')).toBeNull();
  });
});
