import type { Request } from 'express';
import { DomainError } from '../../domain/index.js';

/** A JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Small JSON bodies (dist-tags, login, tokens): 1 MiB is far beyond what npm sends. */
export const SMALL_BODY = 1024 * 1024;

/**
 * The JSON body a package document travels in. npm's publish protocol puts the tarball inside the
 * JSON (base64), so a publish body is buffered; it is limited to what a tarball of the repository's
 * `maxUploadBytes` encodes to, plus 1 MiB of metadata.
 */
export const documentLimit = (maxUploadBytes: number) => Math.floor((maxUploadBytes * 4) / 3) + 1024 * 1024;

/** Reads and parses a JSON body, refusing (413) as soon as it exceeds `limit` bytes. */
export function readJsonBody(req: Request, limit: number): Promise<unknown> {
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // leave the rest unread: the error handler drains a bounded amount so the client sees the 413
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new DomainError('BAD_REQUEST', 'the body is not valid JSON'));
      }
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/** Reads and drops a body we do not need (bounded), so the connection stays usable. */
export async function discardBody(req: Request, limit = SMALL_BODY): Promise<void> {
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
  }
}

const tooLarge = (limit: number) => new DomainError('TOO_LARGE', `the request body is larger than ${limit} bytes`);
