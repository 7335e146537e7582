import { Readable } from 'node:stream';
import { DomainError, type StoredFile } from '../../domain/index.js';
import { eventMetadata } from '../../format-kit/index.js';
import type { ContentSource } from './archive-limits.js';
import { coreInfoOf, parseCoreMetadata, type CoreMetadata } from './core-metadata.js';
import { authorizeFor, requireHosted, type PypiContext } from './pypi-context.js';
import { assertProjectName, normalizeName, normalizeVersion, parseDistributionFilename, sameVersion, type DistributionFilename } from './pypi-names.js';
import { PYPI, type PypiEventMetadata, type PypiFileMetadata } from './pypi-state.js';
import { readUploadForm, type UploadFields } from './upload-form.js';
import { readSdist } from './sdist.js';
import { readWheel } from './wheel.js';

const HEX = { md5: /^[a-f0-9]{32}$/, sha256: /^[a-f0-9]{64}$/, blake2_256: /^[a-f0-9]{64}$/ };
/** room for the form fields around the file (long descriptions included) */
const FORM_ALLOWANCE = 64 * 1024 * 1024;

interface Intent {
  project: string;
  version: string;
  filename: string;
  file: DistributionFilename;
  digests: { md5?: string; sha256?: string; blake2_256?: string };
}

/** The form as the legacy upload API defines it, checked before a byte of the file is stored. */
function parseIntent(fields: UploadFields, filename: string): Intent {
  const action = fields.get(':action');
  if (action !== 'file_upload') throw new DomainError('BAD_REQUEST', action ? `unsupported :action "${action.slice(0, 40)}"` : 'the form needs ":action" = "file_upload" before the content part');
  if (fields.get('protocol_version') !== '1') throw new DomainError('BAD_REQUEST', 'unsupported protocol_version (this is version 1 of the upload API)');
  const name = fields.get('name');
  assertProjectName(name);
  const project = normalizeName(name);
  const version = fields.get('version');
  normalizeVersion(version);
  const file = parseDistributionFilename(filename, project);
  const filetype = fields.get('filetype');
  if (filetype !== file.kind) throw new DomainError('INVALID_PACKAGE', `filetype "${filetype.slice(0, 40)}" does not match ${filename} (${file.kind}); only bdist_wheel and sdist are accepted`);
  if (!sameVersion(file.version, version)) throw new DomainError('INVALID_PACKAGE', `${filename} is not version ${version}`);
  const digests: Intent['digests'] = {};
  for (const algo of ['md5', 'sha256', 'blake2_256'] as const) {
    const value = fields.get(`${algo}_digest`).toLowerCase();
    if (!value) continue;
    if (!HEX[algo].test(value)) throw new DomainError('BAD_REQUEST', `${algo}_digest must be ${algo} hex`);
    digests[algo] = value;
  }
  if (Object.keys(digests).length === 0) throw new DomainError('BAD_REQUEST', 'include at least one message digest (sha256_digest, blake2_256_digest or md5_digest)');
  return { project, version, filename, file, digests };
}

/** Reads the file's core metadata and checks it against the form and the file name. */
async function inspect(ctx: PypiContext, intent: Intent, stored: StoredFile): Promise<{ core: CoreMetadata; bytes: Buffer }> {
  const sha256 = stored.digest.replace(/^sha256:/, '');
  const source: ContentSource = { size: stored.size, read: (range) => ctx.services.blobs.get(sha256, range) };
  let bytes: Buffer;
  if (intent.file.kind === 'bdist_wheel') {
    const wheel = await readWheel(source, intent.project);
    if (!sameVersion(wheel.distInfoVersion, intent.version)) throw new DomainError('INVALID_PACKAGE', `the wheel's .dist-info folder is for version ${wheel.distInfoVersion}, not ${intent.version}`);
    bytes = wheel.metadata;
  } else {
    bytes = (await readSdist(source)).metadata;
  }
  const core = parseCoreMetadata(bytes, intent.file.kind === 'bdist_wheel' ? 'METADATA' : 'PKG-INFO');
  if (normalizeName(core.name) !== intent.project) throw new DomainError('INVALID_PACKAGE', `the file's metadata names project "${core.name}", not "${intent.project}"`);
  if (!sameVersion(core.version, intent.version)) throw new DomainError('INVALID_PACKAGE', `the file's metadata has version ${core.version}, not ${intent.version}`);
  return { core, bytes };
}

/**
 * POST /pypi/<repo>/ (or /legacy/): `twine upload`, the legacy upload API
 * (https://docs.pypi.org/api/upload/, https://warehouse.pypa.io/api-reference/legacy.html#upload-api).
 * The file streams into the blob store while its digests are checked; then its core metadata is
 * read back and checked against the form and the file name; only then is anything recorded.
 * A file name already used in the project is refused (400), as on PyPI.
 */
export async function uploadFile(ctx: PypiContext): Promise<void> {
  const { req, res, repository, services, queries } = ctx;
  requireHosted(repository);
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > repository.config.maxUploadBytes + FORM_ALLOWANCE) {
    throw new DomainError('TOO_LARGE', `${declared} bytes exceeds the repository's limit of ${repository.config.maxUploadBytes}`);
  }
  const { content } = await readUploadForm(req, async (fields, filename, body) => {
    const intent = parseIntent(fields, filename);
    authorizeFor(ctx, 'write', intent.project);
    if (await queries.download(repository.name, intent.project, filename)) {
      // the decider refuses it too; refusing here keeps the content out of the blob store
      throw new DomainError('FILE_EXISTS', `${filename} already exists in ${intent.project}`);
    }
    // BLAKE2b-256 is one more side digest of the blob store's single pass (on its worker thread)
    const { md5, sha256, blake2_256: blake2b256 } = intent.digests;
    const { blake2b256: blake2_256, ...stored } = await services.storeFile(repository, {
      path: filename, mediaType: 'application/octet-stream', body, blake2b256: true, expected: { md5, sha256, blake2b256 },
    });
    return { intent, stored, blake2_256: blake2_256! };
  });
  const { intent, stored, blake2_256 } = content;
  const { core, bytes } = await inspect(ctx, intent, stored);
  const files = [stored];
  const fileMeta: PypiFileMetadata = {
    filetype: intent.file.kind,
    pythonVersion: intent.file.pythonTag ?? 'source',
    metadataVersion: core.metadataVersion,
    name: core.name,
    version: core.version,
    ...(core.summary ? { summary: core.summary.slice(0, 512) } : {}),
    ...(core.requiresPython ? { requiresPython: core.requiresPython } : {}),
    blake2_256,
    info: coreInfoOf(core),
  };
  if (intent.file.kind === 'bdist_wheel') {
    // PEP 658: the wheel's METADATA, served beside it as <file>.metadata
    const meta = await services.storeFile(repository, { path: `${intent.filename}.metadata`, mediaType: 'text/plain; charset=utf-8', body: Readable.from([bytes]), expected: { size: bytes.length } });
    files.push(meta);
    fileMeta.coreMetadata = { path: meta.path, sha256: meta.digest.replace(/^sha256:/, '') };
  }
  const version = await releaseVersion(ctx, intent.project, core.version);
  const metadata: PypiEventMetadata = { files: { [intent.filename]: fileMeta } };
  await services.addFiles({ repository, format: PYPI, name: intent.project, version, files, metadata: metadata as unknown as Record<string, unknown> }, eventMetadata(req));
  services.traffic.bytesIn(PYPI, stored.size);
  res.status(200).type('text/plain').send('OK\n');
}

/** The release a file joins: an existing one with an equal PEP 440 version (`1.0` == `1.0.0`), else the normal form. */
async function releaseVersion(ctx: PypiContext, project: string, version: string): Promise<string> {
  const releases = await ctx.queries.releases(ctx.repository.name, project);
  return releases.find((v) => sameVersion(v, version)) ?? normalizeVersion(version);
}
