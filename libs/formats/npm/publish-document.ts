import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/index.js';
import { isObject } from './json-body.js';
import { assertDistTag, assertNewPackageName, assertVersion, tarballFile } from './npm-names.js';
import { BASE_URL_MARK } from './packument.js';
import { parseProvenanceAttachment, type ProvenanceBundle } from './provenance.js';

/** What a publish document asks for, checked and decoded. */
export interface PublishIntent {
  version: string;
  /** the version's package.json as published, without `readme`, `dist` and `_id` (the registry owns those) */
  manifest: Record<string, unknown>;
  readme?: string;
  tarball: Buffer;
  /** sha512 SRI and sha1 hex of the tarball, computed here */
  integrity: string;
  shasum: string;
  /** the dist-tags the document points at this version (npm sends `latest` or `--tag`) */
  tags: string[];
  /** the sigstore bundle of `npm publish --provenance`, when sent */
  provenance?: ProvenanceBundle;
}

/** npm keeps at most this much readme per package (the public registry truncates at 64 KiB too). */
export const MAX_README = 64 * 1024;
/** the manifest goes into the event log: keep it to what package.json files really are */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const bad = (message: string) => new DomainError('INVALID_PACKAGE', message);
/**
 * A publish body (`PUT /<name>` with `_attachments`), as libnpmpublish builds it:
 * https://github.com/npm/cli/blob/latest/workspaces/libnpmpublish/lib/publish.js
 * Exactly one version with exactly one tarball attachment (and at most one `.sigstore` provenance
 * bundle); the tarball's sha512 and sha1 must match `dist.integrity` and `dist.shasum` as the
 * client declared them.
 */
export function parsePublishDocument(doc: unknown, routeName: string): PublishIntent {
  if (!isObject(doc)) throw new DomainError('BAD_REQUEST', 'the publish body must be a JSON object');
  assertNewPackageName(routeName);
  if (doc.name !== undefined && doc.name !== routeName) throw bad(`the document names "${String(doc.name)}" but was sent to "${routeName}"`);
  if (doc._id !== undefined && doc._id !== routeName) throw bad(`the document's _id "${String(doc._id)}" does not match "${routeName}"`);
  if (!isObject(doc.versions)) throw bad('the document has no versions');
  if (!isObject(doc._attachments)) throw bad('the document has no _attachments');
  const attachments = Object.entries(doc._attachments);
  const tarballs = attachments.filter(([n]) => n.endsWith('.tgz'));
  const bundles = attachments.filter(([n]) => n.endsWith('.sigstore'));
  if (tarballs.length !== 1 || bundles.length > 1 || attachments.length !== tarballs.length + bundles.length) {
    throw bad(`expected one tarball attachment and at most one .sigstore provenance bundle, got ${JSON.stringify(attachments.map(([n]) => n)).slice(0, 300)}`);
  }
  const [attachmentName, attachment] = tarballs[0];
  const candidates = Object.keys(doc.versions).filter((v) => attachmentName === `${routeName}-${v}.tgz` || attachmentName === tarballFile(routeName, v));
  if (candidates.length !== 1) throw bad(`the attachment "${attachmentName}" does not name one of the document's versions`);
  const version = candidates[0];
  assertVersion(version);
  const given = doc.versions[version];
  if (!isObject(given)) throw bad(`versions["${version}"] must be an object`);
  if (given.name !== routeName || given.version !== version) throw bad(`versions["${version}"] must name ${routeName}@${version}`);

  const tarball = decodeAttachment(attachment);
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  const shasum = createHash('sha1').update(tarball).digest('hex');
  const dist = isObject(given.dist) ? given.dist : {};
  if (dist.integrity === undefined && dist.shasum === undefined) throw bad('dist.integrity or dist.shasum must say what the tarball is');
  if (dist.shasum !== undefined && String(dist.shasum).toLowerCase() !== shasum) {
    throw new DomainError('DIGEST_MISMATCH', `the tarball's sha1 is ${shasum}, but dist.shasum says ${String(dist.shasum)}`);
  }
  if (dist.integrity !== undefined) verifyIntegrity(String(dist.integrity), tarball);
  let provenance: ProvenanceBundle | undefined;
  if (bundles.length === 1) {
    const [bundleName, bundle] = bundles[0];
    if (bundleName !== `${routeName}-${version}.sigstore`) throw bad(`the attachment "${bundleName}" is not the provenance bundle of ${routeName}@${version}`);
    provenance = parseProvenanceAttachment(bundle, routeName, version, tarball);
  }

  const { readme, dist: _dist, _id, ...manifest } = given;
  if (JSON.stringify(manifest).includes(JSON.stringify(BASE_URL_MARK).slice(1, -1))) throw bad('the manifest contains a reserved marker');
  if (Buffer.byteLength(JSON.stringify(manifest)) > MAX_MANIFEST_BYTES) throw new DomainError('TOO_LARGE', `versions["${version}"] is larger than ${MAX_MANIFEST_BYTES} bytes`);
  const text = typeof readme === 'string' ? readme : typeof doc.readme === 'string' ? doc.readme : undefined;
  const tags = Object.entries(isObject(doc['dist-tags']) ? doc['dist-tags'] : {})
    .filter(([, v]) => v === version)
    .map(([tag]) => tag);
  tags.forEach(assertDistTag);
  return { version, manifest, ...(text ? { readme: text.slice(0, MAX_README) } : {}), tarball, integrity, shasum, tags, ...(provenance ? { provenance } : {}) };
}

function decodeAttachment(attachment: unknown): Buffer {
  if (!isObject(attachment) || typeof attachment.data !== 'string') throw bad('the attachment has no base64 data');
  const data = attachment.data.replace(/\s+/g, '');
  if (data.length % 4 !== 0 || !BASE64.test(data)) throw bad('the attachment data is not valid base64');
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length === 0) throw bad('the attachment is empty');
  if (attachment.length !== undefined && attachment.length !== bytes.length) {
    throw bad(`the attachment decodes to ${bytes.length} bytes, but its length says ${String(attachment.length)}`);
  }
  return bytes;
}

/** Subresource Integrity (https://www.w3.org/TR/SRI/): every sha512/sha384/sha256/sha1 entry must match; one must be present. */
function verifyIntegrity(sri: string, bytes: Buffer): void {
  let checked = 0;
  for (const entry of sri.trim().split(/\s+/)) {
    const m = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(entry);
    if (!m) continue;
    const actual = createHash(m[1]).update(bytes).digest('base64');
    if (actual !== m[2]) throw new DomainError('DIGEST_MISMATCH', `the tarball's ${m[1]} is ${actual}, but dist.integrity says ${m[2]}`);
    checked++;
  }
  if (checked === 0) throw bad(`dist.integrity "${sri.slice(0, 100)}" has no sha512, sha384, sha256 or sha1 entry`);
}

/** The tarball's own package.json must be the version being published. */
export function assertTarballMatches(packageJson: Record<string, unknown>, name: string, version: string): void {
  if (packageJson.name !== name || packageJson.version !== version) {
    throw bad(`the tarball's package/package.json is ${String(packageJson.name)}@${String(packageJson.version)}, not ${name}@${version}`);
  }
}
