import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { splitTarget } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { ApiError, CliError, NetworkError, UsageError, isAbort } from '../errors.js';
import { formatBytes, toJson } from '../format.js';
import { encodePath } from '../http.js';
import { createProgress, type Progress } from '../progress.js';

/** The generic protocol's answer to a PUT. */
interface Uploaded {
  repository: string;
  path: string;
  sha256: string;
  sha1?: string;
  md5?: string;
  size: number;
}

/** 1 MiB chunks: the default 64 KiB costs about a third of the throughput on large artifacts. */
const CHUNK = 1 << 20;

/** Passes bytes through unchanged, hashing and counting them on the way. */
class Meter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly onBytes: (bytes: number) => void) {
    super({ highWaterMark: CHUNK });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes(this.bytes);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** sha256 of a file in one streaming pass (memory stays flat for any size). */
async function hashFile(file: string, progress: Progress, signal?: AbortSignal): Promise<string> {
  const meter = new Meter((n) => progress.update(n));
  await pipeline(createReadStream(file, { highWaterMark: CHUNK }), meter, async function* (source) {
    for await (const _ of source) {
      // drain: the meter already saw the bytes
    }
  }, { signal });
  return meter.digest();
}

/** `"<sha256hex>"` (the generic protocol's ETag) -> hex; anything else (weak, absent) -> undefined. */
export function sha256FromEtag(etag: string | null): string | undefined {
  const match = etag ? /^"([0-9a-f]{64})"$/i.exec(etag.trim()) : null;
  return match ? match[1]!.toLowerCase() : undefined;
}

const genericPath = (repository: string, path: string) => `/generic/${encodeURIComponent(repository)}/${encodePath(path)}`;

async function upload(ctx: CommandContext, file: string, target: string): Promise<number> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new CliError(`${file}: not a readable file`);
  const { repository, path } = splitTarget(target.endsWith('/') ? `${target}${basename(file)}` : target);
  const hashing = createProgress(ctx.io.stderr, `hashing   ${basename(file)}`, info.size, { now: ctx.io.now });
  const sha256 = await hashFile(file, hashing, ctx.io.signal).catch((e: unknown) => {
    hashing.clear();
    throw e;
  });
  hashing.finish();

  const sending = createProgress(ctx.io.stderr, `uploading ${basename(file)}`, info.size, { now: ctx.io.now });
  const meter = new Meter((n) => sending.update(n));
  const fileStream = createReadStream(file, { highWaterMark: CHUNK });
  fileStream.on('error', (e) => meter.destroy(e));
  const body = fileStream.pipe(meter);
  let result: Uploaded;
  try {
    ({ body: result } = await ctx.api.json<Uploaded>('PUT', genericPath(repository, path), {
      body,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(info.size), 'x-checksum-sha256': sha256 },
    }));
  } catch (e) {
    sending.clear();
    body.destroy();
    throw e instanceof NetworkError && !e.unreachable ? await explainBrokenUpload(ctx, repository, path, sha256, e) : e;
  }
  sending.finish();
  if (result?.sha256 && result.sha256.toLowerCase() !== sha256) {
    throw new CliError(`the server stored sha256 ${result.sha256} but the file hashed to ${sha256}`);
  }
  ctx.print(ctx.json ? toJson(result) : `uploaded ${file} to ${repository}/${path} (${formatBytes(info.size)}, sha256 ${sha256})`);
  return 0;
}

/**
 * A server that refuses an upload before reading its body (409, 413, 403, ...) closes the
 * connection, and fetch then often reports the broken pipe instead of the answer. A HEAD on the
 * target recovers the likeliest reason.
 */
async function explainBrokenUpload(ctx: CommandContext, repository: string, path: string, sha256: string, broken: NetworkError): Promise<CliError> {
  const target = `${repository}/${path}`;
  const hint = 'the server may have refused the upload before reading it: check that the repository exists and is hosted, that the token may write to it, that the file is within its max upload size, and that the path is free unless the repository allows redeploy';
  try {
    const probe = await ctx.api.request('HEAD', genericPath(repository, path), { accept: [404], headers: { accept: '*/*' } });
    if (probe.status === 404) return new CliError(`${broken.message}
${hint}`);
    const existing = sha256FromEtag(probe.headers.get('etag'));
    const what = existing === sha256 ? 'with exactly this content' : `with other content (sha256 ${existing ?? 'unknown'})`;
    return new CliError(`${broken.message}
${target} already exists ${what}; the repository probably does not allow redeploy`);
  } catch (e) {
    if (e instanceof ApiError) return new CliError(`${broken.message}
the server refuses ${target}: ${e.message}`);
    return new CliError(`${broken.message}
${hint}`);
  }
}

/** Where a download goes: the given name, inside it when it is a directory, or the path's basename. */
async function destinationFor(path: string, outfile: string | undefined): Promise<string> {
  const name = basename(path);
  if (outfile === undefined) return name;
  const info = await stat(outfile).catch(() => undefined);
  return info?.isDirectory() ? join(outfile, name) : outfile;
}

async function download(ctx: CommandContext, source: string, outfile: string | undefined): Promise<number> {
  const { repository, path } = splitTarget(source);
  const destination = await destinationFor(path, outfile);
  // identity: the ETag names the stored bytes, and a transparent gunzip would hash something else
  const response = await ctx.api.request('GET', genericPath(repository, path), { headers: { 'accept-encoding': 'identity', accept: '*/*' } });
  const expected = sha256FromEtag(response.headers.get('etag'));
  if (!expected) ctx.note(`warning: the server sent no sha256 ETag; ${repository}/${path} is not verified`);
  const length = Number(response.headers.get('content-length') ?? NaN);
  const progress = createProgress(ctx.io.stderr, `downloading ${basename(path)}`, Number.isFinite(length) ? length : undefined, { now: ctx.io.now });
  const temp = join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString('hex')}.part`);
  const meter = new Meter((n) => progress.update(n));
  try {
    if (!response.body) throw new CliError('the server answered without a body');
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), meter, createWriteStream(temp, { flags: 'wx', highWaterMark: CHUNK }), { signal: ctx.io.signal });
    const actual = meter.digest();
    if (expected && actual !== expected) {
      throw new CliError(`checksum mismatch for ${repository}/${path}: the server promised sha256 ${expected} (ETag) but sent bytes hashing to ${actual}; nothing was written`);
    }
    await rename(temp, destination);
    progress.finish();
    const result = { repository, path, file: destination, size: meter.bytes, sha256: actual, verified: Boolean(expected) };
    ctx.print(ctx.json ? toJson(result) : `downloaded ${repository}/${path} to ${destination} (${formatBytes(meter.bytes)}, sha256 ${actual}${expected ? ' verified' : ' NOT verified'})`);
    return 0;
  } catch (e) {
    progress.clear();
    await unlink(temp).catch(() => undefined);
    if (e instanceof CliError || isAbort(e) || ctx.io.signal?.aborted) throw e;
    throw new CliError(`download of ${repository}/${path} failed: ${(e as Error).message}; nothing was written`);
  }
}

export const transferCommands: Command[] = [
  {
    path: ['upload'],
    args: '<file> <repository>/<path>',
    summary: 'upload a file to a generic repository (sha256 checked by the server)',
    notes: 'A target ending in / takes the file name: `strata upload a.tgz libs/builds/` stores libs/builds/a.tgz.',
    options: {},
    positionals: { min: 2, max: 2 },
    run: (ctx, { positionals }) => upload(ctx, positionals[0]!, positionals[1]!),
  },
  {
    path: ['download'],
    args: '<repository>/<path> [outfile]',
    summary: 'download a file from a generic repository, verifying its sha256',
    notes: 'Writes to a temporary file beside the target and renames it only once the sha256 matches the ETag;\non a mismatch nothing is left behind. Without outfile the file keeps its name in the current directory.',
    options: {},
    positionals: { min: 1, max: 2 },
    run: (ctx, { positionals }) => {
      if (positionals[1] === '') throw new UsageError('outfile must not be empty');
      return download(ctx, positionals[0]!, positionals[1]);
    },
  },
];
