import { DomainError } from '../../domain/index.js';

/** A moment of the log: an event position, or a time (the last event recorded at or before it). */
export type ViewPoint = { position: number } | { time: Date };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses the `<point>` of a `/@<point>/...` URL: a positive integer is an event position, an
 * RFC 3339 date-time (https://www.rfc-editor.org/rfc/rfc3339#section-5.6) a time; a plain date
 * (`2026-11-01`) is taken as midnight UTC of that day.
 */
export function parseViewPoint(text: string): ViewPoint {
  const s = decodeURIComponent(text);
  if (/^\d{1,15}$/.test(s)) {
    const position = Number(s);
    if (position < 1) throw new DomainError('BAD_REQUEST', 'an event position starts at 1');
    return { position };
  }
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s;
  const time = RFC3339.test(iso) ? new Date(iso) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw new DomainError('BAD_REQUEST', `"${s}" is neither an event position nor an RFC 3339 time (2026-11-01T00:00:00Z)`);
  }
  return { time };
}

export const describePoint = (p: ViewPoint) => ('position' in p ? `position ${p.position}` : p.time.toISOString());
