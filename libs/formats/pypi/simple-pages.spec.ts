import type { StoredFile } from '../../domain/index.js';
import { renderIndex, renderProjectHtml, renderProjectJson } from './simple-pages.js';
import { downloadsOf, emptyProject, withFiles, withoutVersion, withYank, type PypiFileMetadata } from './pypi-state.js';

const stored = (path: string, digest: string, size = 10): StoredFile => ({ path, digest: `sha256:${digest}`, size, mediaType: 'application/octet-stream' });
const meta = (filetype: PypiFileMetadata['filetype'], extra: Partial<PypiFileMetadata> = {}): PypiFileMetadata => ({
  filetype, pythonVersion: filetype === 'sdist' ? 'source' : 'py3', metadataVersion: '2.1', name: 'Bars_Hello', version: '1.0', blake2_256: 'b'.repeat(64), ...extra,
});
const AT = '2026-01-02T03:04:05.678Z';

function project() {
  let s = emptyProject('bars-hello');
  s = withFiles(s, '1.0', [stored('bars-hello-1.0.tar.gz', 'a'.repeat(64))], { files: { 'bars-hello-1.0.tar.gz': meta('sdist', { requiresPython: '>=3.8' }) } }, AT, true);
  s = withFiles(
    s,
    '1.0',
    [stored('bars_hello-1.0-py3-none-any.whl', 'c'.repeat(64), 20), stored('bars_hello-1.0-py3-none-any.whl.metadata', 'd'.repeat(64), 5)],
    { files: { 'bars_hello-1.0-py3-none-any.whl': meta('bdist_wheel', { requiresPython: '>=3.8', coreMetadata: { path: 'bars_hello-1.0-py3-none-any.whl.metadata', sha256: 'd'.repeat(64) } }) } },
    AT,
    false,
  );
  s = withFiles(s, '0.9', [stored('bars-hello-0.9.tar.gz', 'e'.repeat(64))], { files: { 'bars-hello-0.9.tar.gz': meta('sdist', { name: 'bars-hello', version: '0.9' }) } }, AT, true);
  return s;
}

describe('simple pages (rendered from a project state)', () => {
  it('keeps the first upload\'s name, lists versions in PEP 440 order and files by version', () => {
    const s = project();
    expect(s.displayName).toBe('Bars_Hello');
    const json = JSON.parse(renderProjectJson(s).body);
    expect(json.versions).toEqual(['0.9', '1.0']);
    expect(json.files.map((f: { filename: string }) => f.filename)).toEqual(['bars-hello-0.9.tar.gz', 'bars-hello-1.0.tar.gz', 'bars_hello-1.0-py3-none-any.whl']);
    expect(json.files[2]).toEqual({
      filename: 'bars_hello-1.0-py3-none-any.whl',
      url: '../../files/bars-hello/bars_hello-1.0-py3-none-any.whl',
      hashes: { sha256: 'c'.repeat(64) },
      'requires-python': '>=3.8',
      'core-metadata': { sha256: 'd'.repeat(64) },
      'dist-info-metadata': { sha256: 'd'.repeat(64) },
      size: 20,
      'upload-time': '2026-01-02T03:04:05.678000Z',
    });
  });

  it('escapes attribute values and shows yanks with their reasons, in both forms', () => {
    const s = withYank(project(), '1.0', true, 'use "2.0" <now>');
    const html = renderProjectHtml(s).body;
    expect(html).toContain('<a href="../../files/bars-hello/bars-hello-1.0.tar.gz#sha256=' + 'a'.repeat(64) + '" data-requires-python="&gt;=3.8" data-yanked="use &quot;2.0&quot; &lt;now&gt;">bars-hello-1.0.tar.gz</a><br />');
    expect(html).toContain('<a href="../../files/bars-hello/bars-hello-0.9.tar.gz#sha256=' + 'e'.repeat(64) + '">bars-hello-0.9.tar.gz</a>');
    const json = JSON.parse(renderProjectJson(s).body);
    expect(json.files.map((f: { yanked?: unknown }) => f.yanked)).toEqual([undefined, 'use "2.0" <now>', 'use "2.0" <now>']);
    const bare = withYank(project(), '1.0', true, undefined);
    expect(renderProjectHtml(bare).body).toContain('data-yanked=""');
    expect(JSON.parse(renderProjectJson(bare).body).files[1].yanked).toBe(true);
    expect(renderProjectHtml(withYank(s, '1.0', false, undefined)).body).not.toContain('data-yanked');
  });

  it('drops a deleted version with its files and downloads; changes the ETag with the content', () => {
    const before = project();
    const after = withoutVersion(before, '1.0');
    expect(Object.keys(downloadsOf(before))).toEqual(['bars-hello-1.0.tar.gz', 'bars_hello-1.0-py3-none-any.whl', 'bars_hello-1.0-py3-none-any.whl.metadata', 'bars-hello-0.9.tar.gz']);
    expect(Object.keys(downloadsOf(after))).toEqual(['bars-hello-0.9.tar.gz']);
    expect(renderProjectJson(after).etag).not.toBe(renderProjectJson(before).etag);
    expect(renderProjectJson(before).etag).toBe(renderProjectJson(project()).etag);
  });

  it('renders the project list', () => {
    const projects = [{ name: 'bars-hello', displayName: 'Bars_Hello' }, { name: 'x-y', displayName: 'x<y' }];
    expect(JSON.parse(renderIndex(projects, 'json').body)).toEqual({ meta: { 'api-version': '1.1' }, projects: [{ name: 'Bars_Hello' }, { name: 'x<y' }] });
    expect(renderIndex(projects, 'html').body).toContain('<a href="x-y/">x&lt;y</a><br />');
  });
});
