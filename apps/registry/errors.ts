import type { NextFunction, Request, Response } from 'express';
import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError, type ErrorCode } from '../../libs/domain/index.js';
import { problemJson, type FormatPlugin } from '../../libs/format-kit/index.js';

const DRAIN_LIMIT = 64 * 1024 * 1024;
const HTTP_TO_CODE: Record<number, ErrorCode> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 413: 'TOO_LARGE' };

/** Any thrown thing as a DomainError; unknown errors become INTERNAL (and are logged). */
export function toDomainError(e: unknown, logger: Logger): DomainError {
  if (e instanceof DomainError) return e;
  if (e instanceof HttpException) {
    const status = e.getStatus();
    return new DomainError(HTTP_TO_CODE[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), status === 404 ? 'no such route' : e.message);
  }
  const status = (e as { status?: number; statusCode?: number }).status ?? (e as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && HTTP_TO_CODE[status]) return new DomainError(HTTP_TO_CODE[status], (e as Error).message);
  logger.error({ err: e }, 'unhandled error');
  return new DomainError('INTERNAL', 'internal error; the server log has the details');
}

/** Answers an error in the envelope of the protocol that owns the path (problem+json otherwise). */
export function renderError(e: unknown, req: Request, res: Response, formats: readonly FormatPlugin[], logger: Logger): void {
  const error = toDomainError(e, logger);
  const plugin = formats.find((f) => req.path.startsWith(f.pathPrefix));
  const answer = plugin ? plugin.toClientError(error) : problemJson(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // an error before the body was read (a refused upload): read and drop a bounded amount of it so
  // the client sees this answer instead of a broken pipe; beyond the bound, cut the connection
  if (!req.complete && !req.destroyed) {
    let drained = 0;
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_LIMIT) req.destroy();
    });
    req.resume();
  }
  res.status(answer.status).set(answer.headers ?? {}).type(answer.contentType);
  if (req.method === 'HEAD') res.end();
  else res.send(JSON.stringify(answer.body));
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly formats: readonly FormatPlugin[], private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    renderError(exception, http.getRequest<Request>(), http.getResponse<Response>(), this.formats, this.logger);
  }
}

export const expressErrorHandler =
  (formats: readonly FormatPlugin[], logger: Logger) =>
  (e: unknown, req: Request, res: Response, _next: NextFunction): void =>
    renderError(e, req, res, formats, logger);
