// The practical limit for bench/generic-throughput.mjs (DESIGN.md section 13): a bare node:http
// server that streams each PUT body to a file while hashing it with sha256, and answers GET with
// fs.createReadStream. No framework, no database, no events: whatever Strata does beyond this is
// overhead to be measured against it.
//
//   node bench/bare-server.mjs <dir> [port]      prints `listening <port>` once it accepts
//
// BARE_WITH_PGLITE=1 also opens an in-memory PGlite (as Strata's embedded profile does) and keeps
// it idle, to price what merely having it in the process costs (its WebAssembly heap changes
// when V8 collects garbage).
// For pricing Strata's extra work separately: `PUT /<path>?fsync=1` also fsyncs the file before
// answering; `?digests=sha256,sha1,md5` computes those digests instead of sha256 alone.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const [dir, portArg = '0'] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: node bench/bare-server.mjs <dir> [port]\n');
  process.exit(2);
}

// One file per URL path; the name is the path's hash so any path maps to one flat, safe name.
const fileOf = (urlPath) => join(dir, createHash('sha256').update(urlPath).digest('hex'));

async function put(req, res, url) {
  const hashes = (url.searchParams.get('digests') ?? 'sha256').split(',').map((algorithm) => createHash(algorithm));
  let size = 0;
  const hasher = new Transform({
    transform(chunk, _encoding, callback) {
      size += chunk.length;
      for (const hash of hashes) hash.update(chunk);
      callback(null, chunk);
    },
  });
  const tmp = join(dir, `tmp-${randomUUID()}`);
  await pipeline(req, hasher, createWriteStream(tmp, { flags: 'wx', flush: url.searchParams.get('fsync') === '1' }));
  await rename(tmp, fileOf(url.pathname));
  const body = JSON.stringify({ sha256: hashes[0].digest('hex'), size });
  res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

async function get(req, res, url) {
  const path = fileOf(url.pathname);
  let size;
  try {
    size = (await stat(path)).size;
  } catch {
    res.writeHead(404, { 'content-length': '0' }).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
  await pipeline(createReadStream(path), res);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bare');
  const handler = req.method === 'PUT' ? put : req.method === 'GET' ? get : null;
  if (!handler) {
    res.writeHead(405, { 'content-length': '0' }).end();
    return;
  }
  handler(req, res, url).catch((error) => {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error?.message ?? error));
    else res.destroy();
  });
});
if (process.env.BARE_WITH_PGLITE === '1') {
  const { PGlite } = await import('@electric-sql/pglite');
  globalThis.idlePglite = await PGlite.create();
  await globalThis.idlePglite.query('SELECT 1');
}
server.requestTimeout = 0;
server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
