import type { DomainError, ErrorCode } from '../../domain/index.js';
import type { ClientError } from '../../format-kit/index.js';

const BY_DOMAIN_CODE: Partial<Record<ErrorCode, string>> = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'DENIED',
  REPOSITORY_NOT_FOUND: 'NAME_UNKNOWN',
  WRONG_FORMAT: 'NAME_UNKNOWN',
  INVALID_NAME: 'NAME_INVALID',
  DIGEST_MISMATCH: 'DIGEST_INVALID',
  TOO_LARGE: 'SIZE_INVALID',
  RANGE_NOT_SATISFIABLE: 'RANGE_INVALID',
  METHOD_NOT_ALLOWED: 'UNSUPPORTED',
  RATE_LIMITED: 'TOOMANYREQUESTS',
  NOT_FOUND: 'NAME_UNKNOWN',
};

/**
 * The distribution spec's error envelope, `{"errors":[{"code","message","detail"}]}` with its
 * codes: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 * A DomainError names its OCI code in `detail.oci` where the domain code is too coarse
 * (BLOB_UNKNOWN vs MANIFEST_UNKNOWN), and response headers in `detail.headers` (the
 * `WWW-Authenticate` challenge, `Range` and `Location` of an upload refused out of order).
 * The repository (not found, wrong format) is answered as NAME_UNKNOWN, whatever its format.
 */
export function ociClientError(error: DomainError): ClientError {
  const { oci, headers, ...rest } = (error.detail ?? {}) as { oci?: string; headers?: Record<string, string> } & Record<string, unknown>;
  const status = error.code === 'WRONG_FORMAT' ? 404 : error.status;
  const code = oci ?? BY_DOMAIN_CODE[error.code] ?? (status >= 500 ? 'UNKNOWN' : 'UNSUPPORTED');
  const all: Record<string, string> = { 'docker-distribution-api-version': 'registry/2.0', ...(headers ?? {}) };
  if (status === 401 && !all['www-authenticate']) all['www-authenticate'] = 'Bearer realm="/v2/token",service="strata"';
  return {
    status,
    headers: all,
    contentType: 'application/json',
    body: { errors: [{ code, message: error.message, detail: Object.keys(rest).length ? rest : null }] },
  };
}
