import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Authenticator } from '../../libs/auth/index.js';
import { DomainError } from '../../libs/domain/index.js';
import type { FormatPlugin, StrataRequest } from '../../libs/format-kit/index.js';
import type { RegistryMetrics } from './metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Request id from X-Request-Id (when sane) or a new one, echoed back; logs carry it on every line. */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req, res) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    // secrets never reach the log: credentials are redacted from every serialised request
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-nuget-apikey"]', 'req.headers["proxy-authorization"]'], censor: '[redacted]' },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
  });
}

/** Resolves the caller's token into a principal. A token that is presented but unknown is a 401. */
export function authentication(authenticator: Authenticator, formats: readonly FormatPlugin[]) {
  const signInPaths = formats.flatMap((f) => f.signInPaths ?? []);
  return (req: Request, _res: Response, next: NextFunction) => {
    const requestId = String((req as unknown as { id: string }).id ?? randomUUID());
    (req as StrataRequest).strata = { requestId, principal: null };
    authenticator
      .authenticate(req.headers, req.ip ?? req.socket.remoteAddress)
      .then((principal) => {
        (req as StrataRequest).strata.principal = principal;
        next();
      })
      .catch((e) => {
        // a sign-in route checks the credentials in its body; a stale header token must not block it
        if (e instanceof DomainError && e.code === 'UNAUTHORIZED' && signInPaths.some((p) => p.test(req.path))) next();
        else next(e);
      });
  };
}

export function requestMetrics(metrics: RegistryMetrics, formats: readonly FormatPlugin[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const format = formats.find((f) => req.path.startsWith(f.pathPrefix))?.format ?? (req.path.startsWith('/api/') ? 'admin' : 'other');
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.requests.inc({ format, route, method: req.method, status: String(res.statusCode) });
      metrics.latency.observe({ format, route, method: req.method }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
