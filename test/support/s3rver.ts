import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The slice of s3rver's API used here (the package ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  resetOnClose?: boolean;
}) => S3rverInstance;

export interface S3rverHandle {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/**
 * Starts s3rver (an S3 emulator on the local filesystem) in this process, on 127.0.0.1 with a
 * free port and a fresh folder. Its fixed credentials are S3RVER/S3RVER; tests create their own
 * buckets through the S3 API, as the adapters do.
 *
 * Known gaps (s3rver 3.7): no AbortMultipartUpload, ListMultipartUploads or UploadPartCopy;
 * `Range: bytes=0-0` returns the whole object; a multipart ETag is a plain MD5.
 */
export async function startS3rver(): Promise<S3rverHandle> {
  // s3rver is CommonJS without types; loading it through require also keeps its (large)
  // dependency tree out of jest's ESM module registry.
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const directory = await mkdtemp(join(tmpdir(), 'strata-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
