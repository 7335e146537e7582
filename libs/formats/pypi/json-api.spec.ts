import type { StoredFile } from '../../domain/index.js';
import { coreInfoOf, parseCoreMetadata } from './core-metadata.js';
import { baseOf, latestVersion, projectDocument, releaseDocument, withBase } from './json-api.js';
import { emptyProject, withFiles, withYank, type PypiFileMetadata, type PypiProjectState } from './pypi-state.js';

const AT = '2026-01-02T03:04:05.678Z';
const BASE = 'http://host/pypi/py';

const stored = (path: string, hex: string, size = 10): StoredFile => ({ path, digest: `sha256:${hex.repeat(64)}`, size, mediaType: 'application/octet-stream', md5: hex.repeat(32) });
const meta = (filetype: PypiFileMetadata['filetype'], version: string, extra: Partial<PypiFileMetadata> = {}): PypiFileMetadata => ({
  filetype, pythonVersion: filetype === 'sdist' ? 'source' : 'py3', metadataVersion: '2.1', name: 'Bars_Hello', version, blake2_256: 'b'.repeat(64), ...extra,
});

function add(s: PypiProjectState, version: string, filename: string, hex: string, m: PypiFileMetadata): PypiProjectState {
  return withFiles(s, version, [stored(filename, hex)], { files: { [filename]: m } }, AT, !s.versions[version]);
}

describe('PyPI JSON API documents (rendered from a project state)', () => {
  const info = coreInfoOf(
    parseCoreMetadata(
      Buffer.from(
        [
          'Metadata-Version: 2.1', 'Name: Bars_Hello', 'Version: 1.0', 'Summary: says hello', 'Author-email: someone@example.com',
          'Classifier: Programming Language :: Python :: 3', 'Requires-Dist: requests>=2', 'Requires-Dist: rich; extra == "fancy"',
          'Provides-Extra: fancy', 'Project-URL: Source, https://example.com/src', 'Project-URL: Docs, https://example.com/docs, v2',
          'License: MIT', 'Keywords: a,b', '', 'The long description.',
        ].join('\n'),
      ),
      'METADATA',
    ),
  );
  let s = emptyProject('bars-hello');
  s = add(s, '1.0', 'bars-hello-1.0.tar.gz', 'a', meta('sdist', '1.0', { summary: 'says hello', requiresPython: '>=3.8', info }));
  s = add(s, '1.0', 'bars_hello-1.0-py3-none-any.whl', 'c', meta('bdist_wheel', '1.0', { summary: 'other', requiresPython: '>=3.8' }));
  s = add(s, '0.9', 'bars-hello-0.9.tar.gz', 'e', meta('sdist', '0.9'));
  s = add(s, '2.0rc1', 'bars-hello-2.0rc1.tar.gz', 'f', meta('sdist', '2.0rc1'));

  it('keeps core metadata fields PyPI shows in info, bounded, without the description or personal data', () => {
    expect(info).toEqual({
      license: 'MIT',
      keywords: 'a,b',
      classifiers: ['Programming Language :: Python :: 3'],
      requires_dist: ['requests>=2', 'rich; extra == "fancy"'],
      provides_extra: ['fancy'],
      project_urls: { Source: 'https://example.com/src', Docs: 'https://example.com/docs, v2' },
    });
  });

  it('the latest version is the newest final release that is not yanked', () => {
    expect(latestVersion(s)).toBe('1.0');
    expect(latestVersion(withYank(s, '1.0', true, 'bad'))).toBe('0.9');
    expect(latestVersion(withYank(withYank(withYank(s, '1.0', true, undefined), '0.9', true, undefined), '2.0rc1', false, undefined))).toBe('2.0rc1');
  });

  it('/pypi/<project>/json: info of the latest release (from its first file), its urls, and every release', () => {
    const doc = JSON.parse(projectDocument({ state: s, position: 42, base: BASE })!);
    expect(doc.last_serial).toBe(42);
    expect(doc.vulnerabilities).toEqual([]);
    expect(Object.keys(doc.releases)).toEqual(['0.9', '1.0', '2.0rc1']);
    expect(doc.info).toMatchObject({
      name: 'Bars_Hello', version: '1.0', summary: 'says hello', requires_python: '>=3.8', requires_dist: ['requests>=2', 'rich; extra == "fancy"'],
      classifiers: ['Programming Language :: Python :: 3'], project_urls: { Source: 'https://example.com/src' }, license: 'MIT', yanked: false, yanked_reason: null,
      author_email: '', description: '', release_url: `${BASE}/pypi/bars-hello/1.0/json`, project_url: `${BASE}/simple/bars-hello/`,
    });
    expect(doc.urls.map((u: { filename: string }) => u.filename)).toEqual(['bars-hello-1.0.tar.gz', 'bars_hello-1.0-py3-none-any.whl']);
    expect(doc.urls[1]).toEqual({
      comment_text: '',
      digests: { blake2b_256: 'b'.repeat(64), md5: 'c'.repeat(32), sha256: 'c'.repeat(64) },
      downloads: -1,
      filename: 'bars_hello-1.0-py3-none-any.whl',
      has_sig: false,
      md5_digest: 'c'.repeat(32),
      packagetype: 'bdist_wheel',
      python_version: 'py3',
      requires_python: '>=3.8',
      size: 10,
      upload_time: '2026-01-02T03:04:05',
      upload_time_iso_8601: '2026-01-02T03:04:05.678000Z',
      url: `${BASE}/files/bars-hello/bars_hello-1.0-py3-none-any.whl`,
      yanked: false,
      yanked_reason: null,
    });
    // a release recorded without core metadata still has what the upload recorded
    expect(JSON.parse(releaseDocument({ state: s, position: 42, base: BASE }, '0.9')).info).toMatchObject({ name: 'Bars_Hello', version: '0.9', requires_dist: null, classifiers: [] });
  });

  it('/pypi/<project>/<version>/json: one release, with its yank reason on info and every file', () => {
    const doc = JSON.parse(releaseDocument({ state: withYank(s, '1.0', true, 'broken'), position: 43, base: BASE }, '1.0'));
    expect(doc).not.toHaveProperty('releases');
    expect(doc.info).toMatchObject({ version: '1.0', yanked: true, yanked_reason: 'broken' });
    expect(doc.urls.map((u: { yanked: boolean; yanked_reason: string }) => [u.yanked, u.yanked_reason])).toEqual([[true, 'broken'], [true, 'broken']]);
  });

  it('is stored with a base-URL mark that the request\'s base replaces, in every URL', () => {
    const stored = projectDocument({ state: s, position: 42, base: baseOf('py') })!;
    expect(stored).not.toContain('http://');
    expect(withBase(stored, 'http://host')).toBe(projectDocument({ state: s, position: 42, base: BASE }));
  });

  it('nothing for a project without live releases', () => {
    expect(projectDocument({ state: emptyProject('x'), position: 1, base: BASE })).toBeUndefined();
  });
});
