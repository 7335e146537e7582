import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** A tar archive (not gzip'd) holding `files` (path -> content), as `npm pack` lays them out. */
export async function tarOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => pack.on('end', resolve).on('error', reject));
  for (const [name, content] of Object.entries(files)) {
    await new Promise<void>((resolve, reject) => pack.entry({ name, mode: 0o644 }, content, (e) => (e ? reject(e) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A package tarball: gzip'd tar with package/package.json naming `name@version` (or what `packageJson` says). */
export async function packageTarball(name: string, version: string, packageJson: Record<string, unknown> = {}, extra: Record<string, string> = {}): Promise<Buffer> {
  return gzipSync(await tarOf({ 'package/package.json': JSON.stringify({ name, version, ...packageJson }), 'package/index.js': 'module.exports = 1;\n', ...extra }));
}

export const integrityOf = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
export const shasumOf = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/** The document `npm publish` sends (libnpmpublish), for `tarball` as `name@version`. */
export function publishDocument(name: string, version: string, tarball: Buffer, options: { tag?: string; manifest?: Record<string, unknown> } = {}): Record<string, any> {
  const file = `${name}-${version}.tgz`;
  return {
    _id: name,
    name,
    description: `${name} for tests`,
    'dist-tags': { [options.tag ?? 'latest']: version },
    versions: {
      [version]: {
        name,
        version,
        description: `${name} for tests`,
        main: 'index.js',
        readme: `# ${name}\n`,
        ...options.manifest,
        _id: `${name}@${version}`,
        dist: { integrity: integrityOf(tarball), shasum: shasumOf(tarball), tarball: `http://ignored.example/${name}/-/${file}` },
      },
    },
    access: null,
    _attachments: { [file]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
  };
}

/**
 * A sigstore bundle as `npm publish --provenance` makes it (sigstore-js, bundle v0.3): a DSSE
 * envelope around an in-toto statement whose one subject is the package URL with the tarball's
 * sha512, plus verification material. The signature and certificate are placeholders: nothing
 * here can sign for a CI identity, and the registry does not verify them.
 */
export function provenanceBundle(name: string, version: string, tarball: Buffer, statement: Record<string, unknown> = {}): Record<string, any> {
  const body = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: `pkg:npm/${name.replace(/^@/, '%40')}@${version}`, digest: { sha512: createHash('sha512').update(tarball).digest('hex') } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: { buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1', externalParameters: { workflow: { ref: 'refs/heads/main', repository: 'https://github.com/acme/lib', path: '.github/workflows/publish.yml' } } },
      runDetails: { builder: { id: 'https://github.com/actions/runner/github-hosted' }, metadata: { invocationId: 'https://github.com/acme/lib/actions/runs/1/attempts/1' } },
    },
    ...statement,
  };
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: Buffer.from('placeholder certificate').toString('base64') },
      tlogEntries: [{ logIndex: '123456', logId: { keyId: 'wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=' }, kindVersion: { kind: 'dsse', version: '0.0.1' }, integratedTime: '1700000000' }],
      timestampVerificationData: {},
    },
    dsseEnvelope: {
      payload: Buffer.from(JSON.stringify(body)).toString('base64'),
      payloadType: 'application/vnd.in-toto+json',
      signatures: [{ sig: Buffer.from('placeholder signature').toString('base64'), keyid: '' }],
    },
  };
}

/** Adds the provenance attachment exactly as libnpmpublish does: the bundle's JSON text (not base64) under `<name>-<version>.sigstore`. */
export function withProvenance(doc: Record<string, any>, name: string, version: string, bundle: unknown): Record<string, any> {
  const serialized = JSON.stringify(bundle);
  const mediaType = (bundle as { mediaType?: unknown } | null)?.mediaType;
  doc._attachments[`${name}-${version}.sigstore`] = { content_type: mediaType, data: serialized, length: serialized.length };
  return doc;
}
