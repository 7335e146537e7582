import { DomainError } from '../domain/index.js';
import type { ByteRange } from '../ports/index.js';

/**
 * A single `Range: bytes=` header (RFC 9110 section 14.2). Returns undefined for no range or
 * for forms we answer with the whole body (several ranges, other units), a range otherwise;
 * throws RANGE_NOT_SATISFIABLE when it cannot be served.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  let start: number;
  let end: number;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) throw new DomainError('RANGE_NOT_SATISFIABLE', 'empty suffix range', { size });
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return undefined; // syntactically invalid: ignore (RFC 9110 14.1.1)
  }
  if (start >= size) throw new DomainError('RANGE_NOT_SATISFIABLE', `range starts beyond the end (${size} bytes)`, { size });
  return { start, end };
}
