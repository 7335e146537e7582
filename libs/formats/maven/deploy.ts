import { Readable } from 'node:stream';
import { DomainError, type StoredFile } from '../../domain/index.js';
import { eventMetadata, type IncomingFile } from '../../format-kit/index.js';
import { authorizeFor, requireHosted, type MavenContext } from './maven-context.js';
import { readSmallBody } from '../../format-kit/index.js';
import type { ArtifactFile, ChecksumAlgorithm, MavenPath } from './maven-path.js';
import { artifactName, MAVEN, type MavenEventMetadata, type MavenFileRecord } from './maven-state.js';
import { isSnapshotVersion } from './maven-version.js';
import { assertPomMatches, MAX_XML_BYTES, parsePom, parseXml } from './pom.js';

const HEX: Record<ChecksumAlgorithm, RegExp> = { md5: /^[a-f0-9]{32}$/, sha1: /^[a-f0-9]{40}$/, sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ };
const CHECKSUM_BODY_LIMIT = 1024;

const MEDIA_TYPES: Record<string, string> = { pom: 'application/xml', jar: 'application/java-archive', war: 'application/java-archive', module: 'application/json', asc: 'application/pgp-signature' };
export const mediaTypeOf = (extension: string) => MEDIA_TYPES[extension.slice(extension.lastIndexOf('.') + 1)] ?? 'application/octet-stream';

/**
 * PUT of any path of the layout: a file, a checksum beside one, or a maven-metadata.xml
 * (https://maven.apache.org/repository/layout.html; Maven Resolver's deploy: the file, then its
 * checksums, then the metadata and its checksums). Answers 201 Created.
 */
export async function deployPath(ctx: MavenContext, target: MavenPath): Promise<void> {
  requireHosted(ctx.repository);
  if (target.kind === 'folder') throw new DomainError('INVALID_PATH', 'PUT needs a file path, not a folder');
  const artifact = target.kind === 'file' ? artifactName(target.file.groupId, target.file.artifactId) : undefined;
  authorizeFor(ctx, 'write', artifact);
  if (target.checksum) await checkChecksum(ctx, target.kind === 'file' ? target.path : undefined, target.checksum);
  else if (target.kind === 'metadata') await acceptClientMetadata(ctx);
  else await deployFile(ctx, target.path, target.file);
  ctx.res.status(201).location(ctx.req.originalUrl.split('?')[0]).end();
}

/**
 * A client's maven-metadata.xml is read (bounded, well-formed, no DOCTYPE) and dropped: the one
 * served is rendered from the deployed versions, so it can neither go stale nor contradict them.
 */
async function acceptClientMetadata(ctx: MavenContext): Promise<void> {
  parseXml(await readSmallBody(ctx.req, MAX_XML_BYTES), 'maven-metadata.xml');
}

/**
 * An uploaded checksum must match the stored file's digest (400 otherwise). Checksums of
 * metadata (the client's own, which is dropped) and of files not deployed (yet) are accepted and
 * dropped: every checksum Strata serves is computed from the stored content.
 */
async function checkChecksum(ctx: MavenContext, filePath: string | undefined, algo: ChecksumAlgorithm): Promise<void> {
  const text = (await readSmallBody(ctx.req, CHECKSUM_BODY_LIMIT)).toString('utf8').trim().toLowerCase();
  // `<hex>` or `<hex>  <file name>` (the md5sum/sha1sum output some tools upload)
  const value = text.split(/\s+/)[0] ?? '';
  if (!HEX[algo].test(value)) throw new DomainError('BAD_REQUEST', `the body is not a ${algo} checksum`);
  if (!filePath) return;
  const row = await ctx.queries.path(ctx.repository.name, filePath);
  if (!row || row.kind !== 'file') return;
  const stored = row[algo];
  if (stored && stored !== value) throw new DomainError('DIGEST_MISMATCH', `${algo} ${value} does not match the deployed file (${stored})`, { field: algo, expected: value, actual: stored });
}

function checkPolicy(ctx: MavenContext, file: ArtifactFile): void {
  const policy = ctx.repository.config.versionPolicy ?? 'both';
  const snapshot = isSnapshotVersion(file.version);
  if (policy === 'releases' && snapshot) throw new DomainError('BAD_REQUEST', `repository "${ctx.repository.name}" takes releases only, not ${file.version}`);
  if (policy === 'snapshots' && !snapshot) throw new DomainError('BAD_REQUEST', `repository "${ctx.repository.name}" takes SNAPSHOT versions only, not ${file.version}`);
  if (file.alias) throw new DomainError('BAD_REQUEST', `deploy SNAPSHOT files under their timestamped names (${file.artifactId}-${file.version.replace(/SNAPSHOT$/, '')}<yyyyMMdd.HHmmss>-<build>...): non-unique SNAPSHOTs are not supported`);
}

/** Digests a client declared in headers (Maven Resolver 1.8+ and Nexus/Artifactory clients send them). */
function declaredDigests(ctx: MavenContext): IncomingFile['expected'] {
  const out: Record<string, string> = {};
  for (const algo of ['sha1', 'md5', 'sha256', 'sha512'] as const) {
    const v = ctx.req.get(`x-checksum-${algo}`)?.trim().toLowerCase();
    if (v && HEX[algo].test(v)) out[algo] = v;
  }
  const size = ctx.req.get('content-length') === undefined ? undefined : Number(ctx.req.get('content-length'));
  return { ...out, ...(size !== undefined && Number.isSafeInteger(size) ? { size } : {}) };
}

/**
 * A file of a version: streamed into the blob store (sha256, sha1, md5 and sha512 computed on the
 * way), a POM read back and checked against the path, then recorded: the version's first file
 * publishes it (ArtifactPublished), later ones are ArtifactFilesAdded. A path already deployed is
 * refused with 409 before a byte is stored, unless the repository allows redeploy.
 */
async function deployFile(ctx: MavenContext, path: string, file: ArtifactFile): Promise<void> {
  const { req, repository, services } = ctx;
  checkPolicy(ctx, file);
  const expected = declaredDigests(ctx);
  if (expected?.size !== undefined && expected.size > repository.config.maxUploadBytes) {
    throw new DomainError('TOO_LARGE', `${expected.size} bytes exceeds the repository's limit of ${repository.config.maxUploadBytes}`);
  }
  const existing = await ctx.queries.path(repository.name, path);
  const redeploy = existing?.kind === 'file';
  if (redeploy && !repository.config.allowRedeploy) throw new DomainError('FILE_EXISTS', `${path} is already deployed and the repository does not allow redeploy`, { path });
  const metadata: MavenEventMetadata = {};
  let body: Readable = req;
  if (file.extension === 'pom') {
    // small and needed whole: read, checked against the path, and only then stored
    const bytes = await readSmallBody(req, MAX_XML_BYTES);
    const pom = parsePom(bytes);
    assertPomMatches(pom, { groupId: file.groupId, artifactId: file.artifactId, version: file.version });
    metadata.pom = pom;
    body = Readable.from([bytes]);
  }
  const stored = await services.storeFile(repository, { path, mediaType: mediaTypeOf(file.extension), body, expected, sha512: true });
  const name = artifactName(file.groupId, file.artifactId);
  const meta = eventMetadata(req);
  if (redeploy) await redeployFile(ctx, name, file.version, stored, metadata);
  else await services.addFiles({ repository, format: MAVEN, name, version: file.version, files: [stored], metadata: metadata as Record<string, unknown> }, meta);
  services.traffic.bytesIn(MAVEN, stored.size);
}

/** Redeploy (repositories with allowRedeploy): the version is published again with its other files unchanged. */
async function redeployFile(ctx: MavenContext, name: string, version: string, stored: StoredFile, metadata: MavenEventMetadata): Promise<void> {
  const { groupId, artifactId } = { groupId: name.slice(0, name.lastIndexOf(':')), artifactId: name.slice(name.lastIndexOf(':') + 1) };
  const state = await ctx.queries.artifact(ctx.repository.name, groupId, artifactId);
  const others = (state?.versions[version]?.files ?? []).filter((f) => f.path !== stored.path);
  const files: IncomingFile[] = [];
  for (const f of others) files.push(await reuse(ctx, f));
  // the new content is in the blob store already: publishing it again only re-references it
  files.push({ path: stored.path, mediaType: stored.mediaType, body: await ctx.services.blobs.get(stored.digest.replace(/^sha256:/, '')), expected: { sha256: stored.digest.replace(/^sha256:/, '') }, sha512: true });
  const pom = metadata.pom ?? state?.versions[version]?.pom;
  await ctx.services.publish({ repository: ctx.repository, format: MAVEN, name, version, files, metadata: pom ? { pom } : {} }, eventMetadata(ctx.req));
}

async function reuse(ctx: MavenContext, f: MavenFileRecord): Promise<IncomingFile> {
  return { path: f.path, mediaType: f.mediaType, body: await ctx.services.blobs.get(f.sha256), expected: { sha256: f.sha256 }, sha512: true };
}
