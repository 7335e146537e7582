import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/index.js';

export const OCI = 'oci';

/** What a ManifestPushed event's `metadata` holds for the read models. */
export interface ManifestEventMetadata {
  mediaType: string;
  size: number;
  /** store address of the manifest bytes */
  sha256: string;
  artifactType?: string;
  subject?: string;
  annotations?: Record<string, string>;
  chart?: { name?: string; version?: string; appVersion?: string; description?: string };
}

/** A repository path component: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests */
const NAME_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
/** https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests */
export const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** sha256 and sha512 digests (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests) */
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export const isDigest = (s: string): boolean => DIGEST.test(s);

/** Validates an image name below the repository (`team/app`); NAME_INVALID otherwise. */
export function assertImageName(name: string): void {
  const parts = name.split('/');
  if (name.length > 255 || parts.some((p) => !NAME_COMPONENT.test(p))) {
    throw new DomainError('INVALID_NAME', `invalid repository name "${name}"`, { oci: 'NAME_INVALID' });
  }
}

/** DIGEST_INVALID unless `s` is a sha256 or sha512 digest we can verify. */
export function parseDigest(s: string | undefined, what = 'digest'): string {
  if (!s || !DIGEST.test(s)) {
    const unsupported = !!s && !/^sha(256|512):/.test(s) && /^[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(s);
    throw new DomainError(unsupported ? 'BAD_REQUEST' : 'DIGEST_MISMATCH', `${what} "${s ?? ''}" is not a valid sha256 or sha512 digest`, { oci: unsupported ? 'UNSUPPORTED' : 'DIGEST_INVALID' });
  }
  return s;
}

export const digestOf = (algorithm: 'sha256' | 'sha512', bytes: Buffer): string => `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;

/** The digest algorithm and hex. */
export function splitDigest(digest: string): { algorithm: 'sha256' | 'sha512'; hex: string } {
  const [algorithm, hex] = digest.split(':');
  return { algorithm: algorithm as 'sha256' | 'sha512', hex };
}
