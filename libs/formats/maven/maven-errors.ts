import { ERROR_CODES, type DomainError } from '../../domain/index.js';
import type { ClientError } from '../../format-kit/index.js';

/**
 * Maven clients (Maven Resolver's wagon/transport, Gradle) act on the status code alone and print
 * the reason phrase; the body is a short JSON object for people and scripts. A 401 carries a
 * Basic challenge, which `mvn` answers with the `<server>` credentials of its settings.xml.
 */
export function mavenClientError(error: DomainError): ClientError {
  return {
    status: error.status,
    headers: error.status === 401 ? { 'www-authenticate': 'Basic realm="strata", charset="UTF-8"' } : {},
    contentType: 'application/json',
    body: { error: ERROR_CODES[error.code].title, code: error.code, message: error.message },
  };
}
