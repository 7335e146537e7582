import { DomainError } from './errors.js';
import type { DomainEvent, StoredFile } from './events.js';

/** One artifact stream: every version and tag of one name in one repository of one format. */
export interface ArtifactState {
  versions: Map<string, { files: StoredFile[]; deleted: boolean; deprecated?: string; yanked?: boolean }>;
  tags: Map<string, string>;
  /** paths of files that were deleted (or replaced by a redeploy): a format may forbid their reuse */
  retiredPaths: Set<string>;
}

export const initialArtifactState = (): ArtifactState => ({ versions: new Map(), tags: new Map(), retiredPaths: new Set() });

interface Target {
  repository: string;
  format: string;
  name: string;
}

export type ArtifactCommand =
  | (Target & {
      type: 'PublishArtifact';
      version: string;
      files: StoredFile[];
      metadata: Record<string, unknown>;
      /** the repository lets a live version be overwritten */
      allowRedeploy: boolean;
      /** the format lets a deleted version be published again (npm does not) */
      allowReuseAfterDelete: boolean;
      /** tags to point at the new version in the same append (npm: `latest` or `--tag`) */
      tags?: string[];
    })
  | (Target & {
      /**
       * Adds files to a version: the version's first files publish it (ArtifactPublished, also
       * after it was deleted), later ones are ArtifactFilesAdded. A file path is never taken twice
       * in a stream: not while live in any version, and not after its deletion unless
       * `allowReuseAfterDelete` (PyPI forbids reusing a file name, ever). Redeploy does not apply.
       */
      type: 'AddArtifactFiles';
      version: string;
      files: StoredFile[];
      metadata: Record<string, unknown>;
      allowReuseAfterDelete: boolean;
    })
  | (Target & {
      type: 'DeleteArtifact';
      version: string;
      /**
       * Which remaining version `latest` should move to when it pointed at the deleted one
       * (format-specific ordering); undefined or a function returning undefined removes it.
       */
      pickLatest?: (remaining: string[]) => string | undefined;
    })
  | (Target & { type: 'SetTag'; tag: string; version: string })
  | (Target & { type: 'RemoveTag'; tag: string; protectedTags?: string[] })
  | (Target & { type: 'DeprecateArtifact'; version: string; message: string })
  | (Target & { type: 'YankArtifact'; version: string; yanked: boolean; reason?: string });

export function evolveArtifact(state: ArtifactState, event: DomainEvent): ArtifactState {
  switch (event.type) {
    case 'ArtifactPublished': {
      const before = state.versions.get(event.data.version);
      const replaced = before && !before.deleted ? before.files.filter((f) => !event.data.files.some((n) => n.path === f.path)) : [];
      const versions = new Map(state.versions).set(event.data.version, { files: event.data.files, deleted: false });
      return { ...state, versions, retiredPaths: retire(state.retiredPaths, replaced) };
    }
    case 'ArtifactFilesAdded': {
      const v = state.versions.get(event.data.version);
      if (!v) return state;
      return { ...state, versions: new Map(state.versions).set(event.data.version, { ...v, files: [...v.files, ...event.data.files] }) };
    }
    case 'ArtifactDeleted':
    case 'ArtifactDeprecated':
    case 'ArtifactYanked': {
      const v = state.versions.get(event.data.version);
      if (!v) return state;
      const next =
        event.type === 'ArtifactDeleted'
          ? { ...v, deleted: true }
          : event.type === 'ArtifactDeprecated'
            ? { ...v, deprecated: event.data.message || undefined }
            : { ...v, yanked: event.data.yanked };
      const retiredPaths = event.type === 'ArtifactDeleted' ? retire(state.retiredPaths, event.data.files) : state.retiredPaths;
      return { ...state, versions: new Map(state.versions).set(event.data.version, next), retiredPaths };
    }
    case 'TagSet':
      return { ...state, tags: new Map(state.tags).set(event.data.tag, event.data.version) };
    case 'TagRemoved': {
      const tags = new Map(state.tags);
      tags.delete(event.data.tag);
      return { ...state, tags };
    }
    default:
      return state;
  }
}

const retire = (paths: Set<string>, files: readonly StoredFile[]) => (files.length === 0 ? paths : new Set([...paths, ...files.map((f) => f.path)]));

const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const live = (state: ArtifactState, version: string) => {
  const v = state.versions.get(version);
  return v && !v.deleted ? v : undefined;
};

export function decideArtifact(command: ArtifactCommand, state: ArtifactState): DomainEvent[] {
  const { repository, format, name } = command;
  const target = { repository, format, name };
  switch (command.type) {
    case 'PublishArtifact': {
      const existing = state.versions.get(command.version);
      if (existing && !existing.deleted && !command.allowRedeploy) {
        throw new DomainError('VERSION_EXISTS', `${name}${command.version ? `@${command.version}` : ''} already exists and the repository does not allow redeploy`);
      }
      if (existing?.deleted && !command.allowReuseAfterDelete && !command.allowRedeploy) {
        throw new DomainError('VERSION_EXISTS', `${name}@${command.version} was deleted and cannot be published again`);
      }
      for (const tag of command.tags ?? []) assertTag(tag, command.version);
      const { type: _type, allowRedeploy: _a, allowReuseAfterDelete: _b, tags = [], ...data } = command;
      return [
        { type: 'ArtifactPublished', schemaVersion: 1, data },
        ...tags.map((tag): DomainEvent => ({ type: 'TagSet', schemaVersion: 1, data: { ...target, tag, version: command.version } })),
      ];
    }
    case 'AddArtifactFiles': {
      const paths = command.files.map((f) => f.path);
      if (paths.length === 0) throw new DomainError('BAD_REQUEST', 'no files to add');
      if (new Set(paths).size !== paths.length) throw new DomainError('BAD_REQUEST', 'the same file path twice in one addition');
      for (const path of paths) {
        const holder = [...state.versions].find(([, v]) => !v.deleted && v.files.some((f) => f.path === path));
        if (holder) throw new DomainError('FILE_EXISTS', `${path} already exists (in ${name} ${holder[0]})`, { path });
        if (state.retiredPaths.has(path) && !command.allowReuseAfterDelete) {
          throw new DomainError('FILE_EXISTS', `${path} was deleted and its name cannot be used again`, { path });
        }
      }
      const data = { ...target, version: command.version, files: command.files, metadata: command.metadata };
      return [live(state, command.version) ? { type: 'ArtifactFilesAdded', schemaVersion: 1, data } : { type: 'ArtifactPublished', schemaVersion: 1, data }];
    }
    case 'DeleteArtifact': {
      const existing = live(state, command.version);
      if (!existing) throw new DomainError('NOT_FOUND', `${name} ${command.version} not found`);
      const events: DomainEvent[] = [{ type: 'ArtifactDeleted', schemaVersion: 1, data: { ...target, version: command.version, files: existing.files } }];
      const remaining = [...state.versions].filter(([v, x]) => !x.deleted && v !== command.version).map(([v]) => v);
      for (const [tag, version] of state.tags) {
        if (version !== command.version) continue;
        const next = tag === 'latest' ? command.pickLatest?.(remaining) : undefined;
        events.push(
          next
            ? { type: 'TagSet', schemaVersion: 1, data: { ...target, tag, version: next } }
            : { type: 'TagRemoved', schemaVersion: 1, data: { ...target, tag } },
        );
      }
      return events;
    }
    case 'SetTag': {
      assertTag(command.tag, command.version);
      if (!live(state, command.version)) throw new DomainError('NOT_FOUND', `${name}@${command.version} does not exist`);
      if (state.tags.get(command.tag) === command.version) return [];
      return [{ type: 'TagSet', schemaVersion: 1, data: { ...target, tag: command.tag, version: command.version } }];
    }
    case 'RemoveTag': {
      if (command.protectedTags?.includes(command.tag)) throw new DomainError('BAD_REQUEST', `the "${command.tag}" tag cannot be removed`);
      if (!state.tags.has(command.tag)) throw new DomainError('NOT_FOUND', `${name} has no tag "${command.tag}"`);
      return [{ type: 'TagRemoved', schemaVersion: 1, data: { ...target, tag: command.tag } }];
    }
    case 'DeprecateArtifact': {
      const v = live(state, command.version);
      if (!v) throw new DomainError('NOT_FOUND', `${name}@${command.version} does not exist`);
      if ((v.deprecated ?? '') === command.message) return [];
      if (command.message.length > 4096) throw new DomainError('BAD_REQUEST', 'deprecation messages are at most 4096 characters');
      return [{ type: 'ArtifactDeprecated', schemaVersion: 1, data: { ...target, version: command.version, message: command.message } }];
    }
    case 'YankArtifact': {
      const v = live(state, command.version);
      if (!v) throw new DomainError('NOT_FOUND', `${name}@${command.version} does not exist`);
      if (!!v.yanked === command.yanked) return [];
      return [{ type: 'ArtifactYanked', schemaVersion: 1, data: { ...target, version: command.version, yanked: command.yanked, ...(command.reason ? { reason: command.reason.slice(0, 1000) } : {}) } }];
    }
  }
}

function assertTag(tag: string, version: string): void {
  if (!TAG.test(tag)) throw new DomainError('BAD_REQUEST', `invalid tag "${tag}"`);
  // a tag that parses as a version would be ambiguous on the command line (npm refuses these too)
  if (/^v?\d+\.\d+\.\d+/.test(tag) && tag !== version) throw new DomainError('BAD_REQUEST', `tag "${tag}" looks like a version`);
}
