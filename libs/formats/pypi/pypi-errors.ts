import type { Response } from 'express';
import type { DomainError } from '../../domain/index.js';
import { problemJson, type ClientError } from '../../format-kit/index.js';

/**
 * PyPI answers a refused upload with 400 and the reason, also as the HTTP reason phrase, which
 * twine prints ("400 File already exists ..."; `twine upload --skip-existing` looks for "already
 * exist" there): https://docs.pypi.org/api/upload/ and
 * https://github.com/pypa/twine/blob/main/twine/commands/upload.py (skip_upload).
 * Errors travel as RFC 9457 problem+json; 401 challenges for Basic, which pip and twine answer.
 */
export function pypiClientError(error: DomainError): ClientError {
  const conflict = error.code === 'FILE_EXISTS' || error.code === 'VERSION_EXISTS';
  const answer = problemJson(error, 'Basic realm="strata", charset="UTF-8"');
  if (!conflict) return answer;
  return { ...answer, status: 400, body: { ...(answer.body as object), status: 400 } };
}

/** Sets the HTTP reason phrase to an error's message (printable ASCII only, bounded). */
export function setReasonPhrase(res: Response, error: DomainError): void {
  if (res.headersSent) return;
  // eslint-disable-next-line no-control-regex
  res.statusMessage = error.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 200) || 'Error';
}
