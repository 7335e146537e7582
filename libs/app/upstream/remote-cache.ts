import type { Readable } from 'node:stream';
import { DomainError, streams, type EventMetadata, type RecordedEvent, type RepositoryView, type StoredFile, type UpstreamConfig, type UpstreamFetched } from '../../domain/index.js';
import { projectionTable, type BlobStore, type ExpectedDigests, type Sql, type Upstream, type UpstreamAuth, type UpstreamResponse } from '../../ports/index.js';
import { remoteFilesProjection } from '../projections/remote-files.projection.js';
import type { StreamWriter } from '../stream-writer.js';
import type { RemoteFile, RemoteFileRequest, RemoteServices, UpstreamDocument } from '../../format-kit/index.js';
import { Broadcast } from './broadcast.js';
import { holdLastChunk } from './hold-last-chunk.js';
import { SingleFlight } from './single-flight.js';

const FILES = projectionTable(remoteFilesProjection);
const METADATA_LIMIT = 256 * 1024 * 1024;
/**
 * How much of a file being fetched is kept for requests that join after it started: memory per
 * fetch in flight is bounded by this (most packages are smaller; later joiners wait for the store).
 */
const REPLAY_BYTES = 4 * 1024 * 1024;

interface Arrival {
  cast: Broadcast;
  size?: number;
}

export interface RemoteCacheHooks {
  /** seals/opens credentials: the secret of a repository's upstream, if one is configured */
  credentials(repository: string): Promise<UpstreamAuth | undefined>;
  /** "same version, different bytes": raised in the log and metrics */
  mismatch(details: { repository: string; path: string; url: string; recordedDigest: string; offeredDigest: string }): void;
}

const upstreamOf = (repository: RepositoryView): UpstreamConfig => {
  const u = repository.config.upstream as Partial<UpstreamConfig> | undefined;
  if (repository.type !== 'remote' || !u?.url) throw new DomainError('WRONG_FORMAT', `repository "${repository.name}" is not a remote repository`);
  return { url: u.url, allowPrivateNetwork: u.allowPrivateNetwork ?? false, metadataMaxAgeSeconds: u.metadataMaxAgeSeconds ?? 300, notFoundCacheSeconds: u.notFoundCacheSeconds ?? 60, ...(u.auth ? { auth: u.auth } : {}) };
};

/** `relative` against the upstream base URL (which ends in `/` for a folder). */
export const upstreamUrl = (base: string, relative: string) => new URL(relative.replace(/^\/+/, ''), base.endsWith('/') ? base : `${base}/`).toString();

interface MetadataRow {
  status: number;
  body: Buffer | null;
  content_type: string | null;
  etag: string | null;
  last_modified: string | null;
  url: string;
  fetched_at: Date;
  checked_at: Date;
}

/**
 * What remote repositories of every format share: upstream metadata cached with a max age and
 * revalidated with conditional requests (offline: the last copy keeps being served; not-found is
 * remembered briefly), and artifact files fetched once (concurrent requests share one fetch),
 * streamed to the first client while they are stored and verified against the upstream's declared
 * digests, recorded as UpstreamFetched events and served from the store afterwards.
 */
export class RemoteCache implements RemoteServices {
  private readonly flights = new SingleFlight<StoredFile>();
  /** files being fetched now, once their upstream answered */
  private readonly arrivals = new Map<string, Promise<Arrival | null>>();

  constructor(
    private readonly sql: Sql,
    private readonly blobs: BlobStore,
    private readonly upstream: Upstream,
    private readonly writer: StreamWriter,
    private readonly hooks: RemoteCacheHooks,
  ) {}

  /**
   * The upstream document at `url` (relative to the upstream base, or absolute), cached under
   * `key`; null when the upstream says it does not exist.
   */
  async metadata(repository: RepositoryView, key: string, url: string, options: { accept?: string } = {}): Promise<UpstreamDocument | null> {
    const up = upstreamOf(repository);
    const row = (await this.sql.query<MetadataRow>('SELECT * FROM remote_metadata WHERE repository = $1 AND key = $2', [repository.name, key])).rows[0];
    const age = row ? Date.now() - new Date(row.checked_at).getTime() : Infinity;
    if (row?.status === 404 && age < up.notFoundCacheSeconds * 1000) return null;
    if (row?.status === 200 && age < up.metadataMaxAgeSeconds * 1000) return document(row, false);
    const cached = row?.status === 200 ? row : undefined;
    let res: UpstreamResponse;
    try {
      res = await this.upstream.request({
        url: upstreamUrl(up.url, url),
        headers: options.accept ? { accept: options.accept } : {},
        etag: cached?.etag ?? undefined,
        lastModified: cached?.last_modified ?? undefined,
        auth: await this.hooks.credentials(repository.name),
        allowPrivateNetwork: up.allowPrivateNetwork,
      });
    } catch (e) {
      if (cached && e instanceof DomainError && e.code === 'UPSTREAM_UNAVAILABLE') return document(cached, true);
      throw e;
    }
    if (res.status === 304 && cached) {
      res.body.resume();
      await this.sql.query('UPDATE remote_metadata SET checked_at = now() WHERE repository = $1 AND key = $2', [repository.name, key]);
      return document(cached, false);
    }
    if (res.status === 404 || res.status === 410) {
      res.body.resume();
      await this.saveMetadata(repository.name, key, { status: 404, url: res.url });
      return null;
    }
    if (res.status !== 200) {
      res.body.resume();
      if (cached) return document(cached, true);
      throw new DomainError('UPSTREAM_UNAVAILABLE', `the upstream answered ${res.status} for ${res.url}`);
    }
    const body = await readLimited(res.body, METADATA_LIMIT);
    const saved = { status: 200, body, content_type: res.headers['content-type'] ?? null, etag: res.headers.etag ?? null, last_modified: res.headers['last-modified'] ?? null, url: res.url };
    await this.saveMetadata(repository.name, key, saved);
    return { body, contentType: saved.content_type ?? undefined, url: res.url, fetchedAt: new Date().toISOString(), stale: false };
  }

  /** Files this remote repository has cached, by path (formats put the recorded digests in the metadata they serve). */
  async recorded(repository: string, paths: string[]): Promise<Map<string, StoredFile>> {
    if (paths.length === 0) return new Map();
    const rows = (await this.sql.query<{ path: string; file: StoredFile }>(`SELECT path, file FROM ${FILES} WHERE repository = $1 AND path = ANY($2)`, [repository, paths])).rows;
    return new Map(rows.map((r) => [r.path, r.file]));
  }

  /**
   * The file at `request.path`: from the store when it was fetched before (the upstream is not
   * asked: offline works), else fetched now. A recorded file whose upstream now declares other
   * bytes stays as recorded; the mismatch is recorded and raised.
   */
  async file(repository: RepositoryView, request: RemoteFileRequest, metadata: EventMetadata): Promise<RemoteFile> {
    const up = upstreamOf(repository);
    const known = (await this.recorded(repository.name, [request.path])).get(request.path);
    if (known && (await this.blobs.stat(known.digest.replace(/^sha256:/, '')))) {
      const offered = request.expected && differs(known, request.expected);
      if (offered) await this.recordMismatch(repository, request, known.digest, offered, metadata);
      return { file: known };
    }
    // every request for the file while it is fetched streams it from the one fetch, from its
    // first byte while that is still kept (REPLAY_BYTES), else from the store once it is there
    const key = `${repository.name}\n${request.path}`;
    const flight = this.flights.run(key, () => {
      let announce!: (live: Arrival | null) => void;
      this.arrivals.set(key, new Promise<Arrival | null>((resolve) => (announce = resolve)));
      return this.fetch(repository, up, request, metadata, announce).finally(() => {
        announce(null);
        this.arrivals.delete(key);
      });
    });
    const live = await Promise.race([this.arrivals.get(key) ?? Promise.resolve(null), flight.result.then(() => null)]);
    const body = live?.cast.join();
    if (live && body) return { arriving: body.pipe(holdLastChunk(flight.result)), size: live.size, stored: flight.result };
    return { file: await flight.result };
  }

  private async fetch(repository: RepositoryView, up: UpstreamConfig, request: RemoteFileRequest, metadata: EventMetadata, announce: (live: Arrival) => void): Promise<StoredFile> {
    const url = upstreamUrl(up.url, request.url);
    // metadata may name files on another host (a CDN): the upstream's credential stays with the upstream
    const auth = new URL(url).origin === new URL(up.url).origin ? await this.hooks.credentials(repository.name) : undefined;
    const res = await this.upstream.request({ url, auth, allowPrivateNetwork: up.allowPrivateNetwork, ...(request.accept ? { headers: { accept: request.accept } } : {}) });
    if (res.status !== 200) {
      res.body.resume();
      if (res.status === 404 || res.status === 410) throw new DomainError('NOT_FOUND', `the upstream has no ${request.path}`);
      throw new DomainError('UPSTREAM_UNAVAILABLE', `the upstream answered ${res.status} for ${res.url}`);
    }
    const cast = new Broadcast(res.body, REPLAY_BYTES);
    const stored = this.store(repository, request, res, cast.join()!, metadata);
    const length = Number(res.headers['content-length']);
    announce({ cast, size: Number.isFinite(length) ? length : undefined });
    return stored;
  }

  private async store(repository: RepositoryView, request: RemoteFileRequest, res: UpstreamResponse, body: Readable, metadata: EventMetadata): Promise<StoredFile> {
    let d;
    try {
      d = await this.blobs.put(body, { expected: request.expected, maxBytes: repository.config.maxUploadBytes, ...(request.sha512 ? { sha512: true } : {}) });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'DIGEST_MISMATCH') {
        // the upstream's bytes are not what its own metadata declares: refused, and raised like any other mismatch
        const { field, expected, actual } = (e.detail ?? {}) as { field?: string; expected?: unknown; actual?: unknown };
        if (field && field !== 'size') await this.recordMismatch(repository, request, `${field}:${String(expected)}`, `${field}:${String(actual)}`, metadata);
        throw new DomainError('UPSTREAM_MISMATCH', `the upstream served bytes for ${request.path} that do not match its own metadata (${e.message}); nothing was kept`);
      }
      throw e;
    }
    const mediaType = request.mediaType || res.headers['content-type']?.split(';')[0].trim() || 'application/octet-stream';
    const file: StoredFile = { path: request.path, digest: `sha256:${d.sha256}`, size: d.size, mediaType, sha1: d.sha1, md5: d.md5, ...(d.sha512 ? { sha512: d.sha512 } : {}) };
    const format = repository.format;
    const data: UpstreamFetched['data'] = { repository: repository.name, format, name: request.name, version: request.version, files: [file], url: res.url, ...(res.headers.etag ? { etag: res.headers.etag } : {}) };
    // another node may have fetched the same path meanwhile: the same bytes are no news, other bytes a mismatch
    let recordedDigest: string | undefined;
    const { position } = await this.writer.execute(
      streams.upstream(repository.name, request.name),
      (events: RecordedEvent[]) => lastDigest(events, request.path),
      (previous) => {
        recordedDigest = previous;
        return previous ? [] : [{ type: 'UpstreamFetched', schemaVersion: 1, data }];
      },
      metadata,
    );
    if (recordedDigest && recordedDigest !== file.digest) {
      await this.recordMismatch(repository, request, recordedDigest, file.digest, metadata);
      throw new DomainError('UPSTREAM_MISMATCH', `the upstream now serves other bytes for ${request.path} than it served before; the recorded bytes are kept`);
    }
    if (position) await this.writer.settle(position, [{ type: 'UpstreamFetched', data }]);
    return file;
  }

  private async recordMismatch(repository: RepositoryView, request: RemoteFileRequest, recordedDigest: string, offeredDigest: string, metadata: EventMetadata): Promise<void> {
    const details = { repository: repository.name, path: request.path, url: upstreamUrl(upstreamOf(repository).url, request.url), recordedDigest, offeredDigest };
    this.hooks.mismatch(details);
    await this.writer.execute(
      streams.upstream(repository.name, request.name),
      (events: RecordedEvent[]) => events.some((e) => e.type === 'UpstreamMismatchDetected' && (e.data as { path: string; offeredDigest: string }).path === request.path && (e.data as { offeredDigest: string }).offeredDigest === offeredDigest),
      (seen) => (seen ? [] : [{ type: 'UpstreamMismatchDetected', schemaVersion: 1, data: { ...details, format: repository.format, name: request.name, version: request.version } }]),
      metadata,
    );
  }

  private async saveMetadata(repository: string, key: string, row: Partial<MetadataRow> & { status: number; url: string }): Promise<void> {
    await this.sql.query(
      `INSERT INTO remote_metadata (repository, key, status, body, content_type, etag, last_modified, url, fetched_at, checked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())
       ON CONFLICT (repository, key) DO UPDATE SET status = EXCLUDED.status, body = EXCLUDED.body, content_type = EXCLUDED.content_type,
         etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified, url = EXCLUDED.url, fetched_at = now(), checked_at = now()`,
      [repository, key, row.status, row.body ?? null, row.content_type ?? null, row.etag ?? null, row.last_modified ?? null, row.url],
    );
  }
}

const document = (row: MetadataRow, stale: boolean): UpstreamDocument => ({
  body: Buffer.from(row.body ?? Buffer.alloc(0)),
  contentType: row.content_type ?? undefined,
  url: row.url,
  fetchedAt: new Date(row.fetched_at).toISOString(),
  stale,
});

/** The sha256 (or other) digest the upstream declares now, when it is not the recorded file's. */
function differs(file: StoredFile, expected: ExpectedDigests): string | undefined {
  if (expected.sha256 && `sha256:${expected.sha256}` !== file.digest) return `sha256:${expected.sha256}`;
  if (expected.sha512 && file.sha512 && expected.sha512 !== file.sha512) return `sha512:${expected.sha512}`;
  if (expected.sha1 && expected.sha1 !== file.sha1) return `sha1:${expected.sha1}`;
  if (expected.md5 && expected.md5 !== file.md5) return `md5:${expected.md5}`;
  return undefined;
}

function lastDigest(events: RecordedEvent[], path: string): string | undefined {
  let digest: string | undefined;
  for (const e of events) {
    if (e.type !== 'UpstreamFetched') continue;
    for (const f of (e.data as UpstreamFetched['data']).files) if (f.path === path) digest = f.digest;
  }
  return digest;
}

async function readLimited(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let seen = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (seen > limit) {
      body.destroy();
      throw new DomainError('UPSTREAM_UNAVAILABLE', `upstream metadata larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
