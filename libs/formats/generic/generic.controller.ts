import { Controller, Delete, Get, Head, Inject, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { authorize } from '../../auth/index.js';
import { DomainError, parseArtifactPath, type RepositoryView } from '../../domain/index.js';
import { eventMetadata, FORMAT_SERVICES, parseRange, principalOf, rawPathAfter, type FormatServices } from '../../format-kit/index.js';
import { GenericQueries } from './generic-queries.js';
import { serveFromRemote, serveFromVirtual } from './generic-proxy.js';
import { GENERIC } from './generic.projection.js';

const HEX = { sha256: /^[a-f0-9]{64}$/, sha1: /^[a-f0-9]{40}$/, md5: /^[a-f0-9]{32}$/ };

/**
 * Generic (plain HTTP) repositories at `/generic/<repo>/<path>`, in the manner of WebDAV-style
 * PUT/GET stores: HTTP semantics per RFC 9110 (https://www.rfc-editor.org/rfc/rfc9110):
 * conditional requests (section 13), single byte ranges (section 14), PUT (section 9.3.4).
 */
@Controller('generic')
export class GenericController {
  private readonly queries: GenericQueries;

  constructor(@Inject(FORMAT_SERVICES) private readonly services: FormatServices) {
    this.queries = new GenericQueries(services.sql);
  }

  /** PUT /generic/<repo>/<path>: https://www.rfc-editor.org/rfc/rfc9110#section-9.3.4 */
  @Put(':repo/*path')
  async uploadFile(@Req() req: Request, @Res() res: Response): Promise<void> {
    // counted from the first moment, so a graceful shutdown waits for it
    const done = this.services.traffic.uploadStarted(GENERIC);
    try {
      await this.receive(req, res);
    } finally {
      done();
    }
  }

  private async receive(req: Request, res: Response): Promise<void> {
    const target = await this.target(req, 'write');
    const { path } = target;
    let repository = target.repository;
    // a publish to a virtual repository goes to its hosted publish target, with the caller's rights there
    if (repository.type === 'virtual') {
      repository = await this.services.virtual.publishTarget(repository);
      authorize(principalOf(req), repository, 'write', path || undefined);
    }
    if (!path || req.originalUrl.split('?')[0].endsWith('/')) throw new DomainError('INVALID_PATH', 'PUT needs a file path, not a folder');
    if (repository.type !== 'hosted') throw new DomainError('METHOD_NOT_ALLOWED', `repository "${repository.name}" is ${repository.type}; only hosted repositories accept uploads`);
    const declaredSize = req.get('content-length') === undefined ? undefined : Number(req.get('content-length'));
    if (declaredSize !== undefined && declaredSize > repository.config.maxUploadBytes) {
      throw new DomainError('TOO_LARGE', `${declaredSize} bytes exceeds the repository's limit of ${repository.config.maxUploadBytes}`);
    }
    await this.refuseConflicts(repository, path);
    const mediaType = (req.get('content-type') ?? 'application/octet-stream').slice(0, 255);
    {
      const { files } = await this.services.publish(
        {
          repository,
          format: GENERIC,
          name: path,
          version: '',
          files: [{ path, mediaType, body: req, expected: { ...this.declaredDigests(req), size: declaredSize } }],
        },
        eventMetadata(req),
      );
      const f = files[0];
      this.services.traffic.bytesIn(GENERIC, f.size);
      res
        .status(201)
        .location(req.originalUrl.split('?')[0])
        .json({ repository: repository.name, path, sha256: f.digest.slice('sha256:'.length), sha1: f.sha1, md5: f.md5, size: f.size, mediaType });
    }
  }

  /** HEAD (https://www.rfc-editor.org/rfc/rfc9110#section-9.3.2), declared before GET so Express routes HEAD here. */
  @Head(':repo/*path')
  headFile(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.serve(req, res, false);
  }

  /** GET /generic/<repo>/<path>: a file, or a JSON listing of a folder (trailing slash or no file there). */
  @Get(':repo/*path')
  downloadFile(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.serve(req, res, true);
  }

  @Get(':repo')
  listRoot(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.serve(req, res, true);
  }

  /** DELETE /generic/<repo>/<path>: one ArtifactDeleted event; the blob is freed later by GC. */
  @Delete(':repo/*path')
  async deleteFile(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { repository, path } = await this.target(req, 'delete');
    if (!path) throw new DomainError('INVALID_PATH', 'DELETE needs a file path');
    if (!(await this.queries.file(repository.name, path))) throw new DomainError('NOT_FOUND', `no file at ${path}`);
    await this.services.deleteArtifact(repository.name, GENERIC, path, '', eventMetadata(req));
    res.status(204).end();
  }

  private async serve(req: Request, res: Response, withBody: boolean): Promise<void> {
    const { repository, path } = await this.target(req, 'read');
    if (repository.type === 'remote') return serveFromRemote(this.services, req, res, repository, path);
    if (repository.type === 'virtual') {
      return serveFromVirtual(this.services, this.queries, req, res, repository, path, (member) => this.serveHosted(req, res, member, path, withBody, false));
    }
    await this.serveHosted(req, res, repository, path, withBody, true);
  }

  /** A hosted repository's file or folder; false (nothing sent) when it has neither and `orNotFound` is off. */
  private async serveHosted(req: Request, res: Response, repository: RepositoryView, path: string, withBody: boolean, orNotFound: boolean): Promise<boolean> {
    const wantsFolder = !path || req.originalUrl.split('?')[0].endsWith('/');
    const file = wantsFolder ? null : await this.queries.file(repository.name, path);
    if (!file) {
      const children = await this.queries.folder(repository.name, path);
      if (!children && !orNotFound) return false;
      if (!children) throw new DomainError('NOT_FOUND', `nothing at ${path}`);
      res.status(200).json({ repository: repository.name, path, children });
      return true;
    }
    const etag = `"${file.sha256}"`;
    res.set({
      etag,
      'last-modified': file.publishedAt.toUTCString(),
      'accept-ranges': 'bytes',
      'x-checksum-sha256': file.sha256,
      'x-checksum-sha1': file.sha1,
      'x-checksum-md5': file.md5,
      'content-type': file.mediaType,
      'cache-control': 'private, max-age=0, must-revalidate',
    });
    const inm = req.get('if-none-match');
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
      res.status(304).end();
      return true;
    }
    let range;
    try {
      range = parseRange(req.get('range'), file.size);
    } catch (e) {
      res.set('content-range', `bytes */${file.size}`);
      throw e;
    }
    const ifRange = req.get('if-range');
    if (range && ifRange && ifRange !== etag) range = undefined;
    if (range) res.status(206).set({ 'content-range': `bytes ${range.start}-${range.end}/${file.size}`, 'content-length': String(range.end - range.start + 1) });
    else res.status(200).set('content-length', String(file.size));
    if (!withBody) {
      res.end();
      return true;
    }
    const body = await this.services.blobs.get(file.sha256, range).catch((e) => {
      if (e instanceof DomainError && e.code === 'NOT_FOUND') throw new DomainError('GONE', 'the content of this file has been purged');
      throw e;
    });
    const length = range ? range.end - range.start + 1 : file.size;
    await pipeline(body, res).catch(() => body.destroy());
    this.services.traffic.bytesOut(GENERIC, length);
    return true;
  }

  private async target(req: Request, action: 'read' | 'write' | 'delete'): Promise<{ repository: RepositoryView; path: string }> {
    const rest = rawPathAfter(req, '/generic/');
    const slash = rest.indexOf('/');
    const repoName = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
    const rawPath = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    const repository = await this.services.repository(repoName, GENERIC);
    const path = rawPath ? parseArtifactPath(rawPath).join('/') : '';
    // name-pattern grants apply to generic paths (e.g. `releases/*`)
    authorize(principalOf(req), repository, action, path || undefined);
    return { repository, path };
  }

  /** A file may not sit where a folder is, nor under a file: refuse before reading the body. */
  private async refuseConflicts(repository: RepositoryView, path: string): Promise<void> {
    if (!repository.config.allowRedeploy && (await this.queries.file(repository.name, path))) {
      throw new DomainError('VERSION_EXISTS', `${path} already exists and the repository does not allow redeploy`);
    }
    if (await this.queries.folder(repository.name, path)) throw new DomainError('ALREADY_EXISTS', `${path} is a folder`);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const ancestor = parts.slice(0, i).join('/');
      if (await this.queries.file(repository.name, ancestor)) throw new DomainError('ALREADY_EXISTS', `${ancestor} is a file, not a folder`);
    }
  }

  private declaredDigests(req: Request): { sha256?: string; sha1?: string; md5?: string } {
    const out: { sha256?: string; sha1?: string; md5?: string } = {};
    for (const algo of ['sha256', 'sha1', 'md5'] as const) {
      const value = req.get(`x-checksum-${algo}`)?.trim().toLowerCase();
      if (value === undefined) continue;
      if (!HEX[algo].test(value)) throw new DomainError('BAD_REQUEST', `X-Checksum-${algo[0].toUpperCase()}${algo.slice(1)} must be ${algo} hex`);
      out[algo] = value;
    }
    return out;
  }
}
