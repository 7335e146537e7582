import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface MultipartCopy {
  bucket: string;
  from: string;
  to: string;
  size: number;
  partSize: number;
  /** part copies in flight at once */
  concurrency?: number;
}

const MAX_PARTS = 10_000;
const MIN_PART_SIZE = 5 * 1024 * 1024;

/**
 * Server-side copy of an object of any size. CopyObject refuses sources over 5 GiB; beyond that
 * S3 wants a multipart upload whose parts are UploadPartCopy ranges of the source.
 * s3rver does not implement UploadPartCopy (NotImplemented), so this path only runs against
 * real S3 or MinIO (the S3 spec exercises it when TEST_S3_ENDPOINT is set).
 */
export async function multipartCopy(client: S3Client, copy: MultipartCopy): Promise<void> {
  const partSize = Math.max(copy.partSize, MIN_PART_SIZE, Math.ceil(copy.size / MAX_PARTS));
  const count = Math.max(1, Math.ceil(copy.size / partSize));
  const source = copySource(copy.bucket, copy.from);
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: copy.bucket, Key: copy.to }));
  try {
    const parts: CompletedPart[] = new Array(count);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < count && !failed) {
        const index = next++;
        const start = index * partSize;
        const end = Math.min(start + partSize, copy.size) - 1;
        const result = await client.send(
          new UploadPartCopyCommand({
            Bucket: copy.bucket,
            Key: copy.to,
            UploadId,
            PartNumber: index + 1,
            CopySource: source,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        );
        parts[index] = { PartNumber: index + 1, ETag: result.CopyPartResult?.ETag };
      }
    };
    // Settle every worker before aborting: a part copy still in flight after the abort could
    // leave a part behind (S3 documents exactly that race).
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(copy.concurrency ?? 4, count) }, () =>
        worker().catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    );
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: copy.bucket,
        Key: copy.to,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    // Parts of an unfinished multipart upload are stored and billed until aborted.
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: copy.bucket, Key: copy.to, UploadId }))
      .catch(() => {});
    throw error;
  }
}

/** `bucket/key`, URL-encoded as x-amz-copy-source requires (slashes stay). */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}
