import { posix } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { DomainError } from '../../domain/index.js';
import { collect, invalidArchive, MAX_CORE_METADATA, MAX_ENTRIES, unpackLimit, unsafeMemberName, type ContentSource } from './archive-limits.js';

const invalid = (why: string) => invalidArchive('source distribution', why);
const MEMBER_TYPES = new Set(['file', 'contiguous-file', 'directory', 'symlink', 'link']);

/** A symbolic link resolves from its own folder, a hard link from the archive's root: either must stay inside. */
function linkStaysInside(path: string, type: 'symlink' | 'link', target: string | null | undefined): boolean {
  if (!target || target.startsWith('/') || target.includes('\\') || /^[A-Za-z]:/.test(target)) return false;
  const resolved = posix.normalize(type === 'symlink' ? posix.join(posix.dirname(path), target) : target);
  return resolved !== '..' && !resolved.startsWith('../');
}

/** Counts decompressed bytes and stops a gzip bomb at the limit. */
function unpackGuard(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      cb(seen > limit ? invalid(`it unpacks to more than ${limit} bytes`) : null, chunk);
    },
  });
}

/**
 * Reads an sdist's core metadata: `{name}-{version}.tar.gz` holding one top-level folder with
 * `PKG-INFO` in it (https://packaging.python.org/en/latest/specifications/source-distribution-format/).
 * Streams through the archive once, keeping only PKG-INFO; every member is checked: no absolute or
 * `..` names, links that stay inside, no devices, and the whole unpacks within the limit.
 */
export async function readSdist(source: ContentSource): Promise<{ metadata: Buffer; topFolder: string }> {
  const head = await collect(await source.read(source.size >= 2 ? { start: 0, end: 1 } : undefined), 2, () => invalid('unreadable'));
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) throw invalid('it is not gzip data');
  const extract = tar.extract();
  const tops = new Set<string>();
  const found: { metadata?: Buffer } = {};
  let count = 0;
  const reading = (async () => {
    for await (const entry of extract) {
      const { name, type, size = 0, linkname } = entry.header;
      if (++count > MAX_ENTRIES) throw invalid(`more than ${MAX_ENTRIES} members`);
      const path = name.replace(/^\.\//, '').replace(/\/+$/, '');
      if (!MEMBER_TYPES.has(type ?? '')) throw invalid(`member ${path.slice(0, 200)} is a ${type}`);
      if (!path || unsafeMemberName(path)) throw invalid(`unsafe member name "${name.slice(0, 200)}"`);
      if ((type === 'symlink' || type === 'link') && !linkStaysInside(path, type, linkname)) throw invalid(`member ${path.slice(0, 200)} links outside the archive`);
      tops.add(path.split('/')[0]);
      const parts = path.split('/');
      if (parts.length === 2 && parts[1] === 'PKG-INFO' && type === 'file') {
        if (size > MAX_CORE_METADATA) throw invalid(`PKG-INFO is larger than ${MAX_CORE_METADATA} bytes`);
        found.metadata = await collect(entry as unknown as Readable, MAX_CORE_METADATA, () => invalid('PKG-INFO is too large'));
      } else {
        entry.resume();
        await new Promise<void>((resolve, reject) => entry.on('end', resolve).on('error', reject));
      }
    }
  })();
  try {
    await Promise.all([pipeline(await source.read(), createGunzip(), unpackGuard(unpackLimit(source.size)), extract), reading]);
  } catch (e) {
    extract.destroy();
    if (e instanceof DomainError) throw e;
    throw invalid((e as Error).message || 'unreadable archive');
  }
  if (tops.size !== 1) throw invalid('it must hold exactly one top-level folder');
  const topFolder = [...tops][0];
  if (!found.metadata) throw invalid(`it has no ${topFolder}/PKG-INFO`);
  return { metadata: found.metadata, topFolder };
}
