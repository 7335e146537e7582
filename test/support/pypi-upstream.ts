import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const normalize = (name: string) => name.replace(/[-_.]+/g, '-').toLowerCase();

interface UpstreamFile {
  project: string;
  filename: string;
  bytes: Buffer;
  requiresPython?: string;
  /** a wheel's METADATA, served at `<file>.metadata` (PEP 658) */
  metadata?: Buffer;
}

/**
 * A static PEP 503 index served over HTTP, the shape `python -m http.server` over a
 * `simple/<project>/index.html` tree has (and what pypi.org's HTML looks like): HTML whatever the
 * Accept header asks, links relative to the page (`../../packages/<file>#sha256=…`),
 * `data-requires-python` (escaped), PEP 658 `data-dist-info-metadata` for wheels, ETags and 304s,
 * and a request log.
 */
export class StaticPypiUpstream {
  private readonly files = new Map<string, UpstreamFile>();
  readonly seen: string[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? '').split('?')[0]);
      this.seen.push(`${req.method} ${path}`);
      const body = this.answer(path);
      if (!body) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      const etag = `"${sha256(body.bytes).slice(0, 16)}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { etag, 'content-length': String(body.bytes.length), 'content-type': body.type });
      res.end(req.method === 'HEAD' ? undefined : body.bytes);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/simple/`;
  }

  private answer(path: string): { bytes: Buffer; type: string } | undefined {
    if (path === '/simple/') {
      const projects = [...new Set([...this.files.values()].map((f) => f.project))].sort();
      return { type: 'text/html', bytes: Buffer.from(`<!DOCTYPE html>\n<html><body>\n${projects.map((p) => `<a href="${p}/">${p}</a><br/>\n`).join('')}</body></html>\n`) };
    }
    const page = /^\/simple\/([^/]+)\/$/.exec(path);
    if (page) {
      const files = [...this.files.values()].filter((f) => f.project === page[1]);
      if (files.length === 0) return undefined;
      const links = files.map((f) => {
        const attrs = [`href="../../packages/${encodeURIComponent(f.filename)}#sha256=${sha256(f.bytes)}"`];
        if (f.requiresPython) attrs.push(`data-requires-python="${escape(f.requiresPython)}"`);
        if (f.metadata) attrs.push(`data-dist-info-metadata="sha256=${sha256(f.metadata)}"`);
        return `    <a ${attrs.join(' ')}>${escape(f.filename)}</a><br/>\n`;
      });
      return { type: 'text/html; charset=utf-8', bytes: Buffer.from(`<!DOCTYPE html>\n<html>\n  <head><title>Links for ${page[1]}</title></head>\n  <body>\n    <h1>Links for ${page[1]}</h1>\n${links.join('')}  </body>\n</html>\n`) };
    }
    const file = /^\/packages\/([^/]+)$/.exec(path);
    if (!file) return undefined;
    if (file[1].endsWith('.metadata')) {
      const meta = this.files.get(file[1].slice(0, -'.metadata'.length))?.metadata;
      return meta && { type: 'application/octet-stream', bytes: meta };
    }
    const found = this.files.get(file[1]);
    return found && { type: 'application/octet-stream', bytes: found.bytes };
  }

  /** Publishes the files of a dist folder (`distFiles`): wheels with their METADATA beside them. */
  async add(project: string, paths: string[], requiresPython?: string): Promise<void> {
    for (const path of paths) {
      const filename = basename(path);
      const bytes = await readFile(path);
      const metadata = filename.endsWith('.whl') ? await wheelMetadata(path) : undefined;
      this.files.set(filename, { project: normalize(project), filename, bytes, requiresPython, ...(metadata ? { metadata } : {}) });
    }
  }

  /** Other bytes under a published file name (the page's sha256 follows them): a mutated upstream. */
  replace(filename: string, bytes: Buffer): void {
    const f = this.files.get(filename);
    if (!f) throw new Error(`no upstream file ${filename}`);
    this.files.set(filename, { ...f, bytes });
  }

  bytesOf(filename: string): Buffer {
    return this.files.get(filename)!.bytes;
  }

  /** GET requests the upstream answered for `path` (any status) */
  hits(path: string): number {
    return this.seen.filter((s) => s === `GET ${path}`).length;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
    this.server = undefined;
  }
}

/** The `.dist-info/METADATA` of a wheel, read with Python's zipfile. */
async function wheelMetadata(path: string): Promise<Buffer> {
  const script = 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nname = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")][0]\nsys.stdout.buffer.write(z.read(name))\n';
  const { stdout } = await run('/usr/bin/python3', ['-c', script, path], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}
