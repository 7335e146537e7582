import { DomainError } from './errors.js';
import type { DomainEvent, StoredFile } from './events.js';

/** One artifact stream: every version of one name in one repository of one format. */
export interface ArtifactState {
  versions: Map<string, { files: StoredFile[]; deleted: boolean }>;
}

export const initialArtifactState = (): ArtifactState => ({ versions: new Map() });

export type ArtifactCommand =
  | {
      type: 'PublishArtifact';
      repository: string;
      format: string;
      name: string;
      version: string;
      files: StoredFile[];
      metadata: Record<string, unknown>;
      /** the repository lets a live version be overwritten */
      allowRedeploy: boolean;
      /** the format lets a deleted version be published again (npm does not) */
      allowReuseAfterDelete: boolean;
    }
  | { type: 'DeleteArtifact'; repository: string; format: string; name: string; version: string };

export function evolveArtifact(state: ArtifactState, event: DomainEvent): ArtifactState {
  const versions = new Map(state.versions);
  if (event.type === 'ArtifactPublished') versions.set(event.data.version, { files: event.data.files, deleted: false });
  else if (event.type === 'ArtifactDeleted') {
    const v = versions.get(event.data.version);
    if (v) versions.set(event.data.version, { ...v, deleted: true });
  } else return state;
  return { versions };
}

export function decideArtifact(command: ArtifactCommand, state: ArtifactState): DomainEvent[] {
  const existing = state.versions.get(command.version);
  switch (command.type) {
    case 'PublishArtifact': {
      if (existing && !existing.deleted && !command.allowRedeploy) {
        throw new DomainError('VERSION_EXISTS', `${command.name}${command.version ? `@${command.version}` : ''} already exists and the repository does not allow redeploy`);
      }
      if (existing?.deleted && !command.allowReuseAfterDelete && !command.allowRedeploy) {
        throw new DomainError('VERSION_EXISTS', `${command.name}@${command.version} was deleted and cannot be published again`);
      }
      const { type: _type, allowRedeploy: _a, allowReuseAfterDelete: _b, ...data } = command;
      return [{ type: 'ArtifactPublished', schemaVersion: 1, data }];
    }
    case 'DeleteArtifact': {
      if (!existing || existing.deleted) throw new DomainError('NOT_FOUND', `${command.name} ${command.version} not found`);
      return [{
        type: 'ArtifactDeleted',
        schemaVersion: 1,
        data: { repository: command.repository, format: command.format, name: command.name, version: command.version, files: existing.files },
      }];
    }
  }
}
