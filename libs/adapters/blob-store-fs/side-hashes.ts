import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { createBLAKE2b, type IHasher } from 'hash-wasm';

/**
 * The side digests of a body, computed on one shared worker thread while the event loop hashes
 * sha256 (the content address) and moves bytes: sha1 and md5 always, sha512 (Maven) and
 * BLAKE2b-256 (PyPI's `blake2_256_digest`; OpenSSL has no 256-bit BLAKE2b, hence hash-wasm) when
 * asked. On the event loop they would cost as much CPU as the upload itself (bench/RESULTS.md);
 * they are only needed when the body ends. Falls back to hashing inline when no worker can start.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { createBLAKE2b } = require(workerData.hashWasm);
const jobs = new Map();
async function handle(m) {
  if (m.op === 'start') {
    const job = { sha1: createHash('sha1'), md5: createHash('md5'), sha512: m.sha512 ? createHash('sha512') : undefined, blake2b256: undefined };
    if (m.blake2b256) { job.blake2b256 = await createBLAKE2b(256); job.blake2b256.init(); }
    jobs.set(m.id, job);
  } else if (m.op === 'data') {
    const job = jobs.get(m.id);
    if (job) { const b = Buffer.from(m.buffer); job.sha1.update(b); job.md5.update(b); job.sha512?.update(b); job.blake2b256?.update(b); }
  } else if (m.op === 'end') {
    const job = jobs.get(m.id);
    jobs.delete(m.id);
    parentPort.postMessage(job
      ? { id: m.id, sha1: job.sha1.digest('hex'), md5: job.md5.digest('hex'), sha512: job.sha512?.digest('hex'), blake2b256: job.blake2b256?.digest('hex') }
      : { id: m.id, error: 'unknown or abandoned body' });
  } else if (m.op === 'abort') jobs.delete(m.id);
}
// one message at a time, in order (creating a BLAKE2b hasher is asynchronous)
let queue = Promise.resolve();
parentPort.on('message', (m) => {
  queue = queue.then(() => handle(m)).catch((e) => { if (m.op === 'end') parentPort.postMessage({ id: m.id, error: String(e) }); });
});`;

const BATCH = 1024 * 1024;

export interface SideDigestOptions {
  /** also sha512 (it costs as much as sha1 and md5 together) */
  sha512?: boolean;
  /** also BLAKE2b-256 */
  blake2b256?: boolean;
}

type Result = { sha1: string; md5: string; sha512?: string; blake2b256?: string };

let worker: Worker | undefined;
let workerFailed = false;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();

function sharedWorker(): Worker | undefined {
  if (worker || workerFailed) return worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { hashWasm: createRequire(import.meta.url).resolve('hash-wasm') } });
    worker.on('message', (m: Result & { id: number; error?: string }) => {
      if (m.error) waiting.get(m.id)?.reject(new Error(m.error));
      else waiting.get(m.id)?.resolve({ sha1: m.sha1, md5: m.md5, ...(m.sha512 ? { sha512: m.sha512 } : {}), ...(m.blake2b256 ? { blake2b256: m.blake2b256 } : {}) });
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

/** Whether the side digests run on the worker thread (false: it could not start, hashing is inline). */
export const sideHashesOnWorker = (): boolean => sharedWorker() !== undefined;

export class SideHashes {
  private readonly id = nextId++;
  private readonly worker = sharedWorker();
  private readonly inline?: ReturnType<typeof createHash>[];
  /** inline BLAKE2b: its hasher is created asynchronously, so updates queue behind its creation */
  private inlineBlake2?: Promise<IHasher>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;

  constructor(options: SideDigestOptions = {}) {
    if (!this.worker) {
      this.inline = [createHash('sha1'), createHash('md5'), ...(options.sha512 ? [createHash('sha512')] : [])];
      if (options.blake2b256) this.inlineBlake2 = createBLAKE2b(256).then((h) => (h.init(), h));
    }
    this.worker?.postMessage({ op: 'start', id: this.id, sha512: !!options.sha512, blake2b256: !!options.blake2b256 });
  }

  update(chunk: Buffer): void {
    if (this.inline) {
      for (const h of this.inline) h.update(chunk);
      if (this.inlineBlake2) this.inlineBlake2 = this.inlineBlake2.then((h) => (h.update(chunk), h));
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
    if (this.inline) {
      const [sha1, md5, sha512] = this.inline.map((h) => h.digest('hex'));
      const base = { sha1, md5, ...(sha512 ? { sha512 } : {}) };
      return this.inlineBlake2 ? this.inlineBlake2.then((h) => ({ ...base, blake2b256: h.digest('hex') })) : Promise.resolve(base);
    }
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
