import type { DomainError } from '../../domain/index.js';
import type { ClientError } from '../../format-kit/index.js';

/**
 * npm's error envelope, `{"error": "<message>"}` (what the npm CLI prints after the status line),
 * with the public registry's statuses: publishing over an existing or unpublished version is 403.
 * https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md
 */
export function npmClientError(error: DomainError): ClientError {
  const status = error.code === 'VERSION_EXISTS' ? 403 : error.status;
  const message = error.code === 'VERSION_EXISTS' ? `You cannot publish over the previously published versions: ${error.message}` : error.message;
  return {
    status,
    headers: status === 401 ? { 'www-authenticate': 'Bearer realm="strata"' } : {},
    contentType: 'application/json',
    body: { error: message },
  };
}
