import {
  DomainError,
  decideArtifact,
  evolveArtifact,
  initialArtifactState,
  streams,
  type EventMetadata,
  type StoredFile,
  type RepositoryView,
  type ArtifactCommand,
} from '../domain/index.js';
import type { BlobStore } from '../ports/index.js';
import type { StreamWriter } from './stream-writer.js';
import type { AddFilesRequest, IncomingFile, PublishRequest, StoredUpload } from '../format-kit/index.js';

// one definition of an incoming file: the one formats hand over
export type { IncomingFile };

/** A format's publish request, plus what the format's plugin says about reuse after delete. */
export interface PublishInput extends PublishRequest {
  /** the format lets a deleted version be published again (generic: yes; npm: no) */
  allowReuseAfterDelete: boolean;
}

/** A format's request to add stored files, plus what the format's plugin says about reuse after delete. */
export interface AddFilesInput extends AddFilesRequest {
  /** the format lets the path of a deleted file be used again (PyPI: never) */
  allowReuseAfterDelete: boolean;
}

type Target = { repository: string; format: string; name: string };

/**
 * Publishes and deletes artifacts (DESIGN.md section 5): blobs are streamed into the store first
 * (hashed, verified, committed by content address), then the decision is appended as an event.
 * A crash between the two leaves only an unreferenced blob, which GC removes after its grace.
 */
export class ArtifactCommands {
  constructor(private readonly writer: StreamWriter, private readonly blobs: BlobStore) {}

  async publish(input: PublishInput, metadata: EventMetadata): Promise<{ position: number; files: StoredFile[] }> {
    const files: StoredFile[] = [];
    for (const f of input.files) files.push(await this.storeFile(input.repository, f));
    const { position } = await this.writer.execute(
      streams.artifact(input.repository.name, input.format, input.name),
      (events) => events.reduce((s, e) => evolveArtifact(s, e as never), initialArtifactState()),
      (state) =>
        decideArtifact(
          {
            type: 'PublishArtifact',
            repository: input.repository.name,
            format: input.format,
            name: input.name,
            version: input.version,
            files,
            metadata: input.metadata ?? {},
            allowRedeploy: input.repository.config.allowRedeploy,
            allowReuseAfterDelete: input.allowReuseAfterDelete,
            tags: input.tags,
          },
          state,
        ),
      metadata,
    );
    return { position, files };
  }

  /**
   * Streams one file into the blob store (hashed, checked against `expected`, cut off beyond the
   * repository's maxUploadBytes) and records nothing: a format inspects the content, then adds it
   * with `addFiles`. Content never referenced by an event is removed by GC after its grace period.
   */
  async storeFile(repository: RepositoryView, f: IncomingFile): Promise<StoredUpload> {
    const d = await this.blobs.put(f.body, { expected: f.expected, maxBytes: repository.config.maxUploadBytes, ...(f.sha512 ? { sha512: true } : {}), ...(f.blake2b256 ? { blake2b256: true } : {}) });
    return {
      path: f.path, digest: `sha256:${d.sha256}`, size: d.size, mediaType: f.mediaType, sha1: d.sha1, md5: d.md5,
      ...(d.sha512 ? { sha512: d.sha512 } : {}), ...(d.blake2b256 ? { blake2b256: d.blake2b256 } : {}),
    };
  }

  /** Adds stored files to a version (AddArtifactFiles: publishes the version with its first files). */
  async addFiles(input: AddFilesInput, metadata: EventMetadata): Promise<{ position: number }> {
    for (const f of input.files) {
      const blob = await this.blobs.stat(f.digest.replace(/^sha256:/, ''));
      if (!blob || blob.size !== f.size) throw new DomainError('INTERNAL', `${f.path} is not in the blob store; store it first`);
    }
    const { repository, format, name, version, files, allowReuseAfterDelete } = input;
    return this.execute(
      { repository: repository.name, format, name },
      (t) => ({ type: 'AddArtifactFiles', ...t, version, files, metadata: input.metadata, allowReuseAfterDelete }),
      metadata,
    );
  }

  delete(repository: string, format: string, name: string, version: string, metadata: EventMetadata, pickLatest?: (remaining: string[]) => string | undefined) {
    return this.execute({ repository, format, name }, (t) => ({ type: 'DeleteArtifact', ...t, version, pickLatest }), metadata);
  }

  /** Records an OCI manifest (its blobs already stored) and optionally tags it (PushManifest). */
  pushManifest(target: Target, digest: string, files: StoredFile[], manifestMetadata: Record<string, unknown>, tag: string | undefined, metadata: EventMetadata) {
    return this.execute(target, (t) => ({ type: 'PushManifest', ...t, version: digest, files, metadata: manifestMetadata, tag }), metadata);
  }

  setTag(target: Target, tag: string, version: string, metadata: EventMetadata) {
    return this.execute(target, (t) => ({ type: 'SetTag', ...t, tag, version }), metadata);
  }

  removeTag(target: Target, tag: string, metadata: EventMetadata, protectedTags?: string[]) {
    return this.execute(target, (t) => ({ type: 'RemoveTag', ...t, tag, protectedTags }), metadata);
  }

  deprecate(target: Target, version: string, message: string, metadata: EventMetadata) {
    return this.execute(target, (t) => ({ type: 'DeprecateArtifact', ...t, version, message }), metadata);
  }

  yank(target: Target, version: string, yanked: boolean, reason: string | undefined, metadata: EventMetadata) {
    return this.execute(target, (t) => ({ type: 'YankArtifact', ...t, version, yanked, reason }), metadata);
  }

  private execute(target: Target, command: (t: Target) => ArtifactCommand, metadata: EventMetadata) {
    return this.writer.execute(
      streams.artifact(target.repository, target.format, target.name),
      (events) => events.reduce((s, e) => evolveArtifact(s, e as never), initialArtifactState()),
      (state) => decideArtifact(command(target), state),
      metadata,
    );
  }
}
