import { DomainError, type RepositoryView } from '../../domain/index.js';
import { readableMembers } from '../../format-kit/index.js';
import { authorizeFor, type MavenContext } from './maven-context.js';
import { digestsOf } from './maven-metadata.js';
import { mergeMetadata, readMetadata, type MetadataDocument } from './maven-merge.js';
import type { MavenPath } from './maven-path.js';
import { metadataArtifact, readRemote, remoteMetadata } from './maven-remote.js';
import { artifactName, splitName } from './maven-state.js';
import { sendChecksum, sendDocument, sendRow } from './reads.js';

/** May the caller read `name` in `member`? (members the caller cannot read are skipped, silently) */

/** Does a hosted member hold `groupId:artifactId` (at least one version)? What the dependency-confusion guard asks. */
const holds = (ctx: MavenContext, name: string) => async (hosted: RepositoryView) => {
  const { groupId, artifactId } = splitName(name);
  const state = await ctx.queries.artifact(hosted.name, groupId, artifactId);
  return !!state && Object.keys(state.versions).length > 0;
};

/** The members to consult for `name` (guarded), in order, among those the caller may read. */
function membersFor(ctx: MavenContext, name: string | undefined): Promise<RepositoryView[]> {
  return readableMembers(ctx.services.virtual, ctx.req, ctx.repository, name, name ? holds(ctx, name) : async () => false);
}

const notFound = (e: unknown) => e instanceof DomainError && e.code === 'NOT_FOUND';

/**
 * GET/HEAD on a virtual Maven repository: a file from the first member (in order) that has it;
 * artifact- and group-level `maven-metadata.xml` merged across the members (see mergeMetadata);
 * a SNAPSHOT's metadata from the first member that has that SNAPSHOT. A `groupId:artifactId` that a
 * hosted member holds is never resolved from a remote member (the dependency-confusion guard,
 * unless the repository's `confusionGuard.remoteAllowed` names it). No folder listings.
 */
export async function readVirtual(ctx: MavenContext, target: MavenPath): Promise<void> {
  if (target.kind === 'folder') throw new DomainError('NOT_FOUND', `virtual repository "${ctx.repository.name}" serves files and metadata, not folder listings`);
  const artifact = target.kind === 'file' ? { name: artifactName(target.file.groupId, target.file.artifactId), snapshot: undefined } : metadataArtifact(target.path);
  authorizeFor(ctx, 'read', artifact?.name);
  if (target.kind === 'metadata' && !artifact?.snapshot) return mergedMetadata(ctx, target.path, target.checksum);
  let failure: unknown;
  for (const member of await membersFor(ctx, artifact?.name)) {
    const memberCtx: MavenContext = { ...ctx, repository: member };
    if (member.type === 'hosted') {
      const row = await ctx.queries.path(member.name, target.path);
      if (row) return sendRow(memberCtx, target.path, row, target.checksum);
      continue;
    }
    try {
      return await readRemote(memberCtx, target);
    } catch (e) {
      if (ctx.res.headersSent) throw e;
      if (!notFound(e)) failure = e;
    }
  }
  throw failure ?? new DomainError('NOT_FOUND', `no member of "${ctx.repository.name}" has ${target.path}`);
}

/** One member's document at `path`, or null; a remote member that cannot answer (or answers garbage) counts as not having it. */
async function memberDocument(ctx: MavenContext, member: RepositoryView, path: string): Promise<{ doc: MetadataDocument | null; failure?: unknown }> {
  try {
    if (member.type === 'hosted') {
      const row = await ctx.queries.path(member.name, path);
      return { doc: row?.kind === 'metadata' && row.body !== null ? readMetadata(Buffer.from(row.body, 'utf8')) : null };
    }
    const body = await remoteMetadata({ ...ctx, repository: member }, member, path);
    return { doc: body ? readMetadata(body) : null };
  } catch (e) {
    if (notFound(e)) return { doc: null };
    return { doc: null, failure: e };
  }
}

/**
 * Artifact- and group-level metadata merged over the members: versions from remote members only
 * when no hosted member holds the artifact, and a remote member's plugin entries only for plugins
 * no hosted member holds (each checked with the guard).
 */
async function mergedMetadata(ctx: MavenContext, path: string, checksum: 'md5' | 'sha1' | 'sha256' | 'sha512' | undefined): Promise<void> {
  const artifact = metadataArtifact(path);
  const group = path.split('/').slice(0, -1).join('.');
  const docs: MetadataDocument[] = [];
  let failure: unknown;
  for (const member of await membersFor(ctx, artifact?.name)) {
    const { doc, failure: f } = await memberDocument(ctx, member, path);
    failure ??= f;
    if (!doc) continue;
    if (member.type === 'remote' && doc.plugins.length) {
      const kept = [];
      for (const p of doc.plugins) if ((await membersFor(ctx, artifactName(group, p.artifactId))).some((m) => m.name === member.name)) kept.push(p);
      doc.plugins = kept;
    }
    docs.push(doc);
  }
  const merged = mergeMetadata(docs, artifact && { groupId: artifact.groupId, artifactId: artifact.artifactId });
  if (!merged) throw failure ?? new DomainError('NOT_FOUND', `no member of "${ctx.repository.name}" has ${path}`);
  const digests = digestsOf(merged);
  if (checksum) return sendChecksum(ctx, checksum, digests[checksum], 'private, max-age=0, must-revalidate');
  sendDocument(ctx, merged, digests.sha256, { 'x-checksum-sha1': digests.sha1, 'x-checksum-md5': digests.md5 });
}
