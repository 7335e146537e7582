import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { EventMetadata, RepositoryView, StoredFile } from '../domain/index.js';
import type { BlobStore, ExpectedDigests } from '../ports/index.js';
import { authorize } from '../auth/index.js';
import { principalOf } from './request-context.js';
import { serveBlob, type BlobToServe } from './serve-blob.js';

/** An upstream metadata document as cached. `stale`: the upstream could not be asked; this is the last copy. */
export interface UpstreamDocument {
  body: Buffer;
  contentType?: string;
  /** the URL that answered (after redirects) */
  url: string;
  fetchedAt: string;
  stale: boolean;
}

/** A file of a remote repository: already stored, or arriving now (streamed while it is stored and verified). */
export type RemoteFile = { file: StoredFile } | { arriving: Readable; size?: number; stored: Promise<StoredFile> };

export interface RemoteFileRequest {
  /** the path the remote repository keeps it under (the format's own layout) */
  path: string;
  /** upstream URL, absolute or relative to the upstream's base URL */
  url: string;
  /** the package and version it belongs to (blob references, history) */
  name: string;
  version: string;
  /** '' records the upstream's Content-Type (OCI manifests by digest: only the upstream knows it) */
  mediaType: string;
  /** what the upstream's own metadata declares: bytes that differ are refused */
  expected?: ExpectedDigests;
  sha512?: boolean;
  /** the Accept header of the upstream request (OCI manifests: registries answer only the media types asked for) */
  accept?: string;
}

/**
 * Remote repositories (caching proxies), shared by every format: the format maps its protocol
 * onto upstream URLs and rewrites metadata; caching, revalidation, offline serving, single fetches,
 * verification, provenance events and the SSRF guard are done once, here.
 */
export interface RemoteServices {
  /**
   * The upstream document at `url` cached under `key`: served while younger than the repository's
   * metadataMaxAgeSeconds, then revalidated (ETag / Last-Modified, so a fresh check is a 304); the
   * last copy (stale: true) when the upstream is down; null when the upstream says it does not
   * exist (remembered for notFoundCacheSeconds only).
   */
  metadata(repository: RepositoryView, key: string, url: string, options?: { accept?: string }): Promise<UpstreamDocument | null>;
  /**
   * A file: from the store once fetched (the upstream is not asked again: offline works), else
   * fetched once however many clients ask at the same moment, streamed to the first while stored,
   * and recorded (UpstreamFetched). A recorded file the upstream now declares other bytes for stays
   * as recorded; the mismatch is recorded (UpstreamMismatchDetected) and raised.
   */
  file(repository: RepositoryView, request: RemoteFileRequest, metadata: EventMetadata): Promise<RemoteFile>;
  /** Files the repository has recorded, by path: formats serve their recorded digests in metadata. */
  recorded(repository: string, paths: string[]): Promise<Map<string, StoredFile>>;
}

/** Virtual repositories: one URL over an ordered list of members of the same format. */
export interface VirtualServices {
  /**
   * The repositories to consult for `name`, in order: nested virtual members flattened (each
   * repository once), members the caller cannot read left out by the format's own checks, and
   * the dependency-confusion guard applied: when a hosted member holds the name (`holds`), remote
   * members are skipped unless the name matches the repository's `confusionGuard.remoteAllowed`.
   */
  members(repository: RepositoryView, name: string | undefined, holds: (hosted: RepositoryView) => Promise<boolean>): Promise<RepositoryView[]>;
  /** The hosted member that takes publishes sent to the virtual repository (`publishTo`, else the first hosted member). */
  publishTarget(repository: RepositoryView): Promise<RepositoryView>;
}

/**
 * Sends a remote file: a stored one like any blob (ranges, ETag, HEAD); one arriving from the
 * upstream as it arrives (whole body, 200), its last bytes held back until it is verified.
 * Returns the bytes sent.
 */
export async function serveRemoteFile(req: Request, res: Response, blobs: Pick<BlobStore, 'get'>, remote: RemoteFile, describe: (file: StoredFile) => Omit<BlobToServe, 'sha256' | 'size'>): Promise<number> {
  if ('file' in remote) {
    return serveBlob(req, res, blobs, { ...describe(remote.file), sha256: remote.file.digest.replace(/^sha256:/, ''), size: remote.file.size });
  }
  const { contentType, cacheControl, headers } = describe({ path: '', digest: '', size: remote.size ?? 0, mediaType: 'application/octet-stream' });
  res.status(200).set({ ...Object.fromEntries(Object.entries(headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined)), 'content-type': contentType, 'cache-control': cacheControl });
  if (remote.size !== undefined) res.set('content-length', String(remote.size));
  if (req.method === 'HEAD') {
    remote.arriving.resume();
    res.end();
    return 0;
  }
  let sent = 0;
  remote.arriving.on('data', (c: Buffer) => (sent += c.length));
  await pipeline(remote.arriving, res).catch((e) => {
    // the client went away: the fetch carries on into the store; anything else is the upstream's fault
    if (!res.writableEnded) res.destroy(e as Error);
  });
  return sent;
}

/**
 * The members of a virtual repository to consult for `name` that the caller may read (for that
 * name: pattern grants count), in order, with the dependency-confusion guard applied by
 * `virtual.members` (`holds`: does this hosted member have the name?).
 */
export async function readableMembers(
  virtual: VirtualServices,
  req: Request,
  repository: RepositoryView,
  name: string | undefined,
  holds: (hosted: RepositoryView) => Promise<boolean>,
): Promise<RepositoryView[]> {
  const principal = principalOf(req);
  const members = await virtual.members(repository, name, holds);
  return members.filter((member) => {
    try {
      authorize(principal, member, 'read', name);
      return true;
    } catch {
      return false;
    }
  });
}
