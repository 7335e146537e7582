import { DomainError, type RepositoryView } from '../../domain/index.js';
import { eventMetadata, serveRemoteFile, type RemoteFile } from '../../format-kit/index.js';
import { mediaTypeOf } from './deploy.js';
import { authorizeFor, type MavenContext } from './maven-context.js';
import { digestsOf } from './maven-metadata.js';
import { readMetadata, snapshotValue } from './maven-merge.js';
import { filePath, METADATA_FILE, type ArtifactFile, type ChecksumAlgorithm, type MavenPath } from './maven-path.js';
import { artifactName, MAVEN } from './maven-state.js';
import { sendChecksum, sendDocument } from './reads.js';

const MUTABLE = 'private, max-age=0, must-revalidate';
const IMMUTABLE = 'private, max-age=31536000, immutable';
const SHA1 = /^[a-f0-9]{40}$/;

/** The layout path as an upstream URL relative to its base (each segment percent-encoded). */
const upstreamPath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/**
 * The `groupId:artifactId` a metadata path belongs to (read rights with name patterns, the
 * dependency-confusion guard): `<g>/<a>/<v>-SNAPSHOT/maven-metadata.xml` is a SNAPSHOT's,
 * `<g>/<a>/maven-metadata.xml` an artifact's. A group-level path reads as an artifact path too
 * (`org/example/maven-metadata.xml` as `org:example`); undefined for a single folder.
 */
export function metadataArtifact(path: string): { name: string; groupId: string; artifactId: string; snapshot?: string } | undefined {
  const dirs = path.split('/').slice(0, -1);
  if (dirs.length >= 3 && dirs[dirs.length - 1].endsWith('-SNAPSHOT')) {
    const [groupId, artifactId] = [dirs.slice(0, -2).join('.'), dirs[dirs.length - 2]];
    return { name: artifactName(groupId, artifactId), groupId, artifactId, snapshot: dirs[dirs.length - 1] };
  }
  if (dirs.length < 2) return undefined;
  const [groupId, artifactId] = [dirs.slice(0, -1).join('.'), dirs[dirs.length - 1]];
  return { name: artifactName(groupId, artifactId), groupId, artifactId };
}

/** An upstream `maven-metadata.xml` (any level) as cached for `repository`; null when the upstream has none. */
export async function remoteMetadata(ctx: MavenContext, repository: RepositoryView, path: string): Promise<Buffer | null> {
  const doc = await ctx.services.remote.metadata(repository, `maven:${path}`, upstreamPath(path), { accept: 'application/xml, text/xml;q=0.9, */*;q=0.5' });
  return doc ? doc.body : null;
}

/**
 * The upstream's `.sha1` for a file (Maven Central publishes one beside every file), cached like
 * metadata: what a file's bytes are verified against on the first fetch, and what reveals a file
 * changed upstream later. Undefined when the upstream has none (the file is then stored as served,
 * unverified) or cannot be asked (a recorded file is served as recorded).
 */
async function upstreamSha1(ctx: MavenContext, repository: RepositoryView, path: string): Promise<string | undefined> {
  try {
    const doc = await ctx.services.remote.metadata(repository, `maven-sha1:${path}`, `${upstreamPath(path)}.sha1`);
    // `<hex>` or `<hex>  <file name>`
    const value = doc?.body.toString('utf8').trim().split(/\s+/)[0]?.toLowerCase();
    return value && SHA1.test(value) ? value : undefined;
  } catch (e) {
    if (e instanceof DomainError && e.code === 'UPSTREAM_UNAVAILABLE') return undefined;
    throw e;
  }
}

/** A file of the layout through the remote cache: fetched once, verified against the upstream's `.sha1`, kept. */
async function remoteFile(ctx: MavenContext, repository: RepositoryView, path: string, file: ArtifactFile): Promise<RemoteFile> {
  const sha1 = await upstreamSha1(ctx, repository, path);
  return ctx.services.remote.file(
    repository,
    { path, url: upstreamPath(path), name: artifactName(file.groupId, file.artifactId), version: file.version, mediaType: mediaTypeOf(file.extension), ...(sha1 ? { expected: { sha1 } } : {}), sha512: true },
    eventMetadata(ctx.req),
  );
}

/**
 * A plain `-SNAPSHOT` file name: the timestamped file the upstream's SNAPSHOT metadata names for
 * it (a plain name is not a file of its own upstream, it moves with every deploy).
 */
async function resolveAlias(ctx: MavenContext, repository: RepositoryView, file: ArtifactFile): Promise<{ path: string; file: ArtifactFile }> {
  const folder = `${file.groupId.replace(/\./g, '/')}/${file.artifactId}/${file.version}`;
  const body = await remoteMetadata(ctx, repository, `${folder}/${METADATA_FILE}`);
  const value = body ? snapshotValue(readMetadata(body), file.version, file.classifier, file.extension) : undefined;
  const m = value && /(\d{8}\.\d{6})-(\d{1,9})$/.exec(value);
  if (!m) throw new DomainError('NOT_FOUND', `the upstream names no build of ${file.artifactId} ${file.version}`);
  const build: ArtifactFile = { ...file, alias: false, build: { timestamp: m[1], buildNumber: Number(m[2]) } };
  delete build.alias;
  return { path: filePath(build), file: build };
}

/**
 * GET/HEAD on a remote Maven repository (a caching proxy of Maven Central or another Maven 2
 * layout, https://maven.apache.org/repository/layout.html): `maven-metadata.xml` from the upstream
 * with the repository's max age (metadata changes upstream; files never do), files fetched once and
 * served from the store afterwards, checksums from the recorded digests. No folder listings.
 */
export async function readRemote(ctx: MavenContext, target: MavenPath): Promise<void> {
  const { repository } = ctx;
  if (target.kind === 'folder') throw new DomainError('NOT_FOUND', `remote repository "${repository.name}" serves files and metadata, not folder listings`);
  if (target.kind === 'metadata') {
    authorizeFor(ctx, 'read', metadataArtifact(target.path)?.name);
    const body = await remoteMetadata(ctx, repository, target.path);
    if (!body) throw new DomainError('NOT_FOUND', `the upstream has no ${target.path}`);
    const digests = digestsOf(body);
    if (target.checksum) return sendChecksum(ctx, target.checksum, digests[target.checksum], MUTABLE);
    return sendDocument(ctx, body, digests.sha256, { 'x-checksum-sha1': digests.sha1, 'x-checksum-md5': digests.md5 });
  }
  authorizeFor(ctx, 'read', artifactName(target.file.groupId, target.file.artifactId));
  const { path, file } = target.file.alias ? await resolveAlias(ctx, repository, target.file) : target;
  const cacheControl = target.file.alias ? MUTABLE : IMMUTABLE;
  if (target.checksum) return sendRecordedChecksum(ctx, path, file, target.checksum, cacheControl);
  const fetched = await remoteFile(ctx, repository, path, file);
  const sent = await serveRemoteFile(ctx.req, ctx.res, ctx.services.blobs, fetched, (f) => ({
    contentType: 'file' in fetched ? f.mediaType : mediaTypeOf(file.extension),
    cacheControl,
    headers: { 'x-checksum-sha1': f.sha1, 'x-checksum-md5': f.md5 },
  }));
  ctx.services.traffic.bytesOut(MAVEN, sent);
}

/**
 * A checksum of a file: the digest recorded when the file was fetched (a file not fetched yet is
 * fetched first, so that what the checksum vouches for is what Strata serves).
 */
async function sendRecordedChecksum(ctx: MavenContext, path: string, file: ArtifactFile, algo: ChecksumAlgorithm, cacheControl: string): Promise<void> {
  let stored = (await ctx.services.remote.recorded(ctx.repository.name, [path])).get(path);
  if (!stored) {
    const fetched = await remoteFile(ctx, ctx.repository, path, file);
    if ('file' in fetched) stored = fetched.file;
    else {
      fetched.arriving.resume();
      stored = await fetched.stored;
    }
  }
  const value = algo === 'sha256' ? stored.digest.replace(/^sha256:/, '') : stored[algo];
  if (!value) throw new DomainError('NOT_FOUND', `no ${algo} is known for ${path}`);
  sendChecksum(ctx, algo, value, cacheControl);
}
