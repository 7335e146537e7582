import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { binary } from '../../test/support/http-helpers.js';
import { FsBlobStore } from '../adapters/blob-store-fs/index.js';
import { isDomainError } from '../domain/index.js';
import { matchesIfNoneMatch, serveBlob } from './serve-blob.js';

describe('serveBlob: a stored blob over HTTP (ETag, 304, Range, If-Range, HEAD, purged content)', () => {
  let root: string;
  let store: FsBlobStore;
  let content: Buffer;
  let sha256: string;
  let sent: number[];
  /** the handlers' promises: they settle only once the body is written, which may be after the client has it */
  let pending: Promise<unknown>[];
  const settled = async () => {
    await Promise.all(pending);
    return sent;
  };
  let app: express.Express;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-serve-blob-'));
    store = new FsBlobStore({ root });
    content = randomBytes(100_000);
    sha256 = (await store.put(Readable.from([content]))).sha256;
    app = express();
    app.all('/blob/:sha', (req, res, next) => {
      const known = req.params.sha === 'known';
      const served = serveBlob(req, res, store, { sha256: known ? sha256 : 'a'.repeat(64), size: content.length, contentType: 'application/octet-stream', cacheControl: 'private, max-age=31536000, immutable', headers: { 'x-extra': 'yes', 'x-none': undefined } })
        .then((n) => sent.push(n))
        .catch(next);
      pending.push(served);
    });
    app.use((e: unknown, _req: Request, res: Response, _next: NextFunction) => {
      res.status(isDomainError(e) ? e.status : 500).type('application/json').json({ code: isDomainError(e) ? e.code : 'INTERNAL' });
    });
  });
  beforeEach(() => {
    sent = [];
    pending = [];
  });
  afterAll(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('sends the whole blob with its sha256 as a strong ETag and the given headers', async () => {
    const res = await request(app).get('/blob/known').buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(res.body as Buffer, content)).toBe(0);
    expect(res.headers).toMatchObject({ etag: `"${sha256}"`, 'content-length': String(content.length), 'accept-ranges': 'bytes', 'x-checksum-sha256': sha256, 'x-extra': 'yes', 'cache-control': 'private, max-age=31536000, immutable' });
    expect(res.headers).not.toHaveProperty('x-none');
    expect(await settled()).toEqual([content.length]);
  });

  it('answers 304 to a matching If-None-Match (weak or in a list), 200 to another', async () => {
    for (const inm of [`"${sha256}"`, `W/"${sha256}"`, `"other", "${sha256}"`, '*']) await request(app).get('/blob/known').set('if-none-match', inm).expect(304);
    await request(app).get('/blob/known').set('if-none-match', '"other"').expect(200);
    expect(await settled()).toEqual([0, 0, 0, 0, content.length]);
  });

  it.each([
    ['bytes=0-9', 0, 9],
    ['bytes=99990-', 99_990, 99_999],
    ['bytes=-5', 99_995, 99_999],
    ['bytes=50-200000', 50, 99_999],
  ])('serves Range %s as 206 with Content-Range', async (header, start, end) => {
    const res = await request(app).get('/blob/known').set('range', header).buffer(true).parse(binary).expect(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${content.length}`);
    expect(res.headers['content-length']).toBe(String(end - start + 1));
    expect(createHash('sha256').update(res.body as Buffer).digest('hex')).toBe(createHash('sha256').update(content.subarray(start, end + 1)).digest('hex'));
    expect(await settled()).toEqual([end - start + 1]);
  });

  it('answers 416 with Content-Range: bytes */size to a range beyond the end', async () => {
    const res = await request(app).get('/blob/known').set('range', 'bytes=100000-').expect(416);
    expect(res.headers['content-range']).toBe(`bytes */${content.length}`);
    await settled().catch(() => undefined);
  });

  it('ignores the range when If-Range names another ETag, and a range form it does not serve', async () => {
    await request(app).get('/blob/known').set('range', 'bytes=0-9').set('if-range', '"stale"').expect(200).expect('content-length', String(content.length));
    await request(app).get('/blob/known').set('range', 'bytes=0-9').set('if-range', `"${sha256}"`).expect(206);
    await request(app).get('/blob/known').set('range', 'bytes=0-1,5-6').expect(200);
    expect(await settled()).toEqual([content.length, 10, content.length]);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await request(app).head('/blob/known').expect(200);
    expect(res.headers['content-length']).toBe(String(content.length));
    expect(res.headers.etag).toBe(`"${sha256}"`);
    expect(await settled()).toEqual([0]);
  });

  it('turns content missing from the blob store into GONE (410)', async () => {
    await request(app).get('/blob/purged').expect(410).expect({ code: 'GONE' });
  });

  it('matchesIfNoneMatch compares weakly, as RFC 9110 asks for If-None-Match', () => {
    expect(matchesIfNoneMatch(undefined, '"a"')).toBe(false);
    expect(matchesIfNoneMatch('W/"a"', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('"b" , "a"', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('"b"', '"a"')).toBe(false);
  });
});
