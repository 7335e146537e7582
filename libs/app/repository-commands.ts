import {
  decideRepository,
  evolveRepository,
  initialRepositoryState,
  streams,
  type EventMetadata,
  type RepositoryConfigInput,
  type RepositoryType,
} from '../domain/index.js';
import { normaliseUpstream } from '../domain/index.js';
import type { StreamWriter } from './stream-writer.js';
import type { UpstreamCredentials } from './upstream/upstream-credentials.js';

export interface CreateRepositoryInput {
  name: string;
  format: string;
  type: RepositoryType;
  config: RepositoryConfigInput;
}

/** Creates, configures and deletes repositories: each is one event on `repository-<name>`. */
export class RepositoryCommands {
  constructor(
    private readonly writer: StreamWriter,
    private readonly knownFormats: () => readonly string[],
    private readonly credentials?: UpstreamCredentials,
  ) {}

  private fold = (events: { type: string; data: unknown }[]) => events.reduce((s, e) => evolveRepository(s, e as never), initialRepositoryState);

  async create(input: CreateRepositoryInput, metadata: EventMetadata) {
    const result = await this.writer.execute(
      streams.repository(input.name),
      this.fold,
      (state) => decideRepository({ type: 'CreateRepository', name: input.name, format: input.format, repositoryType: input.type, config: input.config, knownFormats: this.knownFormats() }, state),
      metadata,
    );
    if (input.type === 'remote') await this.sealCredential(input.name, input.config);
    return result;
  }

  async configure(name: string, config: RepositoryConfigInput, metadata: EventMetadata) {
    let remote = false;
    const result = await this.writer.execute(streams.repository(name), this.fold, (state) => {
      remote = state.repositoryType === 'remote';
      return decideRepository({ type: 'ConfigureRepository', name, config }, state);
    }, metadata);
    if (remote) await this.sealCredential(name, config);
    return result;
  }

  /**
   * Seals an upstream credential once the (credential-free) event is appended: the decider strips
   * the secret from the config, so it never reaches the log.
   */
  private async sealCredential(name: string, config: RepositoryConfigInput): Promise<void> {
    if (config.upstream?.auth === undefined) return;
    const { secret } = normaliseUpstream({ url: 'https://validated.later/', ...config.upstream });
    if (secret === undefined) return;
    if (!this.credentials) throw new Error('upstream credentials need a credential store');
    await this.credentials.store(name, secret);
  }

  delete(name: string, metadata: EventMetadata) {
    return this.writer.execute(streams.repository(name), this.fold, (state) => decideRepository({ type: 'DeleteRepository', name }, state), metadata);
  }
}
