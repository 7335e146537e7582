/**
 * Content negotiation of the simple API: https://peps.python.org/pep-0691/#version-format-selection
 * The `latest` aliases answer with the concrete v1 type. Nothing acceptable (or no Accept at all)
 * gets PEP 503 HTML as `text/html`, which every client reads.
 */
export interface Representation {
  kind: 'html' | 'json';
  contentType: string;
}

export const JSON_V1 = 'application/vnd.pypi.simple.v1+json';
export const HTML_V1 = 'application/vnd.pypi.simple.v1+html';
export const TEXT_HTML = 'text/html';

const OFFERS: { accepts: string[]; rep: Representation }[] = [
  { accepts: [TEXT_HTML], rep: { kind: 'html', contentType: TEXT_HTML } },
  { accepts: [HTML_V1, 'application/vnd.pypi.simple.latest+html'], rep: { kind: 'html', contentType: HTML_V1 } },
  { accepts: [JSON_V1, 'application/vnd.pypi.simple.latest+json'], rep: { kind: 'json', contentType: JSON_V1 } },
];
const DEFAULT = OFFERS[0].rep;

interface Range {
  type: string;
  q: number;
}

function parseAccept(header: string): Range[] {
  return header
    .split(',')
    .map((part) => {
      const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
      const q = params.find((p) => /^q\s*=/.test(p));
      const value = q === undefined ? 1 : Number(q.split('=')[1]);
      return { type, q: Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0 };
    })
    .filter((r) => /^[a-z0-9*.+-]+\/[a-z0-9*.+-]+$/.test(r.type));
}

/** How well `range` matches `type`: 3 exact, 2 `type/*`, 1 `*\/*`, 0 not at all. */
function specificity(range: string, type: string): number {
  if (range === type) return 3;
  if (range.endsWith('/*') && range !== '*/*') return type.startsWith(range.slice(0, -1)) ? 2 : 0;
  return range === '*/*' ? 1 : 0;
}

/** The representation for an `Accept` header, or for an explicit `?format=` (PEP 691's URL parameter). */
export function negotiate(accept: string | undefined, format?: string): Representation {
  const ranges = parseAccept(format ?? accept ?? '');
  let best: { rep: Representation; q: number; spec: number } | undefined;
  for (const offer of OFFERS) {
    for (const type of offer.accepts) {
      // the most specific matching range decides the quality of this type (RFC 9110 section 12.5.1)
      let match: { q: number; spec: number } | undefined;
      for (const r of ranges) {
        const spec = specificity(r.type, type);
        if (spec > 0 && (!match || spec > match.spec)) match = { q: r.q, spec };
      }
      if (!match || match.q <= 0) continue;
      if (!best || match.q > best.q || (match.q === best.q && match.spec > best.spec)) best = { rep: offer.rep, ...match };
    }
  }
  return best?.rep ?? DEFAULT;
}
