import { DomainError } from './errors.js';

const REPOSITORY_NAME = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

/** Repository names: lowercase letters, digits, `.`, `_`, `-`; 1-64 chars; start and end alphanumeric. */
export function assertRepositoryName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !REPOSITORY_NAME.test(name) || name.includes('..')) {
    throw new DomainError(
      'INVALID_NAME',
      'repository names use lowercase letters, digits, ".", "_" and "-" (1-64 characters, alphanumeric at both ends)',
      { name },
    );
  }
}

export const MAX_PATH_LENGTH = 1024;
export const MAX_SEGMENT_LENGTH = 255;

/**
 * Turns the raw (still percent-encoded) path of a request into a safe list of segments.
 * Refused: `.` and `..` segments (also encoded), encoded `/` inside a segment, backslashes,
 * control characters including NUL, empty segments, over-long paths or segments.
 */
export function parseArtifactPath(rawPath: string): string[] {
  if (rawPath.length === 0) throw new DomainError('INVALID_PATH', 'empty path');
  if (rawPath.length > MAX_PATH_LENGTH * 3) throw new DomainError('INVALID_PATH', 'path too long');
  const segments = rawPath.replace(/^\/+/, '').split('/');
  const decoded = segments.map((raw) => {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw new DomainError('INVALID_PATH', 'malformed percent-encoding in path');
    }
    if (segment === '' ) throw new DomainError('INVALID_PATH', 'empty path segment');
    if (segment === '.' || segment === '..') throw new DomainError('INVALID_PATH', 'relative path segments are not allowed');
    if (segment.includes('/')) throw new DomainError('INVALID_PATH', 'encoded "/" is not allowed in a path segment');
    if (segment.includes('\\')) throw new DomainError('INVALID_PATH', 'backslashes are not allowed in paths');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(segment)) throw new DomainError('INVALID_PATH', 'control characters are not allowed in paths');
    if (segment.length > MAX_SEGMENT_LENGTH) throw new DomainError('INVALID_PATH', 'path segment too long');
    return segment;
  });
  if (decoded.join('/').length > MAX_PATH_LENGTH) throw new DomainError('INVALID_PATH', 'path too long');
  return decoded;
}
