import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { DomainError } from '../../domain/index.js';

export interface TarballFacts {
  /** `package/package.json`, parsed */
  packageJson: Record<string, unknown>;
  fileCount: number;
  unpackedSize: number;
  /** the tarball holds `package/npm-shrinkwrap.json` (npm's `_hasShrinkwrap`) */
  hasShrinkwrap: boolean;
}

const MAX_PACKAGE_JSON = 1024 * 1024;
/** refuse gzip bombs: a package that unpacks beyond this is not one npm would publish */
export const MAX_UNPACKED_BYTES = 2 * 1024 ** 3;

const invalid = (why: string) => new DomainError('INVALID_PACKAGE', `the tarball is not a valid npm package: ${why}`);

/**
 * Reads a package tarball the way npm packs it (https://docs.npmjs.com/cli/v11/commands/npm-pack):
 * a gzip'd tar whose entries live under `package/`, with `package/package.json`. Streams through
 * the archive once, keeping only package.json; anything else is counted, not kept.
 */
export async function inspectTarball(bytes: Buffer): Promise<TarballFacts> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw invalid('not gzip data');
  const extract = tar.extract();
  let packageJson: Buffer | undefined;
  let fileCount = 0;
  let unpackedSize = 0;
  let hasShrinkwrap = false;
  const reading = (async () => {
    for await (const entry of extract) {
      const { name, type, size = 0 } = entry.header;
      if (type === 'file' || type === 'contiguous-file') {
        fileCount++;
        unpackedSize += size;
        if (unpackedSize > MAX_UNPACKED_BYTES) throw invalid(`it unpacks to more than ${MAX_UNPACKED_BYTES} bytes`);
      }
      const path = name.replace(/^\.\//, '');
      if (path === 'package/npm-shrinkwrap.json') hasShrinkwrap = true;
      if (path === 'package/package.json' && type === 'file') {
        if (size > MAX_PACKAGE_JSON) throw invalid('package/package.json is larger than 1 MiB');
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        packageJson = Buffer.concat(chunks);
      } else {
        entry.resume();
        await new Promise<void>((resolve, reject) => entry.on('end', resolve).on('error', reject));
      }
    }
  })();
  try {
    await Promise.all([pipeline(Readable.from([bytes]), createGunzip(), extract), reading]);
  } catch (e) {
    extract.destroy();
    if (e instanceof DomainError) throw e;
    throw invalid((e as Error).message || 'unreadable archive');
  }
  if (!packageJson) throw invalid('it has no package/package.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(packageJson.toString('utf8'));
  } catch {
    throw invalid('package/package.json is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('package/package.json is not an object');
  return { packageJson: parsed as Record<string, unknown>, fileCount, unpackedSize, hasShrinkwrap };
}
