import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** A tar archive (not gzip'd) holding `files` (path -> content), as `npm pack` lays them out. */
export async function tarOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => pack.on('end', resolve).on('error', reject));
  for (const [name, content] of Object.entries(files)) {
    await new Promise<void>((resolve, reject) => pack.entry({ name, mode: 0o644 }, content, (e) => (e ? reject(e) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A package tarball: gzip'd tar with package/package.json naming `name@version` (or what `packageJson` says). */
export async function packageTarball(name: string, version: string, packageJson: Record<string, unknown> = {}, extra: Record<string, string> = {}): Promise<Buffer> {
  return gzipSync(await tarOf({ 'package/package.json': JSON.stringify({ name, version, ...packageJson }), 'package/index.js': 'module.exports = 1;\n', ...extra }));
}

export const integrityOf = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
export const shasumOf = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/** The document `npm publish` sends (libnpmpublish), for `tarball` as `name@version`. */
export function publishDocument(name: string, version: string, tarball: Buffer, options: { tag?: string; manifest?: Record<string, unknown> } = {}): Record<string, any> {
  const file = `${name}-${version}.tgz`;
  return {
    _id: name,
    name,
    description: `${name} for tests`,
    'dist-tags': { [options.tag ?? 'latest']: version },
    versions: {
      [version]: {
        name,
        version,
        description: `${name} for tests`,
        main: 'index.js',
        readme: `# ${name}\n`,
        ...options.manifest,
        _id: `${name}@${version}`,
        dist: { integrity: integrityOf(tarball), shasum: shasumOf(tarball), tarball: `http://ignored.example/${name}/-/${file}` },
      },
    },
    access: null,
    _attachments: { [file]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
  };
}
