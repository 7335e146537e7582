import { gzipSync } from 'node:zlib';
import { integrityOf, packageTarball, provenanceBundle, publishDocument, tarOf, withProvenance } from '../../../test/support/npm-fixtures.js';
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

describe('provenance bundles (npm publish --provenance)', () => {
  const name = '@acme/lib';
  const intentWith = async (change: (bundle: Record<string, any>) => unknown = (b) => b, attachment?: (doc: Record<string, any>) => void) => {
    const tgz = await packageTarball(name, '1.0.0');
    const doc = withProvenance(publishDocument(name, '1.0.0', tgz), name, '1.0.0', change(provenanceBundle(name, '1.0.0', tgz)));
    attachment?.(doc);
    return () => parsePublishDocument(doc, name);
  };

  it('keeps the bundle as sent, with its media type and the statement\'s predicate type', async () => {
    const intent = (await intentWith())();
    expect(intent.provenance).toMatchObject({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', predicateType: 'https://slsa.dev/provenance/v1' });
    expect(JSON.parse(intent.provenance!.bytes.toString('utf8')).dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
  });

  it.each<[string, (b: Record<string, any>) => unknown]>([
    ['not an object', () => 'just text'],
    ['no mediaType', ({ mediaType: _m, ...b }) => b],
    ['a mediaType that is no sigstore bundle', (b) => ({ ...b, mediaType: 'application/json' })],
    ['no DSSE envelope', ({ dsseEnvelope: _d, ...b }) => b],
    ['an unsigned envelope', (b) => ({ ...b, dsseEnvelope: { ...b.dsseEnvelope, signatures: [] } })],
    ['a payload that is not JSON', (b) => ({ ...b, dsseEnvelope: { ...b.dsseEnvelope, payload: Buffer.from('nope').toString('base64') } })],
    ['a statement without predicateType', (b) => {
      const statement = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
      delete statement.predicateType;
      return { ...b, dsseEnvelope: { ...b.dsseEnvelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') } };
    }],
    ['a subject naming another package', (b) => {
      const statement = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
      statement.subject[0].name = 'pkg:npm/%40acme/other@1.0.0';
      return { ...b, dsseEnvelope: { ...b.dsseEnvelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') } };
    }],
    ['a subject digest that is not the tarball\'s', (b) => {
      const statement = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
      statement.subject[0].digest.sha512 = '0'.repeat(128);
      return { ...b, dsseEnvelope: { ...b.dsseEnvelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') } };
    }],
  ])('refuses a bundle with %s', async (_what, change) => {
    expect(await intentWith(change)).toThrow(expect.objectContaining({ code: 'INVALID_PACKAGE' }));
  });

  it('refuses bundle attachments that are not JSON, misnamed, or doubled', async () => {
    expect(await intentWith(undefined, (doc) => (doc._attachments[`${name}-1.0.0.sigstore`].data = '{not json'))).toThrow(/not JSON/);
    expect(await intentWith(undefined, (doc) => {
      doc._attachments[`${name}-2.0.0.sigstore`] = doc._attachments[`${name}-1.0.0.sigstore`];
      delete doc._attachments[`${name}-1.0.0.sigstore`];
    })).toThrow(/not the provenance bundle of @acme\/lib@1\.0\.0/);
    expect(await intentWith(undefined, (doc) => (doc._attachments['extra.sigstore'] = doc._attachments[`${name}-1.0.0.sigstore`]))).toThrow(/at most one .sigstore/);
  });
});
