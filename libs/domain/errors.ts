/**
 * Domain errors carry a symbolic code. The table below is the one place that gives each code its
 * HTTP status and default message; every protocol maps these into its own error envelope.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  INVALID_NAME: { status: 400, title: 'Invalid name' },
  INVALID_PATH: { status: 400, title: 'Invalid path' },
  INVALID_PACKAGE: { status: 400, title: 'Invalid package' },
  DIGEST_MISMATCH: { status: 400, title: 'Digest mismatch' },
  UNAUTHORIZED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  REPOSITORY_NOT_FOUND: { status: 404, title: 'Repository not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  ALREADY_EXISTS: { status: 409, title: 'Already exists' },
  VERSION_EXISTS: { status: 409, title: 'Version already exists' },
  FILE_EXISTS: { status: 409, title: 'File already exists' },
  CONCURRENCY_CONFLICT: { status: 409, title: 'Concurrent modification' },
  GONE: { status: 410, title: 'Gone' },
  TOO_LARGE: { status: 413, title: 'Payload too large' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'Range not satisfiable' },
  WRONG_FORMAT: { status: 400, title: 'Wrong format for repository' },
  UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  UPSTREAM_UNAVAILABLE: { status: 502, title: 'Upstream unavailable' },
  UPSTREAM_REFUSED: { status: 502, title: 'Upstream address refused' },
  UPSTREAM_MISMATCH: { status: 502, title: 'Upstream content changed' },
  TIMEOUT: { status: 504, title: 'Timed out' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message ?? ERROR_CODES[code].title);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
