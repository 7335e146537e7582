import { DomainError } from '../../domain/index.js';
import { isObject } from './json-body.js';
import { authorizeFor, metadataOf, sendJson, targetOf, type NpmContext } from './npm-context.js';
import { highestVersion, tarballFile } from './npm-names.js';
import type { NpmPackageState } from './npm-state.js';
import { NPM } from './npm.projection.js';

/**
 * Changes the npm CLI makes by sending the packument back (CouchDB style): deprecate, unpublish
 * of one version, owners. Each is diffed against the current state and recorded as events; nothing
 * else in the document is taken. https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md
 */
export class NpmPackageUpdates {
  /**
   * PUT /<name> without attachments: `npm deprecate` (the packument with `deprecated` set on the
   * matching versions; '' takes it back). https://github.com/npm/cli/blob/latest/lib/commands/deprecate.js
   */
  async updatePackage(ctx: NpmContext, name: string, doc: unknown): Promise<void> {
    if (!isObject(doc) || !isObject(doc.versions)) throw new DomainError('BAD_REQUEST', 'expected a package document with versions (or _attachments to publish)');
    const current = await this.current(ctx, name, typeof doc._rev === 'string' ? doc._rev : undefined);
    await this.applyDeprecations(ctx, name, current, doc.versions);
    sendJson(ctx, 200, { ok: true, id: name });
  }

  /**
   * PUT /<name>/-rev/<rev>: `npm unpublish <name>@<version>` sends the packument without that
   * version (https://github.com/npm/cli/blob/latest/workspaces/libnpmpublish/lib/unpublish.js);
   * `npm owner add|rm` sends `{_id, _rev, maintainers}` (https://github.com/npm/cli/blob/latest/lib/commands/owner.js).
   */
  async updateRevision(ctx: NpmContext, name: string, rev: string, doc: unknown): Promise<void> {
    if (!isObject(doc)) throw new DomainError('BAD_REQUEST', 'expected a package document');
    const current = await this.current(ctx, name, rev);
    if (isObject(doc.versions)) {
      const removed = Object.keys(current.versions).filter((v) => !(v in (doc.versions as object)));
      if (removed.length > 0) authorizeFor(ctx, 'delete', name);
      for (const version of removed) {
        await ctx.services.deleteArtifact(ctx.repository.name, NPM, name, version, metadataOf(ctx), highestVersion);
      }
      await this.applyDeprecations(ctx, name, current, doc.versions);
    }
    if (doc.maintainers !== undefined) await this.changeOwners(ctx, name, current, doc.maintainers);
    sendJson(ctx, 200, { ok: true, id: name });
  }

  /**
   * DELETE /<name>/-rev/<rev>: `npm unpublish <name>` (every version; tags go with them).
   * https://github.com/npm/cli/blob/latest/workspaces/libnpmpublish/lib/unpublish.js
   */
  async unpublishPackage(ctx: NpmContext, name: string, rev: string): Promise<void> {
    authorizeFor(ctx, 'delete', name);
    const current = await this.current(ctx, name, rev);
    for (const version of Object.keys(current.versions)) {
      await ctx.services.deleteArtifact(ctx.repository.name, NPM, name, version, metadataOf(ctx));
    }
    sendJson(ctx, 200, { ok: true, id: name });
  }

  /**
   * DELETE /<name>/-/<file>/-rev/<rev>: the tarball step of `npm unpublish <name>@<version>`. The
   * version is normally gone already (the PUT before it); then this only confirms.
   */
  async deleteTarball(ctx: NpmContext, name: string, file: string): Promise<void> {
    authorizeFor(ctx, 'delete', name);
    const found = await ctx.queries.state(ctx.repository.name, name);
    const live = found && Object.entries(found.state.versions).find(([, v]) => v.file === file)?.[0];
    if (live) {
      await ctx.services.deleteArtifact(ctx.repository.name, NPM, name, live, metadataOf(ctx), highestVersion);
    } else if (!found || !Object.keys(found.state.unpublished).some((v) => tarballFile(name, v) === file)) {
      throw new DomainError('NOT_FOUND', `${name}/-/${file} is not in this registry`);
    }
    sendJson(ctx, 200, { ok: true });
  }

  /** The package's state; 404 when it has no live version, 409 when `rev` is given and stale. */
  private async current(ctx: NpmContext, name: string, rev: string | undefined): Promise<NpmPackageState> {
    const found = await ctx.queries.state(ctx.repository.name, name);
    if (!found || Object.keys(found.state.versions).length === 0) throw new DomainError('NOT_FOUND', `${name} is not in this registry`);
    if (rev !== undefined && rev !== found.rev) {
      throw new DomainError('CONCURRENCY_CONFLICT', `${name} changed since revision ${rev} was read (now ${found.rev}); read it again`);
    }
    return found.state;
  }

  private async applyDeprecations(ctx: NpmContext, name: string, current: NpmPackageState, versions: Record<string, unknown>): Promise<void> {
    for (const [version, record] of Object.entries(current.versions)) {
      const sent = versions[version];
      if (!isObject(sent)) continue;
      const wanted = typeof sent.deprecated === 'string' ? sent.deprecated : '';
      if (wanted === (record.deprecated ?? '')) continue;
      authorizeFor(ctx, 'write', name);
      await ctx.services.deprecate(targetOf(ctx, name), version, wanted, metadataOf(ctx));
    }
  }

  /** Owners are write grants on exactly this package name: add and revoke them to match `maintainers`. */
  private async changeOwners(ctx: NpmContext, name: string, current: NpmPackageState, maintainers: unknown): Promise<void> {
    if (!Array.isArray(maintainers)) throw new DomainError('BAD_REQUEST', 'maintainers must be a list');
    const wanted = new Set(
      maintainers.map((m) => {
        if (!isObject(m) || typeof m.name !== 'string' || !m.name) throw new DomainError('BAD_REQUEST', 'each maintainer needs a name');
        return m.name;
      }),
    );
    const owners = Object.entries(current.owners);
    const have = new Set(owners.map(([, user]) => user));
    const added = [...wanted].filter((user) => !have.has(user));
    const removed = owners.filter(([, user]) => !wanted.has(user));
    if (added.length === 0 && removed.length === 0) return;
    authorizeFor(ctx, 'write', name);
    if (wanted.size === 0) throw new DomainError('BAD_REQUEST', 'a package keeps at least one owner; add someone else first');
    const identity = ctx.services.identity;
    for (const user of added) {
      if (!(await identity.userExists(user))) throw new DomainError('NOT_FOUND', `user "${user}" does not exist`);
      await identity.grant(ctx.repository.name, { type: 'user', id: user }, ['write'], name, metadataOf(ctx));
    }
    for (const [grantId] of removed) await identity.revokeGrant(ctx.repository.name, grantId, metadataOf(ctx));
  }
}
