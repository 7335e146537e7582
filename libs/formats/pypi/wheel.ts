import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { DomainError } from '../../domain/index.js';
import { collect, invalidArchive, MAX_CORE_METADATA, MAX_ENTRIES, unpackLimit, unsafeMemberName, type ContentSource } from './archive-limits.js';
import { normalizeName } from './pypi-names.js';

/** Central-directory reads are small and sequential: fetch this much at once and serve them from memory. */
const WINDOW = 256 * 1024;

const invalid = (why: string) => invalidArchive('wheel', why);

/**
 * yauzl's random access over stored content: ranged reads of the blob (so a wheel in S3 is never
 * downloaded whole), with a read-ahead window for the many small reads of the central directory.
 */
class ContentReader extends yauzl.RandomAccessReader {
  private window: { start: number; bytes: Buffer } | undefined;

  constructor(private readonly source: ContentSource) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    const w = this.window;
    if (w && position >= w.start && position + length <= w.start + w.bytes.length) {
      w.bytes.copy(buffer, offset, position - w.start, position - w.start + length);
      setImmediate(() => callback(null, length));
      return;
    }
    const end = Math.min(this.source.size, position + Math.max(length, WINDOW)) - 1;
    if (position > end) return setImmediate(() => callback(null, 0)) as unknown as void;
    this.source
      .read({ start: position, end })
      .then((s) => collect(s, end - position + 1, () => new Error('range read returned too much')))
      .then((bytes) => {
        this.window = { start: position, bytes };
        const n = Math.min(length, bytes.length);
        bytes.copy(buffer, offset, 0, n);
        callback(null, n);
      }, (e: Error) => callback(e));
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    this.source.read({ start, end: end - 1 }).then((s) => pipeline(s, out)).catch((e: Error) => out.destroy(e));
    return out as unknown as Readable;
  }

  override close(callback: (err: Error | null) => void): void {
    setImmediate(() => callback(null));
  }
}

const open = (source: ContentSource) =>
  new Promise<ZipFile>((resolve, reject) =>
    yauzl.fromRandomAccessReader(new ContentReader(source), source.size, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true } as never, (e, zip) =>
      e || !zip ? reject(invalid(e?.message ?? 'unreadable zip')) : resolve(zip),
    ),
  );

/** Lists every entry, refusing unsafe names and archives that unpack beyond the limit. */
async function entries(zip: ZipFile, archiveSize: number): Promise<Entry[]> {
  if (zip.entryCount > MAX_ENTRIES) throw invalid(`more than ${MAX_ENTRIES} entries`);
  const limit = unpackLimit(archiveSize);
  const out: Entry[] = [];
  let unpacked = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      unpacked += entry.uncompressedSize;
      if (unsafeMemberName(entry.fileName)) return reject(invalid(`unsafe member name "${entry.fileName.slice(0, 200)}"`));
      if (unpacked > limit) return reject(invalid(`it unpacks to more than ${limit} bytes`));
      if (entry.isEncrypted()) return reject(invalid(`${entry.fileName.slice(0, 200)} is encrypted`));
      out.push(entry);
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', (e: Error) => reject(invalid(e.message)));
    zip.readEntry();
  });
  return out;
}

export interface WheelContents {
  /** the `.dist-info/METADATA` file, exactly as stored (PEP 658 serves these bytes) */
  metadata: Buffer;
  /** the `.dist-info` folder's name and version parts */
  distInfoName: string;
  distInfoVersion: string;
}

/**
 * Reads a wheel's core metadata: the one `{name}-{version}.dist-info/METADATA`
 * (https://packaging.python.org/en/latest/specifications/binary-distribution-format/#the-dist-info-directory),
 * whose name must be `project`'s. Unsafe member names, encrypted entries, archives unpacking past
 * the limit and an oversized METADATA are refused; nothing but METADATA is decompressed.
 */
export async function readWheel(source: ContentSource, project: string): Promise<WheelContents> {
  const zip = await open(source);
  try {
    const all = await entries(zip, source.size);
    const distInfos = new Set(all.map((e) => e.fileName.split('/')[0]).filter((top) => top.endsWith('.dist-info')));
    if (distInfos.size !== 1) throw invalid(distInfos.size === 0 ? 'it has no .dist-info folder' : 'it has more than one .dist-info folder');
    const distInfo = [...distInfos][0];
    const m = /^([^-]+)-([^-]+)\.dist-info$/.exec(distInfo);
    if (!m || normalizeName(m[1]) !== project) throw invalid(`its ${distInfo.slice(0, 200)} folder is not named {name}-{version}.dist-info for "${project}"`);
    const entry = all.find((e) => e.fileName === `${distInfo}/METADATA`);
    if (!entry) throw invalid(`it has no ${distInfo}/METADATA`);
    if (entry.uncompressedSize > MAX_CORE_METADATA) throw invalid(`METADATA is larger than ${MAX_CORE_METADATA} bytes`);
    const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (e, s) => (e || !s ? reject(invalid(e?.message ?? 'unreadable METADATA')) : resolve(s))));
    const metadata = await collect(stream, MAX_CORE_METADATA, () => invalid(`METADATA is larger than ${MAX_CORE_METADATA} bytes`)).catch((e) => {
      throw e instanceof DomainError ? e : invalid(`METADATA: ${(e as Error).message}`);
    });
    return { metadata, distInfoName: m[1], distInfoVersion: m[2] };
  } finally {
    zip.close();
  }
}
