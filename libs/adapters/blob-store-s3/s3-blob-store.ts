import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type BucketLocationConstraint,
  type _Object,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DomainError } from '../../domain/index.js';
import type { BlobDigests, BlobInfo, BlobStore, ByteRange, PutOptions } from '../../ports/index.js';
import { ByteCounter, HashingStream, normalizeSha256, verifyDigests } from '../blob-store-fs/hashing-stream.js';
import { copySource, multipartCopy } from './multipart-copy.js';
import { sliceBody } from './slice-body.js';

export interface S3BlobStoreOptions {
  /** omit for AWS; e.g. http://127.0.0.1:9000 for MinIO */
  endpoint?: string;
  region: string;
  bucket: string;
  /** with the secret: static keys; both empty or absent: the SDK's default chain (env, IAM role) */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** path-style URLs (bucket in the path, not the host name): MinIO, s3rver, most non-AWS stores */
  forcePathStyle: boolean;
  /** key prefix, so several registries (or tests) can share one bucket */
  prefix?: string;
  /** upload part size; raised automatically when a declared size would need more than 10,000 parts */
  partSize?: number;
  /** parts uploaded in parallel per put (memory per put is about partSize * (queueSize + 1)) */
  queueSize?: number;
  /** objects larger than this are committed by a multipart copy (CopyObject's hard limit is 5 GiB) */
  multipartCopyThreshold?: number;
  /** part size of a multipart copy */
  copyPartSize?: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const MAX_PARTS = 10_000;
const MAX_AUTO_PART_SIZE = 512 * MiB;
const STAGED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Content-addressed blobs in an S3-compatible bucket (the distributed profile).
 *
 * Keys: `<prefix>blobs/sha256/ab/cd/<hex>` for committed blobs, `<prefix>tmp/<uuid>` for puts in
 * progress. S3 has no rename, so a put uploads to the temp key while hashing, verifies, then
 * copies server-side to the final key and deletes the temp key. Readers only ever look under
 * `blobs/`, so they never see partial or unverified content.
 *
 * Never relies on ETags (s3rver's multipart ETag is a plain MD5, real S3's is not): every digest
 * comes from our own hashing pass.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly region: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly multipartCopyThreshold: number;
  private readonly copyPartSize: number;

  constructor(options: S3BlobStoreOptions) {
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
      // SDK releases since early 2025 add CRC32 checksum headers to every upload by default;
      // several S3-compatible stores (GCS interop, older MinIO and Ceph) reject them. Our own
      // sha256 already proves what was stored, so send checksums only where S3 demands them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.bucket = options.bucket;
    this.region = options.region;
    this.prefix = options.prefix ? options.prefix.replace(/\/*$/, '/') : '';
    this.partSize = options.partSize ?? 8 * MiB;
    this.queueSize = options.queueSize ?? 4;
    this.multipartCopyThreshold = options.multipartCopyThreshold ?? 5 * GiB;
    this.copyPartSize = options.copyPartSize ?? 512 * MiB;
  }

  /** Creates the bucket if it does not exist yet; call once at startup. */
  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: this.bucket,
          // us-east-1 is the one region S3 refuses as an explicit location constraint
          CreateBucketConfiguration: this.region === 'us-east-1' ? undefined : { LocationConstraint: this.region as BucketLocationConstraint },
        }),
      );
    } catch (error) {
      // another node started at the same moment
      if (errorName(error) !== 'BucketAlreadyOwnedByYou') throw error;
    }
  }

  async put(body: Readable, options: PutOptions = {}): Promise<BlobDigests> {
    const tmpKey = `${this.prefix}tmp/${randomUUID()}`;
    const hasher = new HashingStream({ maxBytes: options.maxBytes, expectedSize: options.expected?.size, sha512: options.sha512, blake2b256: options.blake2b256 });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: tmpKey, Body: hasher },
      partSize: this.partSizeFor(options.expected?.size),
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    // Both sides are wired before the first await, so an error the caller's stream emits is
    // never unhandled. If the upload fails, destroying the hasher stops the pipeline (and the
    // caller's stream) instead of leaving it stalled with nobody reading.
    const [piped, uploaded] = await Promise.allSettled([
      pipeline(body, hasher),
      upload.done().catch((error: unknown) => {
        hasher.destroy(error as Error);
        throw error;
      }),
    ]);
    try {
      // The pipeline's error is the cause when both fail: the client's stream broke, or a limit
      // was hit, and the upload only failed because its source did. (On s3rver the upload then
      // fails again aborting the multipart upload, which it does not implement.)
      if (piped.status === 'rejected') throw piped.reason;
      if (uploaded.status === 'rejected') throw uploaded.reason;
      const digests = await hasher.digests();
      verifyDigests(digests, options.expected);
      await this.commit(tmpKey, this.blobKey(digests.sha256)!, digests.size);
      return digests;
    } finally {
      // Best effort on every path: a temp key that survives (the delete failed, the process
      // died) is what cleanTemporary is for. S3 deletes are idempotent, so a key the upload
      // never created costs one request and no error.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tmpKey })).catch(() => {});
    }
  }

  /**
   * Staged uploads are `tmp/staged-<id>/` with an empty `.created` marker and one object per
   * append, named by its zero-padded offset (S3 parts need 5 MiB, OCI chunks can be smaller).
   * A commit streams the chunks in order through `put`, which hashes, verifies and commits.
   */
  async createStaged(): Promise<string> {
    const id = randomUUID();
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: `${this.stagedPrefix(id)}.created`, Body: new Uint8Array(0), ContentLength: 0 }));
    return id;
  }

  async appendStaged(id: string, body: Readable, options: { maxBytes?: number } = {}): Promise<number> {
    const before = await this.stagedSize(id);
    if (before === null) {
      body.resume();
      throw new DomainError('NOT_FOUND', `upload ${id} not found`);
    }
    const key = `${this.stagedPrefix(id)}${String(before).padStart(16, '0')}`;
    const counter = new ByteCounter(options.maxBytes === undefined ? undefined : options.maxBytes - before);
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: key, Body: counter }, partSize: this.partSize, queueSize: this.queueSize, leavePartsOnError: false });
    const [piped, uploaded] = await Promise.allSettled([
      pipeline(body, counter),
      upload.done().catch((error: unknown) => {
        counter.destroy(error as Error);
        throw error;
      }),
    ]);
    if (piped.status === 'rejected' || uploaded.status === 'rejected') {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => {});
      throw piped.status === 'rejected' ? piped.reason : (uploaded as PromiseRejectedResult).reason;
    }
    return before + counter.bytes;
  }

  async stagedSize(id: string): Promise<number | null> {
    const chunks = await this.stagedObjects(id);
    return chunks === null ? null : chunks.reduce((n, o) => n + (o.Size ?? 0), 0);
  }

  async commitStaged(id: string, options: PutOptions = {}): Promise<BlobDigests> {
    const chunks = await this.stagedObjects(id);
    if (chunks === null) throw new DomainError('NOT_FOUND', `upload ${id} not found`);
    const { client, bucket } = this;
    const concatenated = async function* (): AsyncGenerator<Buffer> {
      for (const chunk of chunks) yield* (await client.send(new GetObjectCommand({ Bucket: bucket, Key: chunk.Key! }))).Body as AsyncIterable<Buffer>;
    };
    const digests = await this.put(Readable.from(concatenated(), { objectMode: false }), options);
    await this.abortStaged(id);
    return digests;
  }

  async abortStaged(id: string): Promise<void> {
    if (!STAGED_ID.test(id)) return;
    for await (const object of this.listObjects(this.stagedPrefix(id))) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object.Key! }));
    }
  }

  /** The chunk objects of an upload in offset order; null when the upload does not exist. */
  private async stagedObjects(id: string): Promise<_Object[] | null> {
    if (!STAGED_ID.test(id)) return null;
    const all: _Object[] = [];
    for await (const object of this.listObjects(this.stagedPrefix(id))) all.push(object);
    if (!all.some((o) => o.Key!.endsWith('/.created'))) return null;
    return all.filter((o) => /\/\d{16}$/.test(o.Key!)).sort((a, b) => a.Key!.localeCompare(b.Key!));
  }

  private readonly stagedPrefix = (id: string): string => `${this.prefix}tmp/staged-${id.toLowerCase()}/`;

  async stat(sha256: string): Promise<BlobInfo | null> {
    const key = this.blobKey(sha256);
    if (!key) return null;
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { sha256: sha256.toLowerCase(), size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    const key = this.blobKey(sha256);
    if (!key) throw new DomainError('NOT_FOUND', `blob ${sha256} not found`);
    let response;
    try {
      response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
    } catch (error) {
      if (isNotFound(error)) throw new DomainError('NOT_FOUND', `blob ${sha256} not found`);
      throw error;
    }
    const body = response.Body;
    if (!(body instanceof Readable)) throw new Error('S3 GetObject did not return a Node stream');
    return range ? sliceBody(body, range, response.ContentRange) : body;
  }

  async delete(sha256: string): Promise<boolean> {
    // S3's DeleteObject answers 204 whether or not the key existed; the port wants to know, so
    // ask first. The gap between the two calls only matters to concurrent deletes of the same
    // blob, where either answer is true of some moment.
    if (!(await this.stat(sha256))) return false;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.blobKey(sha256)! }));
    return true;
  }

  async *list(): AsyncIterable<BlobInfo> {
    const under = `${this.prefix}blobs/sha256/`;
    for await (const object of this.listObjects(under)) {
      const hex = object.Key!.slice(object.Key!.lastIndexOf('/') + 1);
      // skip anything that is not a blob we wrote (and keys that do not match their fan-out)
      if (normalizeSha256(hex) !== hex || object.Key !== this.blobKey(hex)) continue;
      yield { sha256: hex, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
    }
  }

  async cleanTemporary(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    // a staged upload goes as a whole, judged by its newest append (never a chunk from its middle)
    const staged = new Map<string, { keys: string[]; newest: number }>();
    for await (const object of this.listObjects(`${this.prefix}tmp/`)) {
      const modified = object.LastModified?.getTime() ?? 0;
      const upload = /^(.*tmp\/staged-[^/]+\/)/.exec(object.Key!)?.[1];
      if (upload) {
        const entry = staged.get(upload) ?? { keys: [], newest: 0 };
        entry.keys.push(object.Key!);
        entry.newest = Math.max(entry.newest, modified);
        staged.set(upload, entry);
        continue;
      }
      if (modified > cutoff) continue;
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object.Key! }));
      removed += 1;
    }
    for (const { keys, newest } of staged.values()) {
      if (newest > cutoff) continue;
      for (const key of keys) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      removed += 1;
    }
    return removed + (await this.abortStaleUploads(cutoff));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Server-side copy from the verified temp key to the blob's address. */
  private async commit(tmpKey: string, blobKey: string, size: number): Promise<void> {
    // Copied even when the blob already exists: the copy is what refreshes its modification
    // time (so GC's grace period restarts), and it costs the same as the self-copy with
    // replaced metadata that S3 would need to touch an existing object.
    if (size > this.multipartCopyThreshold) {
      await multipartCopy(this.client, { bucket: this.bucket, from: tmpKey, to: blobKey, size, partSize: this.copyPartSize });
      return;
    }
    await this.client.send(
      new CopyObjectCommand({ Bucket: this.bucket, Key: blobKey, CopySource: copySource(this.bucket, tmpKey) }),
    );
  }

  /**
   * A process that dies mid-upload leaves a multipart upload whose parts are stored (and billed)
   * but not listed as objects. Stores that do not implement the listing (s3rver) have nothing
   * to clean here; a bucket lifecycle rule (AbortIncompleteMultipartUpload) is the backstop.
   */
  private async abortStaleUploads(cutoff: number): Promise<number> {
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: `${this.prefix}tmp/`,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
      } catch (error) {
        if (errorName(error) === 'NotImplemented') return aborted;
        throw error;
      }
      for (const upload of page.Uploads ?? []) {
        if ((upload.Initiated?.getTime() ?? 0) > cutoff) continue;
        await this.client.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key!, UploadId: upload.UploadId! }),
        );
        aborted += 1;
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return aborted;
  }

  private async *listObjects(prefix: string): AsyncIterable<_Object> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) yield object;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * S3 allows 10,000 parts, so 8 MiB parts cap a put at 78 GiB. A declared size raises the part
   * size to fit; the cap bounds memory (Upload holds up to queueSize + 1 parts) against a
   * client that declares an absurd size, and 512 MiB parts still reach S3's 5 TiB object limit.
   */
  private partSizeFor(declaredSize: number | undefined): number {
    if (declaredSize === undefined) return this.partSize;
    return Math.min(Math.max(this.partSize, Math.ceil(declaredSize / MAX_PARTS)), MAX_AUTO_PART_SIZE);
  }

  private blobKey(sha256: string): string | null {
    const hex = normalizeSha256(sha256);
    return hex ? `${this.prefix}blobs/sha256/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex}` : null;
  }
}

/** The error's S3 code (`NoSuchKey`, `NotImplemented`, ...), as the SDK names its exceptions. */
function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

function isNotFound(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  // HEAD responses have no body, so the SDK can only say `NotFound`; GET says `NoSuchKey`.
  return status === 404 || errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey' || errorName(error) === 'NoSuchBucket';
}
