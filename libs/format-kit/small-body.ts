import type { Request } from 'express';
import { DomainError } from '../domain/index.js';

/**
 * Reads a small request body whole (manifests, forms, checksums, JSON commands), refusing a
 * declared or actual size above `limit` with TOO_LARGE (`details` lets a protocol name its own
 * code). Never for artifacts: those stream into the blob store.
 */
export async function readSmallBody(req: Request, limit: number, details?: Record<string, unknown>): Promise<Buffer> {
  const tooLarge = () => new DomainError('TOO_LARGE', `the request body is larger than ${limit} bytes`, details);
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** An application/x-www-form-urlencoded body (sign-in forms), bounded by `limit`. */
export async function readSmallForm(req: Request, limit: number, what: string): Promise<URLSearchParams> {
  const type = (req.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new DomainError('BAD_REQUEST', `expected ${what} (application/x-www-form-urlencoded)`);
  return new URLSearchParams((await readSmallBody(req, limit)).toString('utf8'));
}
