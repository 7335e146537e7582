import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/index.js';
import { isObject } from './json-body.js';

/** A provenance bundle sent with a publish (`npm publish --provenance`), checked. */
export interface ProvenanceBundle {
  /** the bundle as sent (JSON text), stored as a file of the version */
  bytes: Buffer;
  /** the bundle's own media type, e.g. `application/vnd.dev.sigstore.bundle+json;version=0.2` */
  mediaType: string;
  /** the in-toto statement's predicate type, e.g. `https://slsa.dev/provenance/v1` */
  predicateType: string;
}

/** A sigstore bundle is a few KiB (certificate chain, one transparency log entry, the statement). */
export const MAX_BUNDLE_BYTES = 1024 * 1024;
const SIGSTORE_BUNDLE = /^application\/vnd\.dev\.sigstore\.bundle(\+json;version=\d+\.\d+|\.v\d+\.\d+\+json)$/;
const IN_TOTO = 'application/vnd.in-toto+json';

const bad = (why: string) => new DomainError('INVALID_PACKAGE', `the provenance bundle is not usable: ${why}`);

/** The package URL npm puts in the statement's subject (npm-package-arg's toPurl): `pkg:npm/%40scope/name@1.0.0`. */
export const packagePurl = (name: string, version: string) => `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;

/**
 * The `<name>-<version>.sigstore` attachment libnpmpublish adds for `--provenance`
 * (https://github.com/npm/cli/blob/latest/workspaces/libnpmpublish/lib/publish.js, buildMetadata):
 * `{content_type: bundle.mediaType, data: JSON.stringify(bundle), length}`, the data as JSON text,
 * not base64. The bundle (https://github.com/sigstore/protobuf-specs, Bundle) must carry a DSSE
 * envelope with an in-toto statement (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md)
 * whose one subject is this package version with the tarball's sha512. The signatures are not
 * verified here (that needs Sigstore's trust root, which clients fetch themselves).
 */
export function parseProvenanceAttachment(attachment: unknown, name: string, version: string, tarball: Buffer): ProvenanceBundle {
  if (!isObject(attachment) || typeof attachment.data !== 'string' || !attachment.data) throw bad('the attachment has no data');
  const bytes = Buffer.from(attachment.data, 'utf8');
  if (bytes.length > MAX_BUNDLE_BYTES) throw new DomainError('TOO_LARGE', `the provenance bundle is larger than ${MAX_BUNDLE_BYTES} bytes`);
  let bundle: unknown;
  try {
    bundle = JSON.parse(attachment.data);
  } catch {
    throw bad('it is not JSON');
  }
  if (!isObject(bundle) || typeof bundle.mediaType !== 'string' || !SIGSTORE_BUNDLE.test(bundle.mediaType)) throw bad('it has no sigstore bundle mediaType');
  if (attachment.content_type !== undefined && attachment.content_type !== bundle.mediaType) throw bad(`content_type "${String(attachment.content_type)}" is not the bundle's mediaType`);
  const envelope = bundle.dsseEnvelope;
  if (!isObject(envelope) || typeof envelope.payload !== 'string' || envelope.payloadType !== IN_TOTO) throw bad(`it has no DSSE envelope with an ${IN_TOTO} payload`);
  if (!Array.isArray(envelope.signatures) || envelope.signatures.length === 0) throw bad('the envelope is not signed');
  if (!isObject(bundle.verificationMaterial)) throw bad('it has no verificationMaterial');
  let statement: unknown;
  try {
    statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  } catch {
    throw bad('the envelope payload is not a base64 JSON statement');
  }
  if (!isObject(statement) || typeof statement.predicateType !== 'string' || !/^https?:\/\/\S+$/.test(statement.predicateType)) throw bad('the statement has no predicateType');
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  if (subjects.length !== 1 || !isObject(subjects[0])) throw bad('the statement must have exactly one subject');
  const subject = subjects[0];
  const purl = packagePurl(name, version);
  if (typeof subject.name !== 'string' || subject.name.split('?')[0] !== purl) throw bad(`its subject is ${String(subject.name)}, not ${purl}`);
  const sha512 = createHash('sha512').update(tarball).digest('hex');
  if (!isObject(subject.digest) || subject.digest.sha512 !== sha512) throw bad("its subject's sha512 is not the tarball's");
  return { bytes, mediaType: bundle.mediaType, predicateType: statement.predicateType };
}
