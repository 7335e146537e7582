import {
  DomainError,
  decideArtifact,
  evolveArtifact,
  initialArtifactState,
  promotionSource,
  streams,
  type ArtifactCommand,
  type EventMetadata,
  type RecordedEvent,
  type RepositoryView,
} from '../domain/index.js';
import type { BlobStore, EventStore } from '../ports/index.js';
import type { StreamWriter } from './stream-writer.js';

export interface PromoteInput {
  from: RepositoryView;
  to: RepositoryView;
  name: string;
  version: string;
  /** tags to set in the target; default: the source's tags that point at the version */
  tags?: string[];
}

/** How long deleted versions of this repository can be restored (and their blobs are kept). */
export const restoreWindowMs = (repository: Pick<RepositoryView, 'config'>, serverDefaultMs: number): number =>
  repository.config.restoreWindowDays !== undefined ? repository.config.restoreWindowDays * 86_400_000 : serverDefaultMs;

const fold = (events: RecordedEvent[]) => events.reduce((s, e) => evolveArtifact(s, e as never), initialArtifactState());

/**
 * Promotions and restores: both make a version live again from what the log already holds (no
 * bytes are copied or uploaded), as one event on the target artifact stream.
 */
export class PromotionCommands {
  constructor(
    private readonly store: EventStore,
    private readonly writer: StreamWriter,
    private readonly blobs: Pick<BlobStore, 'stat'>,
    private readonly reuseAfterDelete: (format: string) => boolean,
    /** the server's undo window (STRATA_UNDO_WINDOW_SECONDS); a repository's restoreWindowDays overrides it */
    private readonly undoWindowMs: number,
  ) {}

  /** The caller is authorised already (admin, or write on `to` and read on `from`). */
  async promote(input: PromoteInput, metadata: EventMetadata): Promise<{ position: number; tags: string[] }> {
    const { from, to, name, version } = input;
    if (from.name === to.name) throw new DomainError('BAD_REQUEST', 'a version cannot be promoted into its own repository');
    if (from.format !== to.format) throw new DomainError('WRONG_FORMAT', `cannot promote from a ${from.format} repository into a ${to.format} repository`);
    if (to.type !== 'hosted') throw new DomainError('BAD_REQUEST', `promotions go into hosted repositories; "${to.name}" is ${to.type}`);
    const sourceEvents = await this.store.readStream(streams.artifact(from.name, from.format, name));
    const source = promotionSource(fold(sourceEvents), from.name, name, version, to.config.promotion);
    await this.assertBlobsPresent(source.files, `${name}@${version}`);
    const tags = input.tags ?? source.tags;
    const { position } = await this.writer.execute(streams.artifact(to.name, to.format, name), fold, (state) =>
      decideArtifact(
        {
          type: 'PromoteArtifact',
          repository: to.name,
          format: to.format,
          name,
          version,
          from: from.name,
          files: source.files,
          metadata: source.metadata,
          allowReuseAfterDelete: this.reuseAfterDelete(to.format),
          tags,
          sourcePosition: sourceEvents.at(-1)?.position,
          presentAs: source.presentAs,
        },
        state,
      ),
      metadata,
    );
    return { position, tags };
  }

  /** Restores a deleted version within the repository's restore window (the caller is an admin). */
  async restore(repository: RepositoryView, name: string, version: string, metadata: EventMetadata, now = new Date()): Promise<{ position: number }> {
    const stream = streams.artifact(repository.name, repository.format, name);
    const command: ArtifactCommand = {
      type: 'RestoreArtifact',
      repository: repository.name,
      format: repository.format,
      name,
      version,
      now: now.toISOString(),
      windowMs: restoreWindowMs(repository, this.undoWindowMs),
    };
    // decide once before writing to check the blobs are still there (GC may have purged them)
    const [restored] = decideArtifact(command, fold(await this.store.readStream(stream)));
    await this.assertBlobsPresent((restored.data as { files: { digest: string; size: number; path: string }[] }).files, `${name}@${version}`);
    return this.writer.execute(stream, fold, (state) => decideArtifact(command, state), metadata);
  }

  private async assertBlobsPresent(files: readonly { digest: string; size: number; path: string }[], what: string): Promise<void> {
    for (const f of files) {
      const blob = await this.blobs.stat(f.digest.replace(/^sha256:/, ''));
      if (!blob) throw new DomainError('GONE', `${what}: the content of ${f.path} was purged from the blob store`);
    }
  }
}
