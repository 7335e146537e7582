import { Parser } from 'htmlparser2';
import { DomainError } from '../../domain/index.js';
import { JSON_V1 } from './negotiate.js';
import { normalizeName } from './pypi-names.js';

/**
 * A project page of the simple repository API as read from an upstream index (PEP 503 HTML or
 * PEP 691 JSON) or from a hosted member: the neutral shape remote and virtual repositories
 * rewrite, merge and render again. Unknown fields are dropped; what pip uses is kept.
 */
export interface SimpleFile {
  filename: string;
  /** absolute (resolved against the page's URL) as read; rewritten before serving */
  url: string;
  /** hash name -> lowercase hex (`sha256`, `md5`, ...), from `#<name>=<hex>` or `hashes` */
  hashes: Record<string, string>;
  requiresPython?: string;
  /** PEP 658/714: the upstream serves `<url>.metadata`; with its sha256 when it says so */
  coreMetadata?: { sha256?: string };
  /** PEP 592: false, true, or the reason */
  yanked: boolean | string;
  size?: number;
  uploadTime?: string;
}

export interface SimpleProject {
  name: string;
  files: SimpleFile[];
  /** PEP 700 `versions` when the page lists them */
  versions?: string[];
}

/** What an upstream (any PEP 691 index, or a PEP 503 one that ignores Accept) is asked for: JSON first. */
export const UPSTREAM_ACCEPT = `${JSON_V1}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01`;

/** File names served through Strata's own URLs: no separators, nothing that needs more than `+`/`!` escaping. */
const SAFE_FILENAME = /^[A-Za-z0-9][A-Za-z0-9._+!~-]{0,254}$/;
const HEX = /^[a-f0-9]{16,128}$/;
const HASH_NAME = /^[a-z0-9_]{2,16}$/;

const isJson = (body: Buffer, contentType?: string) => (contentType ? /json/i.test(contentType.split(';')[0]) : false) || /^\s*\{/.test(body.subarray(0, 64).toString('utf8'));

function resolve(href: string, base: string): string | undefined {
  try {
    const url = new URL(href, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** `#sha256=abcd` -> { sha256: 'abcd' } (one hash, PEP 503), and the URL without it. */
function splitFragment(url: string): { url: string; hashes: Record<string, string> } {
  const at = url.indexOf('#');
  if (at < 0) return { url, hashes: {} };
  const [name, value] = url.slice(at + 1).split('=', 2);
  const hashes = name && value && HASH_NAME.test(name.toLowerCase()) && HEX.test(value.toLowerCase()) ? { [name.toLowerCase()]: value.toLowerCase() } : {};
  return { url: url.slice(0, at), hashes };
}

/** `true` or `sha256=<hex>` (PEP 658 attribute values; PEP 691's `{sha256: ...}` objects). */
function coreMetadataOf(value: unknown): { sha256?: string } | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (typeof value === 'string') {
    const [name, hex] = value.split('=', 2);
    return name?.toLowerCase() === 'sha256' && hex && HEX.test(hex.toLowerCase()) ? { sha256: hex.toLowerCase() } : {};
  }
  if (typeof value === 'object') {
    const sha256 = (value as Record<string, unknown>).sha256;
    return typeof sha256 === 'string' && HEX.test(sha256.toLowerCase()) ? { sha256: sha256.toLowerCase() } : {};
  }
  return value === true ? {} : undefined;
}

/** The last path segment of a URL, decoded (what PEP 503 says the anchor text repeats). */
function lastSegment(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    return '';
  }
}

/**
 * A PEP 503 project page (https://peps.python.org/pep-0503/), read with a real HTML parser
 * (entities decoded, attributes in any order and quoting): each `<a>` is a file, its text the file
 * name, `#<hash>=<hex>` its digest, with `data-requires-python`, `data-yanked` (PEP 592) and
 * `data-core-metadata` / `data-dist-info-metadata` (PEP 714 / 658). Relative links are resolved
 * against `<base href>` or the page's own URL.
 */
export function parseProjectHtml(html: string, pageUrl: string, project: string): SimpleProject {
  let base = pageUrl;
  const files: SimpleFile[] = [];
  let open: { attrs: Record<string, string>; text: string } | undefined;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'base' && attrs.href) base = resolve(attrs.href, pageUrl) ?? base;
        if (name === 'a') open = { attrs, text: '' };
      },
      ontext(text) {
        if (open) open.text += text;
      },
      onclosetag(name) {
        if (name !== 'a' || !open) return;
        const { attrs, text } = open;
        open = undefined;
        const href = attrs.href && resolve(attrs.href, base);
        if (!href) return;
        const { url, hashes } = splitFragment(href);
        const filename = text.trim() || lastSegment(url);
        const core = coreMetadataOf(attrs['data-core-metadata'] ?? attrs['data-dist-info-metadata']);
        files.push({
          filename,
          url,
          hashes,
          ...(attrs['data-requires-python'] ? { requiresPython: attrs['data-requires-python'] } : {}),
          ...(core ? { coreMetadata: core } : {}),
          yanked: 'data-yanked' in attrs ? attrs['data-yanked'] || true : false,
        });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return { name: project, files: files.filter((f) => SAFE_FILENAME.test(f.filename)) };
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** A PEP 691 project page (https://peps.python.org/pep-0691/#project-detail), with PEP 700's fields. */
export function parseProjectJson(text: string, pageUrl: string, project: string): SimpleProject {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DomainError('UPSTREAM_UNAVAILABLE', `the upstream's page for "${project}" is not valid JSON`);
  }
  const d = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const files: SimpleFile[] = [];
  for (const entry of Array.isArray(d.files) ? d.files : []) {
    if (!entry || typeof entry !== 'object') continue;
    const f = entry as Record<string, unknown>;
    const url = str(f.url) && resolve(str(f.url)!, pageUrl);
    const filename = str(f.filename);
    if (!url || !filename || !SAFE_FILENAME.test(filename)) continue;
    const hashes: Record<string, string> = {};
    for (const [k, v] of Object.entries(f.hashes && typeof f.hashes === 'object' ? f.hashes : {})) {
      if (typeof v === 'string' && HASH_NAME.test(k.toLowerCase()) && HEX.test(v.toLowerCase())) hashes[k.toLowerCase()] = v.toLowerCase();
    }
    const core = coreMetadataOf(f['core-metadata'] ?? f['dist-info-metadata'] ?? f['data-dist-info-metadata']);
    files.push({
      filename,
      url: splitFragment(url).url,
      hashes,
      ...(str(f['requires-python']) ? { requiresPython: str(f['requires-python']) } : {}),
      ...(core ? { coreMetadata: core } : {}),
      yanked: f.yanked === true || (typeof f.yanked === 'string' && f.yanked !== '') ? (f.yanked as true | string) : f.yanked === '' ? true : false,
      ...(typeof f.size === 'number' && Number.isSafeInteger(f.size) && f.size >= 0 ? { size: f.size } : {}),
      ...(str(f['upload-time']) ? { uploadTime: str(f['upload-time']) } : {}),
    });
  }
  const versions = Array.isArray(d.versions) ? d.versions.filter((v): v is string => typeof v === 'string') : undefined;
  return { name: project, files, ...(versions ? { versions } : {}) };
}

/** An upstream project page in whichever representation it answered with. */
export function parseProjectPage(body: Buffer, contentType: string | undefined, pageUrl: string, project: string): SimpleProject {
  const text = body.toString('utf8');
  return isJson(body, contentType) ? parseProjectJson(text, pageUrl, project) : parseProjectHtml(text, pageUrl, project);
}

/** The project names of an upstream root page (`/simple/`): PEP 503 anchors' text or PEP 691's `projects`. */
export function parseIndexPage(body: Buffer, contentType: string | undefined): { name: string; displayName: string }[] {
  const names: string[] = [];
  if (isJson(body, contentType)) {
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      throw new DomainError('UPSTREAM_UNAVAILABLE', "the upstream's project list is not valid JSON");
    }
    const projects = doc && typeof doc === 'object' ? (doc as { projects?: unknown }).projects : undefined;
    for (const p of Array.isArray(projects) ? projects : []) if (p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string') names.push((p as { name: string }).name);
  } else {
    let text: string | undefined;
    const parser = new Parser(
      {
        onopentag: (name) => void (name === 'a' && (text = '')),
        ontext: (t) => void (text !== undefined && (text += t)),
        onclosetag: (name) => {
          if (name === 'a' && text !== undefined) names.push(text.trim());
          if (name === 'a') text = undefined;
        },
      },
      { decodeEntities: true, lowerCaseTags: true },
    );
    parser.write(body.toString('utf8'));
    parser.end();
  }
  const seen = new Map<string, string>();
  for (const displayName of names) {
    const name = normalizeName(displayName);
    if (displayName && /^[A-Za-z0-9._-]{1,200}$/.test(displayName) && !seen.has(name)) seen.set(name, displayName);
  }
  return [...seen].map(([name, displayName]) => ({ name, displayName })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
