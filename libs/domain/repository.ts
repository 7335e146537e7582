import { DomainError } from './errors.js';
import type { DomainEvent, OciPolicy, RepositoryConfig, RepositoryType } from './events.js';
import { assertRepositoryName } from './names.js';
import { normalisePromotionRules } from './promotion.js';
import { normaliseUpstream, normaliseVirtual, type UpstreamInput } from './remote.js';

export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 ** 3;

export interface RepositoryState {
  exists: boolean;
  format?: string;
  repositoryType?: RepositoryType;
  config?: RepositoryConfig;
}

export const initialRepositoryState: RepositoryState = { exists: false };

export type RepositoryCommand =
  | { type: 'CreateRepository'; name: string; format: string; repositoryType: RepositoryType; config: RepositoryConfigInput; knownFormats: readonly string[] }
  | { type: 'ConfigureRepository'; name: string; config: RepositoryConfigInput }
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
/** What an admin sends: a config whose upstream may carry a credential (split off before any event). */
export type RepositoryConfigInput = Partial<Omit<RepositoryConfig, 'upstream' | 'confusionGuard'>> & {
  upstream?: UpstreamInput;
  confusionGuard?: { enabled?: boolean; remoteAllowed?: string[] };
};

export function normaliseConfig(type: RepositoryType, input: RepositoryConfigInput, base?: RepositoryConfig): RepositoryConfig {
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
  if (merged.promotion !== undefined && merged.promotion !== null) config.promotion = normalisePromotionRules(merged.promotion);
  if (merged.restoreWindowDays !== undefined) {
    if (!Number.isInteger(merged.restoreWindowDays) || merged.restoreWindowDays < 0 || merged.restoreWindowDays > 36_500) {
      throw new DomainError('BAD_REQUEST', 'restoreWindowDays must be an integer from 0 to 36500');
    }
    config.restoreWindowDays = merged.restoreWindowDays;
  }
  if (merged.legalHold !== undefined) {
    if (typeof merged.legalHold !== 'boolean') throw new DomainError('BAD_REQUEST', 'legalHold must be a boolean');
    config.legalHold = merged.legalHold;
  }
  if (merged.oci !== undefined && merged.oci !== null) config.oci = normaliseOciPolicy(merged.oci);
  if (merged.versionPolicy !== undefined && merged.versionPolicy !== null) {
    if (!['releases', 'snapshots', 'both'].includes(merged.versionPolicy)) throw new DomainError('BAD_REQUEST', 'versionPolicy must be releases, snapshots or both');
    config.versionPolicy = merged.versionPolicy;
  }
  // the secret of upstream.auth is split off here and never reaches the event (RepositoryCommands seals it)
  if (type === 'remote') config.upstream = normaliseUpstream(input.upstream as UpstreamInput | undefined, base?.upstream).config;
  if (type === 'virtual') Object.assign(config, normaliseVirtual(merged));
  return config;
}

function normaliseOciPolicy(input: unknown): OciPolicy {
  const grace = (input as Partial<OciPolicy> | null)?.untaggedGraceSeconds;
  if (typeof input !== 'object' || !Number.isSafeInteger(grace) || (grace as number) < 0) {
    throw new DomainError('BAD_REQUEST', 'oci.untaggedGraceSeconds must be a non-negative integer (seconds)');
  }
  return { untaggedGraceSeconds: grace as number };
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
