import { createHash } from 'node:crypto';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { blake2b } from 'hash-wasm';
import tar from 'tar-stream';

export interface ZipMember {
  name: string;
  data: Buffer | string;
  /** store uncompressed instead of deflating */
  stored?: boolean;
  /** lie about the uncompressed size in both headers (zip-bomb and truncation cases) */
  declaredSize?: number;
}

/**
 * A minimal zip writer for fixtures (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT),
 * so tests can make archives that well-behaved tools refuse to write: `..` names, lying sizes.
 */
export function zipOf(members: ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const data = Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data);
    const body = m.stored ? data : deflateRawSync(data);
    const name = Buffer.from(m.name);
    const size = m.declaredSize ?? data.length;
    const common = (b: Buffer, at: number) => {
      b.writeUInt16LE(20, at); // version needed
      b.writeUInt16LE(0x0800, at + 2); // UTF-8 names
      b.writeUInt16LE(m.stored ? 0 : 8, at + 4);
      b.writeUInt32LE(0, at + 6); // time + date
      b.writeUInt32LE(crc32(data) >>> 0, at + 10);
      b.writeUInt32LE(body.length, at + 14);
      b.writeUInt32LE(size, at + 18);
      b.writeUInt16LE(name.length, at + 22);
      b.writeUInt16LE(0, at + 24);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    common(local, 4);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    common(central, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Core metadata text (Metadata-Version 2.1 unless `fields` say otherwise), with a description body. */
export function coreMetadata(name: string, version: string, fields: Record<string, string | string[]> = {}, description = `# ${name}\n`): string {
  const all: Record<string, string | string[]> = { 'Metadata-Version': '2.1', Name: name, Version: version, Summary: `${name} for tests`, ...fields };
  const lines = Object.entries(all).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${x}`));
  return `${lines.join('\n')}\n\n${description}`;
}

/** `{name}-{version}-py3-none-any.whl` with a module, a .dist-info folder and `extra` members. */
export function wheelOf(name: string, version: string, options: { metadata?: string; distInfo?: string; extra?: ZipMember[] } = {}): { filename: string; bytes: Buffer } {
  const stem = `${name.replace(/[-_.]+/g, '_')}-${version}`;
  const distInfo = options.distInfo ?? `${stem}.dist-info`;
  const members: ZipMember[] = [
    { name: `${name.replace(/[-_.]+/g, '_')}/__init__.py`, data: `VERSION = ${JSON.stringify(version)}\n` },
    { name: `${distInfo}/METADATA`, data: options.metadata ?? coreMetadata(name, version, { 'Requires-Python': '>=3.8' }) },
    { name: `${distInfo}/WHEEL`, data: 'Wheel-Version: 1.0\nGenerator: strata-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
    ...(options.extra ?? []),
  ];
  return { filename: `${stem}-py3-none-any.whl`, bytes: zipOf(members) };
}

/** A gzip'd tar of `entries` (name -> content, or a header for links and other types). */
export async function tarGzOf(entries: Record<string, string | Buffer | { type: 'symlink' | 'link' | 'character-device'; linkname?: string }>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => pack.on('end', resolve).on('error', reject));
  for (const [name, value] of Object.entries(entries)) {
    if (typeof value === 'string' || Buffer.isBuffer(value)) pack.entry({ name }, value);
    else pack.entry({ name, type: value.type, linkname: value.linkname });
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** `{name}-{version}.tar.gz` with `{name}-{version}/PKG-INFO` (or what `entries` replace). */
export async function sdistOf(name: string, version: string, entries?: Record<string, string | Buffer | { type: 'symlink' | 'link' | 'character-device'; linkname?: string }>): Promise<{ filename: string; bytes: Buffer }> {
  const stem = `${name}-${version}`;
  return {
    filename: `${stem}.tar.gz`,
    bytes: await tarGzOf(entries ?? { [`${stem}/PKG-INFO`]: coreMetadata(name, version), [`${stem}/setup.py`]: 'from setuptools import setup\nsetup()\n' }),
  };
}

export async function digestsOf(bytes: Buffer): Promise<{ md5_digest: string; sha256_digest: string; blake2_256_digest: string }> {
  return {
    md5_digest: createHash('md5').update(bytes).digest('hex'),
    sha256_digest: createHash('sha256').update(bytes).digest('hex'),
    blake2_256_digest: await blake2b(bytes, 256),
  };
}

/** The form fields twine sends before the `content` part (twine/package.py metadata_dictionary). */
export async function uploadFields(name: string, version: string, filename: string, bytes: Buffer, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const wheel = filename.endsWith('.whl');
  return {
    ':action': 'file_upload',
    protocol_version: '1',
    name,
    version,
    filetype: wheel ? 'bdist_wheel' : 'sdist',
    pyversion: wheel ? 'py3' : 'source',
    metadata_version: '2.1',
    summary: `${name} for tests`,
    ...(await digestsOf(bytes)),
    ...extra,
  };
}

/**
 * A multipart/form-data body as twine sends it (fields, then the file as `content`), built by hand
 * so that tests can also send what form libraries will not: a path as the file name, the file first.
 */
export function multipartBody(fields: Record<string, string>, file: { filename: string; bytes: Buffer }, options: { fileFirst?: boolean } = {}): { body: Buffer; contentType: string } {
  const boundary = `strata-test-${Math.random().toString(16).slice(2)}`;
  const part = (headers: string, data: Buffer | string) => Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.isBuffer(data) ? data : Buffer.from(data), Buffer.from('\r\n')]);
  const fieldParts = Object.entries(fields).map(([k, v]) => part(`Content-Disposition: form-data; name="${k}"`, v));
  const filePart = part(`Content-Disposition: form-data; name="content"; filename="${file.filename}"\r\nContent-Type: application/octet-stream`, file.bytes);
  const parts = options.fileFirst ? [filePart, ...fieldParts] : [...fieldParts, filePart];
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}
