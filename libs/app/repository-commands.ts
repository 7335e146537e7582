import {
  decideRepository,
  evolveRepository,
  initialRepositoryState,
  streams,
  type EventMetadata,
  type RepositoryConfig,
  type RepositoryType,
} from '../domain/index.js';
import type { StreamWriter } from './stream-writer.js';

export interface CreateRepositoryInput {
  name: string;
  format: string;
  type: RepositoryType;
  config: Partial<RepositoryConfig>;
}

/** Creates, configures and deletes repositories: each is one event on `repository-<name>`. */
export class RepositoryCommands {
  constructor(private readonly writer: StreamWriter, private readonly knownFormats: () => readonly string[]) {}

  private fold = (events: { type: string; data: unknown }[]) => events.reduce((s, e) => evolveRepository(s, e as never), initialRepositoryState);

  create(input: CreateRepositoryInput, metadata: EventMetadata) {
    return this.writer.execute(
      streams.repository(input.name),
      this.fold,
      (state) => decideRepository({ type: 'CreateRepository', name: input.name, format: input.format, repositoryType: input.type, config: input.config, knownFormats: this.knownFormats() }, state),
      metadata,
    );
  }

  configure(name: string, config: Partial<RepositoryConfig>, metadata: EventMetadata) {
    return this.writer.execute(streams.repository(name), this.fold, (state) => decideRepository({ type: 'ConfigureRepository', name, config }, state), metadata);
  }

  delete(name: string, metadata: EventMetadata) {
    return this.writer.execute(streams.repository(name), this.fold, (state) => decideRepository({ type: 'DeleteRepository', name }, state), metadata);
  }
}
