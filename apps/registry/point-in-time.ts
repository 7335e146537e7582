import type { NextFunction, Request, Response } from 'express';
import { canSee, authorize } from '../../libs/auth/index.js';
import { DomainError } from '../../libs/domain/index.js';
import type { FormatPlugin, StrataRequest } from '../../libs/format-kit/index.js';
import { parseViewPoint, runInView, type PointInTimeViews, type ViewScope } from '../../libs/app/index.js';
import type { RepositoryQueries } from '../../libs/app/index.js';

const VIEW_PATH = /^\/@([^/]+)(\/.*)$/;

type ViewRequest = Request & { strataPoint?: string };

/**
 * `/@<RFC 3339 time or event position>/<format path>`: strips the prefix before routing, so the
 * format's own routes (and its error envelope) serve the request, and remembers the point
 * (the request log shows the point in `view`).
 */
export function pointInTimeRewrite() {
  return (req: Request, _res: Response, next: NextFunction) => {
    const m = VIEW_PATH.exec(req.url);
    if (m) {
      (req as ViewRequest).strataPoint = m[1];
      // formats route on the URL they see (some on originalUrl): both lose the prefix
      req.url = m[2];
      req.originalUrl = m[2];
    }
    next();
  };
}

/**
 * After authentication: checks read access to the repository, opens (or builds) its view at the
 * point and runs the rest of the request inside it (`viewAwareSql` then reads the view). Views are
 * read-only: anything but GET and HEAD is a 405 in the format's own shape.
 */
export function pointInTimeViews(views: PointInTimeViews, repositories: RepositoryQueries, formats: readonly FormatPlugin[]) {
  async function open(req: ViewRequest, res: Response, text: string): Promise<ViewScope> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new DomainError('METHOD_NOT_ALLOWED', 'a point-in-time view is read-only');
    const point = parseViewPoint(text);
    const format = formats.find((f) => req.path.startsWith(f.pathPrefix));
    const name = format ? decodeURIComponent(req.path.slice(format.pathPrefix.length).split('/')[0] ?? '') : '';
    if (!format || !name) throw new DomainError('NOT_FOUND', 'a point-in-time view serves a repository path, e.g. /@2026-11-01T00:00:00Z/npm/<repo>/');
    const principal = (req as StrataRequest).strata?.principal ?? null;
    const repository = await repositories.find(name);
    // a repository deleted since is still viewable, by admins only
    if (repository && !canSee(principal, repository)) authorize(principal, repository, 'read');
    if (!repository && !principal?.isAdmin) throw new DomainError('REPOSITORY_NOT_FOUND', `repository "${name}" does not exist`);
    const view = await views.open(name, format.format, point);
    res.setHeader('x-strata-view-position', String(view.position));
    return { schema: view.schema, position: view.position, prefix: `/@${text}` };
  }
  return (req: Request, res: Response, next: NextFunction) => {
    const text = (req as ViewRequest).strataPoint;
    if (!text) return next();
    open(req as ViewRequest, res, text).then((scope) => runInView(scope, () => next()), next);
  };
}
