import { DomainError } from '../../domain/index.js';
import type { ExpectedDigests } from '../../ports/index.js';
import { isObject } from './json-body.js';
import { bareName, tarballFile } from './npm-names.js';
import { ABBREVIATED, pick } from './packument.js';

/**
 * Packuments of remote and virtual repositories, as pure functions: an upstream's document
 * rewritten so that every tarball URL points back at Strata (with the digests Strata recorded),
 * and the documents of a virtual repository's members merged into one.
 * https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md
 */
export type Packument = Record<string, unknown> & {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, Record<string, unknown>>;
  time?: Record<string, string>;
};

/** What Strata recorded of a tarball it fetched (a StoredFile's digests, hex). */
export interface RecordedDigests {
  sha1?: string;
  sha512?: string;
}

/** Fields of an upstream document that are the upstream's own bookkeeping, never served. */
const UPSTREAM_PRIVATE = ['_attachments', '_uplinks', '_distfiles'];

/** Where a remote repository keeps a tarball: the same `<name>/-/<file>` layout as its URL. */
export const proxiedTarballPath = (name: string, file: string) => `${name}/-/${file}`;

/** `sha512-<base64>` (Subresource Integrity, what `dist.integrity` holds) from a hex digest. */
export const sriFromHex = (hex: string) => `sha512-${Buffer.from(hex, 'hex').toString('base64')}`;

/** The version a tarball file name stands for (`name-1.2.3.tgz`, scope dropped), or null. */
export function versionOfFile(name: string, file: string): string | null {
  const prefix = `${bareName(name)}-`;
  if (!file.startsWith(prefix) || !file.endsWith('.tgz') || file.length <= prefix.length + 4) return null;
  return file.slice(prefix.length, -'.tgz'.length);
}

/** The upstream path of a package document: scoped names encoded the way npm sends them (`@scope%2fname`). */
export const packumentPath = (name: string) => name.replace('/', '%2f');

/**
 * What an upstream version declares for its tarball: where it is and its digests, as the blob
 * store checks them (`dist.integrity`'s sha512, base64 in SRI, to hex; `dist.shasum`, sha1).
 * Null when the version has no tarball URL.
 */
export function declaredTarball(version: unknown): { url: string; expected: ExpectedDigests } | null {
  const dist = isObject(version) && isObject(version.dist) ? version.dist : undefined;
  if (!dist || typeof dist.tarball !== 'string' || !dist.tarball) return null;
  const expected: ExpectedDigests = {};
  if (typeof dist.integrity === 'string') {
    for (const part of dist.integrity.trim().split(/\s+/)) {
      const m = /^sha512-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(part);
      const bytes = m ? Buffer.from(m[1], 'base64') : undefined;
      if (bytes?.length === 64) expected.sha512 = bytes.toString('hex');
    }
  }
  if (typeof dist.shasum === 'string' && /^[a-fA-F0-9]{40}$/.test(dist.shasum)) expected.sha1 = dist.shasum.toLowerCase();
  return { url: dist.tarball, expected };
}

/** Parses a document an upstream served; anything but a packument of `name` is the upstream's fault (502). */
export function parseUpstreamPackument(body: Buffer, name: string): Packument {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw new DomainError('UPSTREAM_UNAVAILABLE', `the upstream's document for ${name} is not JSON`);
  }
  if (!isObject(doc) || !isObject(doc.versions) || (doc.name !== undefined && doc.name !== name)) {
    throw new DomainError('UPSTREAM_UNAVAILABLE', `the upstream's document for ${name} is not a packument of ${name}`);
  }
  const versions = Object.fromEntries(Object.entries(doc.versions).filter((e): e is [string, Record<string, unknown>] => isObject(e[1])));
  const tags = isObject(doc['dist-tags']) ? Object.fromEntries(Object.entries(doc['dist-tags']).filter((e): e is [string, string] => typeof e[1] === 'string' && !!versions[e[1]])) : {};
  return { ...doc, name, 'dist-tags': tags, versions };
}

/**
 * An upstream packument as a remote repository serves it: tarball URLs at
 * `<tarballBase>/<name>/-/<name>-<version>.tgz`, and for tarballs already recorded (by
 * `proxiedTarballPath`) the recorded `integrity` and `shasum`, so that a client always checks the
 * bytes Strata serves (an upstream that changes a published version changes nothing here).
 */
export function rewriteUpstreamPackument(doc: Packument, options: { tarballBase: string; recorded: Map<string, RecordedDigests>; abbreviated: boolean }): Packument {
  const { name } = doc;
  const versions: Packument['versions'] = {};
  for (const [version, manifest] of Object.entries(doc.versions)) {
    const file = tarballFile(name, version);
    const dist: Record<string, unknown> = { ...(isObject(manifest.dist) ? manifest.dist : {}), tarball: `${options.tarballBase}/${name}/-/${file}` };
    const recorded = options.recorded.get(proxiedTarballPath(name, file));
    if (recorded) {
      const integrity = recorded.sha512 ? sriFromHex(recorded.sha512) : undefined;
      // the upstream's signatures sign its integrity: they stay only while that is what is served
      if (integrity !== dist.integrity || recorded.sha1 !== dist.shasum) delete dist.signatures;
      if (integrity) dist.integrity = integrity;
      else delete dist.integrity;
      if (recorded.sha1) dist.shasum = recorded.sha1;
      else delete dist.shasum;
    }
    versions[version] = { ...manifest, dist };
  }
  const rewritten: Packument = { ...doc, versions };
  for (const key of UPSTREAM_PRIVATE) delete rewritten[key];
  return options.abbreviated ? abbreviate(rewritten) : rewritten;
}

/** The abbreviated install document of a packument (whatever the upstream sent, full or abbreviated). */
export function abbreviate(doc: Packument): Packument {
  const modified = typeof doc.modified === 'string' ? doc.modified : doc.time?.modified;
  return {
    name: doc.name,
    ...(modified ? { modified } : {}),
    'dist-tags': doc['dist-tags'],
    versions: Object.fromEntries(Object.entries(doc.versions).map(([v, m]) => [v, pick(m, ABBREVIATED)])),
  };
}

const latestTime = (times: (string | undefined)[]) => times.filter((t): t is string => !!t).sort().pop();

/**
 * One packument from the documents of a virtual repository's members (in member order): each
 * version from the first member that has it; `dist-tags`, description, readme and the other
 * package-level fields from the first member that has the package (tags name versions of that
 * member, so `latest` never moves to another member's version behind its publisher's back).
 * Tarball URLs point at the virtual repository itself (`<tarballBase>/<name>/-/<file>`): the
 * lockfiles npm writes keep one registry, whose token `.npmrc` already holds.
 */
export function mergePackuments(docs: Packument[], options: { tarballBase: string; abbreviated: boolean }): Packument {
  const [first] = docs;
  const versions: Packument['versions'] = {};
  const time: Record<string, string> = {};
  for (const doc of docs) {
    for (const [version, manifest] of Object.entries(doc.versions)) {
      if (versions[version]) continue;
      const dist = isObject(manifest.dist) ? manifest.dist : {};
      versions[version] = { ...manifest, dist: { ...dist, tarball: `${options.tarballBase}/${first.name}/-/${tarballFile(first.name, version)}` } };
      if (doc.time?.[version]) time[version] = doc.time[version];
    }
  }
  const modified = latestTime(docs.map((d) => (typeof d.modified === 'string' ? d.modified : d.time?.modified)));
  if (options.abbreviated) return { name: first.name, ...(modified ? { modified } : {}), 'dist-tags': first['dist-tags'], versions };
  const created = docs.map((d) => d.time?.created).filter((t): t is string => !!t).sort()[0];
  const merged: Packument = { ...first, 'dist-tags': first['dist-tags'], versions, time: { ...(created ? { created } : {}), ...(modified ? { modified } : {}), ...time } };
  // a merged document has no revision of its own: changes go to the publish target, read with ?write=true
  delete merged._rev;
  return merged;
}
