import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * sha1 and md5 of a body, computed on a worker thread while the event loop hashes sha256 (the
 * content address) and moves bytes. Three digests on the event loop cost as much CPU as the
 * upload itself (bench/RESULTS.md); the side digests are only needed when the body ends.
 * Falls back to hashing inline when no worker can be started.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'start') jobs.set(m.id, m.sha512 ? [createHash('sha1'), createHash('md5'), createHash('sha512')] : [createHash('sha1'), createHash('md5')]);
  else if (m.op === 'data') { const h = jobs.get(m.id); if (h) { const b = Buffer.from(m.buffer); for (const x of h) x.update(b); } }
  else if (m.op === 'end') { const h = jobs.get(m.id); jobs.delete(m.id); parentPort.postMessage(h ? { id: m.id, sha1: h[0].digest('hex'), md5: h[1].digest('hex'), sha512: h[2] ? h[2].digest('hex') : undefined } : { id: m.id, error: 'unknown or abandoned body' }); }
  else if (m.op === 'abort') jobs.delete(m.id);
});`;

const BATCH = 1024 * 1024;

type Result = { sha1: string; md5: string; sha512?: string };

let worker: Worker | undefined;
let workerFailed = false;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();

function sharedWorker(): Worker | undefined {
  if (worker || workerFailed) return worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (m: Result & { id: number; error?: string }) => {
      if (m.error) waiting.get(m.id)?.reject(new Error(m.error));
      else waiting.get(m.id)?.resolve({ sha1: m.sha1, md5: m.md5, ...(m.sha512 ? { sha512: m.sha512 } : {}) });
      waiting.delete(m.id);
      if (waiting.size === 0) worker?.unref();
    });
    worker.on('error', (e) => {
      for (const w of waiting.values()) w.reject(e);
      waiting.clear();
      worker = undefined;
    });
    // after the listeners (adding one re-references the port): the worker never keeps the process alive
    worker.unref();
  } catch {
    workerFailed = true;
  }
  return worker;
}

export class SideHashes {
  private readonly id = nextId++;
  private readonly worker = sharedWorker();
  private readonly inline?: ReturnType<typeof createHash>[];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;

  /** `sha512`: also compute sha512 (opt-in: it costs as much as sha1 and md5 together) */
  constructor(sha512 = false) {
    if (!this.worker) this.inline = [createHash('sha1'), createHash('md5'), ...(sha512 ? [createHash('sha512')] : [])];
    this.worker?.postMessage({ op: 'start', id: this.id, sha512 });
  }

  update(chunk: Buffer): void {
    if (this.inline) {
      for (const h of this.inline) h.update(chunk);
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= BATCH) this.flush();
  }

  /** The digests of everything passed to update(); call once, after the last update. */
  digests(): Promise<Result> {
    if (this.done) return Promise.reject(new Error('the body was abandoned or its digests were already taken'));
    this.done = true;
    if (this.inline) return Promise.resolve({ sha1: this.inline[0].digest('hex'), md5: this.inline[1].digest('hex'), ...(this.inline[2] ? { sha512: this.inline[2].digest('hex') } : {}) });
    this.flush();
    return new Promise((resolve, reject) => {
      // referenced while an answer is awaited, so the process waits for it
      if (waiting.size === 0) this.worker!.ref();
      waiting.set(this.id, { resolve, reject });
      this.worker!.postMessage({ op: 'end', id: this.id });
    });
  }

  /** Forgets an abandoned body. */
  abort(): void {
    if (this.done || !this.worker) return;
    this.done = true;
    this.pending = [];
    this.worker.postMessage({ op: 'abort', id: this.id });
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    // a fresh, unpooled buffer whose memory can be handed over to the worker without a copy there
    const batch = Buffer.allocUnsafeSlow(this.pendingBytes);
    let offset = 0;
    for (const c of this.pending) offset += c.copy(batch, offset);
    this.pending = [];
    this.pendingBytes = 0;
    const buffer = batch.buffer as ArrayBuffer;
    this.worker!.postMessage({ op: 'data', id: this.id, buffer }, [buffer]);
  }
}
