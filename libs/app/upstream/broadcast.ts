import { PassThrough, type Readable } from 'node:stream';

/**
 * Fans one body out to several readers that may join while it flows: the blob store, the client
 * whose request started the fetch, and clients that ask for the same file meanwhile. The first
 * `replayBytes` are kept so that a reader joining late still gets the whole body from its start;
 * once more has arrived, `join` answers null (that reader waits for the stored file instead).
 * The source goes as fast as the slowest reader (no unbounded buffering); a reader that goes away
 * is dropped without disturbing the others.
 */
export class Broadcast {
  private readonly readers = new Set<PassThrough>();
  private readonly waitingFor = new Set<PassThrough>();
  private head: Buffer[] = [];
  private headBytes = 0;
  private replayable = true;
  private ended = false;
  private failure?: Error;

  constructor(private readonly source: Readable, private readonly replayBytes: number) {
    source.on('data', (chunk: Buffer) => this.deliver(chunk));
    source.on('end', () => {
      this.ended = true;
      for (const r of this.readers) r.end();
    });
    source.on('error', (e) => {
      this.failure = e;
      for (const r of this.readers) r.destroy(e);
    });
  }

  /** A reader of the whole body from its first byte, or null when its start is no longer kept. */
  join(): Readable | null {
    if (!this.replayable) return null;
    const reader = new PassThrough();
    for (const chunk of this.head) reader.write(chunk);
    if (this.failure) reader.destroy(this.failure);
    else if (this.ended) reader.end();
    else {
      this.readers.add(reader);
      reader.on('close', () => this.leave(reader));
    }
    return reader;
  }

  private deliver(chunk: Buffer): void {
    if (this.replayable) {
      this.headBytes += chunk.length;
      if (this.headBytes > this.replayBytes) {
        this.replayable = false;
        this.head = [];
      } else this.head.push(chunk);
    }
    for (const reader of this.readers) {
      if (reader.write(chunk) || this.waitingFor.has(reader)) continue;
      this.waitingFor.add(reader);
      this.source.pause();
      reader.once('drain', () => this.drained(reader));
    }
  }

  private drained(reader: PassThrough): void {
    this.waitingFor.delete(reader);
    if (this.waitingFor.size === 0) this.source.resume();
  }

  private leave(reader: PassThrough): void {
    this.readers.delete(reader);
    if (this.waitingFor.has(reader)) this.drained(reader);
  }
}
