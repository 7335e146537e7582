import { DomainError } from './errors.js';
import type { DomainEvent, RepositoryConfig, RepositoryType } from './events.js';
import { assertRepositoryName } from './names.js';

export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 ** 3;

export interface RepositoryState {
  exists: boolean;
  format?: string;
  repositoryType?: RepositoryType;
  config?: RepositoryConfig;
}

export const initialRepositoryState: RepositoryState = { exists: false };

export type RepositoryCommand =
  | { type: 'CreateRepository'; name: string; format: string; repositoryType: RepositoryType; config: Partial<RepositoryConfig>; knownFormats: readonly string[] }
  | { type: 'ConfigureRepository'; name: string; config: Partial<RepositoryConfig> }
  | { type: 'DeleteRepository'; name: string };

export function evolveRepository(state: RepositoryState, event: DomainEvent): RepositoryState {
  switch (event.type) {
    case 'RepositoryCreated':
      return { exists: true, format: event.data.format, repositoryType: event.data.repositoryType, config: event.data.config };
    case 'RepositoryConfigured':
      return { ...state, config: event.data.config };
    case 'RepositoryDeleted':
      return { exists: false, format: state.format };
    default:
      return state;
  }
}

/** Fills defaults and refuses settings that make no sense; pure. */
export function normaliseConfig(type: RepositoryType, input: Partial<RepositoryConfig>, base?: RepositoryConfig): RepositoryConfig {
  const merged = { ...(base ?? {}), ...input };
  const config: RepositoryConfig = {
    anonymousRead: merged.anonymousRead ?? false,
    allowRedeploy: merged.allowRedeploy ?? false,
    maxUploadBytes: merged.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
  };
  if (merged.description !== undefined) config.description = String(merged.description).slice(0, 1000);
  if (typeof config.anonymousRead !== 'boolean') throw new DomainError('BAD_REQUEST', 'anonymousRead must be a boolean');
  if (typeof config.allowRedeploy !== 'boolean') throw new DomainError('BAD_REQUEST', 'allowRedeploy must be a boolean');
  if (!Number.isSafeInteger(config.maxUploadBytes) || config.maxUploadBytes <= 0) {
    throw new DomainError('BAD_REQUEST', 'maxUploadBytes must be a positive integer');
  }
  if (type === 'remote') {
    const url = merged.upstream?.url;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new DomainError('BAD_REQUEST', 'a remote repository needs upstream.url (http or https)');
    config.upstream = { url };
  }
  if (type === 'virtual') {
    const members = merged.members;
    if (!Array.isArray(members) || members.length === 0) throw new DomainError('BAD_REQUEST', 'a virtual repository needs a non-empty members list');
    members.forEach((m) => assertRepositoryName(m));
    config.members = [...members];
  }
  return config;
}

export function decideRepository(command: RepositoryCommand, state: RepositoryState): DomainEvent[] {
  switch (command.type) {
    case 'CreateRepository': {
      assertRepositoryName(command.name);
      if (!command.knownFormats.includes(command.format)) {
        throw new DomainError('BAD_REQUEST', `unknown format "${command.format}"; enabled formats: ${command.knownFormats.join(', ')}`);
      }
      if (!['hosted', 'remote', 'virtual'].includes(command.repositoryType)) {
        throw new DomainError('BAD_REQUEST', 'type must be hosted, remote or virtual');
      }
      if (state.exists) throw new DomainError('ALREADY_EXISTS', `repository "${command.name}" already exists`);
      const config = normaliseConfig(command.repositoryType, command.config);
      return [{ type: 'RepositoryCreated', schemaVersion: 1, data: { repository: command.name, format: command.format, repositoryType: command.repositoryType, config } }];
    }
    case 'ConfigureRepository': {
      if (!state.exists) throw new DomainError('REPOSITORY_NOT_FOUND', `repository "${command.name}" does not exist`);
      const config = normaliseConfig(state.repositoryType!, command.config, state.config);
      return [{ type: 'RepositoryConfigured', schemaVersion: 1, data: { repository: command.name, config } }];
    }
    case 'DeleteRepository': {
      if (!state.exists) throw new DomainError('REPOSITORY_NOT_FOUND', `repository "${command.name}" does not exist`);
      return [{ type: 'RepositoryDeleted', schemaVersion: 1, data: { repository: command.name } }];
    }
  }
}

/** A repository as the read side serves it. */
export interface RepositoryView {
  name: string;
  format: string;
  type: RepositoryType;
  config: RepositoryConfig;
  createdAt: string;
  updatedAt: string;
}
