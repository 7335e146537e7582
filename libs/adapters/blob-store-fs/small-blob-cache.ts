/**
 * The bytes of small blobs, kept in memory up to a total budget (least recently used out first).
 * Blobs are content-addressed, so an entry can never be stale: only a delete removes it. It spares
 * the open/fstat/read/close of every read of a small file (manifests, POMs, checksums, metadata
 * files), which otherwise dominate a small GET.
 */
export class SmallBlobCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(readonly maxEntryBytes: number, private readonly budgetBytes: number) {}

  get(sha256: string): Buffer | undefined {
    const hit = this.entries.get(sha256);
    if (hit) {
      // re-insert: Map order is the recency order
      this.entries.delete(sha256);
      this.entries.set(sha256, hit);
    }
    return hit;
  }

  set(sha256: string, bytes: Buffer): void {
    if (bytes.length > this.maxEntryBytes || this.entries.has(sha256)) return;
    this.entries.set(sha256, bytes);
    this.bytes += bytes.length;
    for (const [key, value] of this.entries) {
      if (this.bytes <= this.budgetBytes) break;
      this.entries.delete(key);
      this.bytes -= value.length;
    }
  }

  delete(sha256: string): void {
    const hit = this.entries.get(sha256);
    if (!hit) return;
    this.entries.delete(sha256);
    this.bytes -= hit.length;
  }

  get size(): number {
    return this.bytes;
  }
}
