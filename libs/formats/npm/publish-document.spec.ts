import { gzipSync } from 'node:zlib';
import { integrityOf, packageTarball, publishDocument, tarOf } from '../../../test/support/npm-fixtures.js';
import { assertTarballMatches, MAX_README, parsePublishDocument } from './publish-document.js';
import { inspectTarball } from './tarball.js';

describe('publish documents and tarballs', () => {
  it('finds the version by its attachment, decodes and hashes the tarball, keeps the manifest without readme and dist', async () => {
    const tgz = await packageTarball('@acme/lib', '1.2.3');
    const intent = parsePublishDocument(publishDocument('@acme/lib', '1.2.3', tgz, { tag: 'next' }), '@acme/lib');
    expect(intent).toMatchObject({ version: '1.2.3', readme: '# @acme/lib\n', integrity: integrityOf(tgz), tags: ['next'] });
    expect(intent.tarball.equals(tgz)).toBe(true);
    expect(intent.manifest).not.toHaveProperty('readme');
    expect(intent.manifest).not.toHaveProperty('dist');
    expect(intent.manifest).toMatchObject({ name: '@acme/lib', version: '1.2.3', main: 'index.js' });
  });

  it('accepts the attachment under the scoped name npm uses, and truncates long readmes', async () => {
    const tgz = await packageTarball('@acme/lib', '1.0.0');
    const doc = publishDocument('@acme/lib', '1.0.0', tgz, { manifest: { readme: 'x'.repeat(MAX_README + 10) } });
    expect(Object.keys(doc._attachments)).toEqual(['@acme/lib-1.0.0.tgz']);
    expect(parsePublishDocument(doc, '@acme/lib').readme).toHaveLength(MAX_README);
  });

  it('reads what npm needs from the tarball', async () => {
    const facts = await inspectTarball(await packageTarball('x', '1.0.0', {}, { 'package/npm-shrinkwrap.json': '{}', 'package/lib/a.js': 'abc' }));
    expect(facts).toMatchObject({ packageJson: { name: 'x', version: '1.0.0' }, fileCount: 4, hasShrinkwrap: true });
    expect(facts.unpackedSize).toBeGreaterThan(0);
    expect(() => assertTarballMatches(facts.packageJson, 'x', '1.0.1')).toThrow(/x@1\.0\.0, not x@1\.0\.1/);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['not gzip', Buffer.from('hello world')],
    ['truncated gzip', gzipSync(Buffer.alloc(4096, 1)).subarray(0, 20)],
  ])('refuses a tarball that is %s', async (_what, bytes) => {
    await expect(inspectTarball(bytes)).rejects.toMatchObject({ code: 'INVALID_PACKAGE' });
  });

  it('refuses package.json that is not a JSON object', async () => {
    await expect(inspectTarball(gzipSync(await tarOf({ 'package/package.json': '[1]' })))).rejects.toThrow(/not an object/);
    await expect(inspectTarball(gzipSync(await tarOf({ 'package/package.json': '{' })))).rejects.toThrow(/not JSON/);
  });
});
