import type { RecordedEvent } from '../../domain/index.js';
import type { EventStore } from '../../ports/index.js';

/**
 * The newest events read from the log, shared by every projection's loop: a fresh event is read
 * from the store once, not once per projection. Positions are gap-free and immutable, so a window
 * of consecutive events answers any read that starts inside it (with fewer events than asked
 * for when it ends first: the next read goes on from there). Reads that start before the window
 * (a projection catching up) go to the store and leave the window alone.
 */
export class RecentEvents {
  private window: RecordedEvent[] = [];

  constructor(private readonly store: Pick<EventStore, 'readAll'>, private readonly capacity = 2000) {}

  async read(from: number, limit: number): Promise<RecordedEvent[]> {
    const first = this.window[0]?.position;
    if (first !== undefined && from >= first && from < first + this.window.length) {
      return this.window.slice(from - first, from - first + limit);
    }
    const events = await this.store.readAll(from, limit);
    this.remember(events);
    return events;
  }

  private remember(events: RecordedEvent[]): void {
    if (events.length === 0) return;
    const last = this.window.at(-1)?.position;
    if (last !== undefined && events[0].position === last + 1) this.window.push(...events);
    else if (last === undefined || events[0].position > last) this.window = [...events];
    else return; // older than the window: a projection catching up, not the live edge
    if (this.window.length > this.capacity) this.window = this.window.slice(this.window.length - this.capacity);
  }
}
