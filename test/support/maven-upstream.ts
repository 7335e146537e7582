import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const hex = (algo: string, b: Buffer | string) => createHash(algo).update(b).digest('hex');

/**
 * A static Maven 2 layout served over HTTP, as Maven Central serves one: files with a `.sha1` and
 * `.md5` beside each, `maven-metadata.xml` per artifact, ETags and 304s, and a request log.
 */
export class StaticMavenUpstream {
  readonly files = new Map<string, Buffer>();
  readonly seen: string[] = [];
  private server?: Server;
  url = '';

  constructor(private readonly prefix = '/maven2/') {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? '').split('?')[0]);
      this.seen.push(`${req.method} ${path}`);
      const body = path.startsWith(this.prefix) ? this.files.get(path.slice(this.prefix.length)) : undefined;
      if (!body) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      const etag = `"${hex('sha1', body)}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { etag, 'content-length': String(body.length), 'content-type': path.endsWith('.xml') || path.endsWith('.pom') ? 'text/xml' : 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}${this.prefix}`;
  }

  /** A file and its `.sha1`/`.md5` (unless `checksums` is false) */
  put(path: string, body: Buffer | string, checksums = true): void {
    const bytes = Buffer.from(body);
    this.files.set(path, bytes);
    if (!checksums) return;
    this.files.set(`${path}.sha1`, Buffer.from(hex('sha1', bytes)));
    this.files.set(`${path}.md5`, Buffer.from(hex('md5', bytes)));
  }

  /** GET requests the upstream answered for `path` (any status) */
  hits(path: string): number {
    return this.seen.filter((s) => s === `GET ${this.prefix}${path}`).length;
  }

  /**
   * Publishes `groupId:artifactId:version` (pom + jar) and rewrites the artifact's metadata with
   * every version published so far.
   */
  publish(c: { groupId: string; artifactId: string; version: string; jar: Buffer; packaging?: string }): { jarPath: string; pomPath: string } {
    const dir = `${c.groupId.replace(/\./g, '/')}/${c.artifactId}`;
    const base = `${dir}/${c.version}/${c.artifactId}-${c.version}`;
    this.put(`${base}.pom`, pomXml(c));
    this.put(`${base}.jar`, c.jar);
    const versions = [...this.files.keys()].filter((p) => p.startsWith(`${dir}/`) && p.endsWith('.pom')).map((p) => p.slice(dir.length + 1).split('/')[0]);
    this.put(`${dir}/maven-metadata.xml`, metadataXml(c.groupId, c.artifactId, versions));
    return { jarPath: `${base}.jar`, pomPath: `${base}.pom` };
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
    this.server = undefined;
  }
}

export const pomXml = (c: { groupId: string; artifactId: string; version: string; packaging?: string }) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>${c.groupId}</groupId>\n  <artifactId>${c.artifactId}</artifactId>\n  <version>${c.version}</version>\n  <packaging>${c.packaging ?? 'jar'}</packaging>\n</project>\n`;

/** Artifact-level metadata as Maven Central has it (versions in the order given, latest/release the last) */
export function metadataXml(groupId: string, artifactId: string, versions: string[]): string {
  const last = versions[versions.length - 1];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<metadata>\n  <groupId>${groupId}</groupId>\n  <artifactId>${artifactId}</artifactId>\n  <versioning>\n    <latest>${last}</latest>\n    <release>${last}</release>\n    <versions>\n${versions.map((v) => `      <version>${v}</version>\n`).join('')}    </versions>\n    <lastUpdated>20250102030405</lastUpdated>\n  </versioning>\n</metadata>\n`;
}

/**
 * A jar with one class, `fixture.<artifactId>.Greeting`, whose `text()` returns `greeting` (the
 * shape test/support/maven-client.ts's consumer calls), built with javac and jar.
 */
export async function greetingJar(artifactId: string, greeting: string): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), 'strata-jar-'));
  try {
    const pkg = artifactId.replace(/-/g, '_');
    await mkdir(join(work, 'src', 'fixture', pkg), { recursive: true });
    const source = join(work, 'src', 'fixture', pkg, 'Greeting.java');
    await writeFile(source, `package fixture.${pkg};\npublic class Greeting { public static String text() { return ${JSON.stringify(greeting)}; } }\n`);
    await run('javac', ['--release', '17', '-d', join(work, 'classes'), source]);
    await run('jar', ['--create', '--file', join(work, 'out.jar'), '-C', join(work, 'classes'), '.']);
    return await readFile(join(work, 'out.jar'));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
