import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);

/** Does `Accept-Encoding` take gzip (RFC 9110 section 12.5.3: `gzip`, `x-gzip` or `*`, with q > 0)? */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === 'x-gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/**
 * Gzip renderings of served documents, keyed by their ETag (which covers the content and the base
 * URL filled into it), so each version of a packument is compressed once per process rather than
 * per request. Least recently used entries go first once `maxBytes` of compressed bytes are held.
 * Compression runs on libuv's thread pool, off the event loop.
 */
export class GzipCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  async get(key: string, render: () => string): Promise<Buffer> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const compressed = await gzip(render(), { level: 6 });
    if (compressed.length <= this.maxBytes / 8 && !this.entries.has(key)) {
      this.entries.set(key, compressed);
      this.bytes += compressed.length;
      for (const [oldest, value] of this.entries) {
        if (this.bytes <= this.maxBytes) break;
        this.entries.delete(oldest);
        this.bytes -= value.length;
      }
    }
    return compressed;
  }
}
