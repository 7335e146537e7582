/**
 * One run of `work` per key at a time in this process: callers arriving while it runs share its
 * result (a remote repository fetches a missing artifact once, however many clients ask at once).
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  /** `leader` is true for the caller whose call started the work. */
  run(key: string, work: () => Promise<T>): { leader: boolean; result: Promise<T> } {
    const existing = this.running.get(key);
    if (existing) return { leader: false, result: existing };
    const result = work().finally(() => this.running.delete(key));
    this.running.set(key, result);
    return { leader: true, result };
  }

  get size(): number {
    return this.running.size;
  }
}
