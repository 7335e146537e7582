import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../domain/index.js';
import { FORMAT_SERVICES, rawPathAfter, type FormatServices } from '../../format-kit/index.js';
import { getUser, loginUser, noAdvisories, ping, whoami } from './account.js';
import { getAttestations } from './attestations.js';
import { removeDistTag, setDistTag } from './dist-tags.js';
import { discardBody, documentLimit, isObject, readJsonBody } from './json-body.js';
import { allows, authorizeFor, requireHosted, type NpmContext } from './npm-context.js';
import { assertPackageName } from './npm-names.js';
import { NpmQueries } from './npm-queries.js';
import { handleProxied } from './npm-proxy.js';
import { parseNpmRoute, type NpmRoute } from './npm-route.js';
import { NPM } from './npm.projection.js';
import { NpmPackageReads } from './package-reads.js';
import { NpmPackageUpdates } from './package-updates.js';
import { publishPackage } from './publish.js';
import { searchPackages } from './search.js';
import { createToken, listTokens, revokeToken } from './tokens.js';
import { NpmWebLogin } from './web-login.js';

/**
 * npm repositories at `/npm/<repo>/`: the registry API the npm CLI speaks
 * (https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md). Its paths do not fit a
 * router's patterns (encoded and raw scoped names, `-rev`, `org.couchdb.user:`), so one route takes
 * them all and `parseNpmRoute` names the operation; each operation is a handler with its spec link.
 */
@Controller('npm')
export class NpmController {
  private readonly queries: NpmQueries;
  private readonly reads = new NpmPackageReads();
  private readonly updates = new NpmPackageUpdates();
  private readonly webLogin: NpmWebLogin;

  constructor(@Inject(FORMAT_SERVICES) private readonly services: FormatServices) {
    this.queries = new NpmQueries(services.sql);
    this.webLogin = new NpmWebLogin(services.sql);
  }

  @All(':repo/*path')
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    const route = parseNpmRoute(req.method, rawPathAfter(req, '/npm/'));
    if (!route) throw new DomainError('NOT_FOUND', `no npm registry endpoint ${req.method} ${req.path}`);
    const repository = await this.services.repository(route.repo, NPM);
    const ctx: NpmContext = { req, res, repository, services: this.services, queries: this.queries };
    // remote and virtual repositories answer reads themselves; a virtual one sends writes to its publish target
    if (await handleProxied(ctx, route, this.reads)) return;
    await this.dispatch(ctx, route);
  }

  private async dispatch(ctx: NpmContext, route: NpmRoute): Promise<void> {
    switch (route.op) {
      case 'packument':
        return this.reads.getPackument(ctx, route.name);
      case 'versionManifest':
        return this.reads.getVersionManifest(ctx, route.name, route.spec);
      case 'tarball':
        return this.reads.downloadTarball(ctx, route.name, route.file);
      case 'distTagsList':
        return this.reads.listDistTags(ctx, route.name);
      case 'distTagSet':
        return setDistTag(ctx, route.name, route.tag);
      case 'distTagRemove':
        return removeDistTag(ctx, route.name, route.tag);
      case 'publishOrUpdate':
        return this.publishOrUpdate(ctx, route.name);
      case 'updateRev': {
        // unpublishing a version needs `delete`, deprecating or changing owners `write`: checked per change
        const doc = await this.document(ctx, route.name, 'write', 'delete');
        return this.updates.updateRevision(ctx, route.name, route.rev, doc);
      }
      case 'unpublishAll':
        return this.changing(ctx, route.name, 'delete', () => this.updates.unpublishPackage(ctx, route.name, route.rev));
      case 'tarballDelete':
        return this.changing(ctx, route.name, 'delete', () => this.updates.deleteTarball(ctx, route.name, route.file));
      case 'whoami':
        return whoami(ctx);
      case 'ping':
        return ping(ctx);
      case 'search':
        return searchPackages(ctx);
      case 'userGet':
        return getUser(ctx, route.user);
      case 'userLogin':
        return loginUser(ctx, route.user);
      case 'webLogin':
        return this.webLogin.start(ctx);
      case 'webLoginForm':
        return this.webLogin.showForm(ctx, route.id);
      case 'webLoginSubmit':
        return this.webLogin.submitForm(ctx);
      case 'webLoginSsoReturn':
        return this.webLogin.showSsoReturn(ctx, route.id);
      case 'webLoginSsoComplete':
        return this.webLogin.completeSso(ctx);
      case 'webLoginDone':
        return this.webLogin.collect(ctx, route.id);
      case 'tokensList':
        return listTokens(ctx);
      case 'tokenCreate':
        return createToken(ctx);
      case 'tokenRevoke':
        return revokeToken(ctx, route.key);
      case 'attestations':
        return getAttestations(ctx, route.name, route.version);
      case 'audit':
        await discardBody(ctx.req, 64 * 1024 * 1024);
        return noAdvisories(ctx);
    }
  }

  /** PUT /<name>: a publish when the document carries `_attachments`, otherwise an update (deprecate). */
  private async publishOrUpdate(ctx: NpmContext, name: string): Promise<void> {
    const done = this.services.traffic.uploadStarted(NPM);
    try {
      const doc = await this.document(ctx, name, 'write');
      if (isObject(doc) && isObject(doc._attachments) && Object.keys(doc._attachments).length > 0) await publishPackage(ctx, name, doc);
      else await this.updates.updatePackage(ctx, name, doc);
    } finally {
      done();
    }
  }

  /** Authorises a change (any of `actions`) to a package of a hosted repository, then reads its JSON document (bounded). */
  private async document(ctx: NpmContext, name: string, ...actions: ('write' | 'delete')[]): Promise<unknown> {
    assertPackageName(name);
    try {
      authorizeFor(ctx, actions[0], name);
    } catch (e) {
      if (!actions.slice(1).some((a) => allows(ctx, a, name))) throw e;
    }
    requireHosted(ctx.repository);
    return readJsonBody(ctx.req, documentLimit(ctx.repository.config.maxUploadBytes));
  }

  private async changing(ctx: NpmContext, name: string, action: 'delete', change: () => Promise<void>): Promise<void> {
    assertPackageName(name);
    authorizeFor(ctx, action, name);
    requireHosted(ctx.repository);
    await change();
  }
}
