/** The channel identity read models announce their changes on (NOTIFY inside the projection's transaction). */
export const IDENTITY_CHANNEL = 'strata_identity';

/**
 * Credentials → what the identity tables said about them, for a few seconds, so that a package
 * client's every request does not cost a database round trip. Cleared at once when identity read
 * models change: by a NOTIFY on IDENTITY_CHANNEL (every node listens) and, on the node that made
 * the change, right after its write settles. The TTL bounds staleness if a notification is lost
 * (a dropped listener connection), and expiry and CIDR checks are made on every request anyway.
 */
export class AccessCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  private generation = 0;

  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  /**
   * Loads through the cache. A clear that happens while the load runs wins: the loaded value is
   * returned but not kept, since it may predate the change that caused the clear.
   */
  async load(key: string, loader: () => Promise<T>): Promise<T> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const value = await loader();
    if (generation === this.generation && this.ttlMs > 0) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, { value, until: Date.now() + this.ttlMs });
    }
    return value;
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
