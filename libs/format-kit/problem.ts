import type { DomainError } from '../domain/index.js';
import { ERROR_CODES } from '../domain/index.js';
import type { ClientError } from './format-plugin.js';

/**
 * RFC 9457 problem details: https://www.rfc-editor.org/rfc/rfc9457#section-3
 * The admin API's error shape, and the generic format's.
 */
export function problemJson(error: DomainError, challenge = 'Bearer realm="strata"'): ClientError {
  const headers: Record<string, string> = {};
  if (error.status === 401) headers['www-authenticate'] = challenge;
  return {
    status: error.status,
    headers,
    contentType: 'application/problem+json',
    body: {
      type: `https://strata.dev/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
      title: ERROR_CODES[error.code].title,
      status: error.status,
      code: error.code,
      detail: error.message,
      ...(error.detail ? { context: error.detail } : {}),
    },
  };
}
