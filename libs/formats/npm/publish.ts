import { Readable } from 'node:stream';
import { DomainError } from '../../domain/index.js';
import { principalOf, type IncomingFile } from '../../format-kit/index.js';
import { metadataOf, sendJson, type NpmContext } from './npm-context.js';
import { bundleFile, tarballFile } from './npm-names.js';
import type { NpmPublishMetadata } from './npm-state.js';
import { NPM } from './npm.projection.js';
import { assertTarballMatches, parsePublishDocument } from './publish-document.js';
import { inspectTarball } from './tarball.js';

/**
 * PUT /<name> with `_attachments`: `npm publish`. The body is the document libnpmpublish builds
 * (https://github.com/npm/cli/blob/latest/workspaces/libnpmpublish/lib/publish.js), answered as
 * https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md describes. Everything is checked
 * before anything is stored: digests, the tarball's own package.json, the version being new.
 * The caller has authorised `write` on the package and read the body.
 */
export async function publishPackage(ctx: NpmContext, name: string, doc: unknown): Promise<void> {
  const { repository, services, queries } = ctx;
  const intent = parsePublishDocument(doc, name);
  if (intent.tarball.length > repository.config.maxUploadBytes) {
    throw new DomainError('TOO_LARGE', `the tarball is ${intent.tarball.length} bytes; this repository takes at most ${repository.config.maxUploadBytes}`);
  }
  const facts = await inspectTarball(intent.tarball);
  assertTarballMatches(facts.packageJson, name, intent.version);

  const before = (await queries.state(repository.name, name))?.state;
  if (!repository.config.allowRedeploy && (before?.versions[intent.version] || before?.unpublished[intent.version])) {
    // the decider refuses it too; refusing here keeps the tarball out of the blob store
    throw new DomainError('VERSION_EXISTS', `${intent.version}`);
  }
  const tags = intent.tags.length > 0 ? intent.tags : ['latest'];
  // like the public registry, a package always has a `latest`: a first `--tag beta` publish sets both
  const latest = before?.tags.latest;
  if (!(latest && before?.versions[latest]) && !tags.includes('latest')) tags.push('latest');

  const metadata: NpmPublishMetadata = {
    manifest: intent.manifest,
    ...(intent.readme ? { readme: intent.readme } : {}),
    integrity: intent.integrity,
    shasum: intent.shasum,
    fileCount: facts.fileCount,
    unpackedSize: facts.unpackedSize,
    hasShrinkwrap: facts.hasShrinkwrap,
    ...(intent.provenance ? { provenance: { file: bundleFile(name, intent.version), predicateType: intent.provenance.predicateType } } : {}),
  };
  const files: IncomingFile[] = [{ path: tarballFile(name, intent.version), mediaType: 'application/octet-stream', body: Readable.from([intent.tarball]), expected: { sha1: intent.shasum, size: intent.tarball.length } }];
  if (intent.provenance) {
    // kept as a file of the version, served by GET /-/npm/v1/attestations/<name>@<version>
    const { bytes, mediaType } = intent.provenance;
    files.push({ path: bundleFile(name, intent.version), mediaType, body: Readable.from([bytes]), expected: { size: bytes.length } });
  }
  const stored = await services.publish(
    {
      repository,
      format: NPM,
      name,
      version: intent.version,
      files,
      metadata: metadata as unknown as Record<string, unknown>,
      tags,
    },
    metadataOf(ctx),
  );
  services.traffic.bytesIn(NPM, stored.files.reduce((sum, f) => sum + f.size, 0));
  await grantFirstPublisher(ctx, name, before === undefined);
  sendJson(ctx, 201, { ok: true, id: name, success: true });
}

/**
 * The first publisher of a package becomes its owner, as on the public registry: a write grant on
 * exactly this package name (what `npm owner` manages). Never a wider right than the publisher had.
 */
async function grantFirstPublisher(ctx: NpmContext, name: string, isNew: boolean): Promise<void> {
  const userId = principalOf(ctx.req)?.userId;
  if (!isNew || !userId) return;
  await ctx.services.identity.grant(ctx.repository.name, { type: 'user', id: userId }, ['write'], name, metadataOf(ctx));
}
