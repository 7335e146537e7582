import { createRequire } from 'node:module';
import { Transform, type Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { createBLAKE2b, type IHasher } from 'hash-wasm';
import { DomainError } from '../../domain/index.js';

/**
 * BLAKE2b-256, the digest twine declares as `blake2_256_digest` (OpenSSL in Node has no 256-bit
 * BLAKE2b, hence hash-wasm). Hashing it on the event loop costs about three times sha256's CPU
 * (bench/RESULTS.md, PyPI section), so it runs on one shared worker thread: the event loop only
 * copies ~1 MiB batches over. Without a worker it hashes inline.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createBLAKE2b } = require(workerData.hashWasm);
const jobs = new Map();
let queue = Promise.resolve();
async function handle(m) {
  if (m.op === 'start') { const h = await createBLAKE2b(256); h.init(); jobs.set(m.id, h); }
  else if (m.op === 'data') { const h = jobs.get(m.id); if (h) h.update(new Uint8Array(m.buffer)); }
  else if (m.op === 'end') { const h = jobs.get(m.id); jobs.delete(m.id); parentPort.postMessage(h ? { id: m.id, digest: h.digest('hex') } : { id: m.id, error: 'unknown body' }); }
  else if (m.op === 'abort') jobs.delete(m.id);
}
parentPort.on('message', (m) => { queue = queue.then(() => handle(m)).catch(() => undefined); });`;

const BATCH = 1024 * 1024;

let worker: Worker | undefined;
let workerFailed = false;
let nextId = 1;
const waiting = new Map<number, { resolve: (digest: string) => void; reject: (e: Error) => void }>();

function sharedWorker(): Worker | undefined {
  if (worker || workerFailed) return worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { hashWasm: createRequire(import.meta.url).resolve('hash-wasm') } });
    worker.on('message', (m: { id: number; digest?: string; error?: string }) => {
      if (m.digest) waiting.get(m.id)?.resolve(m.digest);
      else waiting.get(m.id)?.reject(new Error(m.error ?? 'no digest'));
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

/** Whether hashing runs on the worker thread (false: it could not start, hashing is inline). */
export const hashesOnWorker = (): boolean => sharedWorker() !== undefined;

/** One body's BLAKE2b-256 on the shared worker (or inline). */
class Blake2 {
  private readonly id = nextId++;
  private readonly worker = sharedWorker();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;

  private constructor(private readonly inline?: IHasher) {
    this.worker?.postMessage({ op: 'start', id: this.id });
  }

  static async create(): Promise<Blake2> {
    if (sharedWorker()) return new Blake2();
    const inline = await createBLAKE2b(256);
    inline.init();
    return new Blake2(inline);
  }

  update(chunk: Buffer): void {
    if (this.inline) {
      this.inline.update(chunk);
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= BATCH) this.send();
  }

  digest(): Promise<string> {
    this.done = true;
    if (this.inline) return Promise.resolve(this.inline.digest('hex'));
    this.send();
    return new Promise((resolve, reject) => {
      // referenced while an answer is awaited, so the process waits for it
      if (waiting.size === 0) this.worker!.ref();
      waiting.set(this.id, { resolve, reject });
      this.worker!.postMessage({ op: 'end', id: this.id });
    });
  }

  abort(): void {
    if (this.done || this.inline) return;
    this.done = true;
    this.pending = [];
    this.worker!.postMessage({ op: 'abort', id: this.id });
  }

  private send(): void {
    if (this.pendingBytes === 0) return;
    // a fresh, unpooled buffer whose memory is handed over to the worker without a copy there
    const batch = Buffer.allocUnsafeSlow(this.pendingBytes);
    let offset = 0;
    for (const c of this.pending) offset += c.copy(batch, offset);
    this.pending = [];
    this.pendingBytes = 0;
    const buffer = batch.buffer as ArrayBuffer;
    this.worker!.postMessage({ op: 'data', id: this.id, buffer }, [buffer]);
  }
}

/**
 * Passes `body` through while computing its BLAKE2b-256; a mismatch with `expected` fails the
 * stream at its end, before the blob store commits the content. `digest()` is known once the
 * stream has ended.
 */
export async function blake2Check(body: Readable, expected: string | undefined): Promise<{ stream: Readable; digest: () => string }> {
  const hasher = await Blake2.create();
  let digest = '';
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hasher.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      hasher.digest().then((d) => {
        digest = d;
        cb(expected && d !== expected ? new DomainError('DIGEST_MISMATCH', `blake2_256_digest does not match the file (got ${d})`) : null);
      }, cb);
    },
  });
  stream.on('close', () => hasher.abort());
  body.on('error', (e) => stream.destroy(e));
  body.pipe(stream);
  return { stream, digest: () => digest };
}
