import { parseCoreMetadata } from './core-metadata.js';

const parse = (text: string) => parseCoreMetadata(Buffer.from(text), 'METADATA');

describe('core metadata (email-header format)', () => {
  it('reads single and multiple-use fields, continuation lines and the description body', () => {
    const m = parse(
      [
        'Metadata-Version: 2.1',
        'Name: Bars_Hello',
        'Version: 1.0.0',
        'Summary: A test',
        'Requires-Python: >=3.8',
        'Classifier: Programming Language :: Python :: 3',
        'Classifier: License :: OSI Approved :: MIT License',
        'Requires-Dist: requests (>=2.0)',
        'License: line one',
        '        line two',
        'Description-Content-Type: text/markdown',
        '',
        '# Bars Hello',
        '',
        'Body text.',
      ].join('\r\n'),
    );
    expect(m).toMatchObject({ metadataVersion: '2.1', name: 'Bars_Hello', version: '1.0.0', summary: 'A test', requiresPython: '>=3.8' });
    expect(m.fields.get('classifier')).toEqual(['Programming Language :: Python :: 3', 'License :: OSI Approved :: MIT License']);
    expect(m.fields.get('license')).toEqual(['line one\n        line two']);
    expect(m.description).toBe('# Bars Hello\n\nBody text.');
  });

  it('takes the 1.x Description header when there is no body', () => {
    expect(parse('Metadata-Version: 1.1\nName: x\nVersion: 1\nDescription: short\n').description).toBe('short');
  });

  it.each([
    ['no Metadata-Version', 'Name: x\nVersion: 1.0\n'],
    ['no Name', 'Metadata-Version: 2.1\nVersion: 1.0\n'],
    ['no Version', 'Metadata-Version: 2.1\nName: x\n'],
    ['a future Metadata-Version', 'Metadata-Version: 3.0\nName: x\nVersion: 1.0\n'],
    ['an invalid name', 'Metadata-Version: 2.1\nName: -x-\nVersion: 1.0\n'],
    ['an invalid version', 'Metadata-Version: 2.1\nName: x\nVersion: one\n'],
    ['an invalid Requires-Python', 'Metadata-Version: 2.1\nName: x\nVersion: 1.0\nRequires-Python: python three\n'],
    ['two Names', 'Metadata-Version: 2.1\nName: x\nName: y\nVersion: 1.0\n'],
    ['a line that is no header', 'Metadata-Version: 2.1\nName: x\nthis is not a header\nVersion: 1.0\n'],
    ['a leading continuation line', ' Metadata-Version: 2.1\nName: x\nVersion: 1.0\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parse(text)).toThrow(expect.objectContaining({ code: expect.stringMatching(/INVALID_PACKAGE|INVALID_NAME/) }));
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => parseCoreMetadata(Buffer.from([0x4e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe]), 'PKG-INFO')).toThrow(/not UTF-8/);
  });
});
