import { DomainError } from './errors.js';
import type { DomainEvent, StoredFile } from './events.js';

export interface ArtifactVersionState {
  files: StoredFile[];
  /** format metadata: the publish's, with that of later ArtifactFilesAdded merged in (objects key by key) */
  metadata: Record<string, unknown>;
  deleted: boolean;
  /** when it was deleted (known when the events folded were recorded ones) */
  deletedAt?: string;
  deprecated?: string;
  yanked?: boolean;
  /**
   * the type of event that made the version live when it was not ArtifactPublished (OCI:
   * ManifestPushed): promotions and restores carry it as `presentAs`, so read models see them as that
   */
  publishedAs?: string;
}

/** One artifact stream: every version and tag of one name in one repository of one format. */
export interface ArtifactState {
  versions: Map<string, ArtifactVersionState>;
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
  | (Target & {
      /** promotion into this (target) stream: the source version's files and metadata, see promotion.ts */
      type: 'PromoteArtifact';
      version: string;
      from: string;
      files: StoredFile[];
      metadata: Record<string, unknown>;
      allowReuseAfterDelete: boolean;
      /** tags to point at the version in the target in the same append */
      tags: string[];
      sourcePosition?: number;
      /** the source version's `publishedAs` */
      presentAs?: string;
    })
  | (Target & {
      /** an admin's undo of a delete, within `windowMs` of it (`now`: ISO time of the decision) */
      type: 'RestoreArtifact';
      version: string;
      now: string;
      windowMs: number;
    })
  | (Target & {
      /**
       * OCI: a manifest is content-addressed (version = its digest), so pushing it again changes
       * nothing; `tag` (OCI tag syntax, mutable) then points at it, moving from where it was.
       */
      type: 'PushManifest';
      version: string;
      files: StoredFile[];
      metadata: Record<string, unknown>;
      tag?: string;
    })
  | (Target & { type: 'SetTag'; tag: string; version: string })
  | (Target & { type: 'RemoveTag'; tag: string; protectedTags?: string[] })
  | (Target & { type: 'DeprecateArtifact'; version: string; message: string })
  | (Target & { type: 'YankArtifact'; version: string; yanked: boolean; reason?: string });

export function evolveArtifact(state: ArtifactState, event: DomainEvent): ArtifactState {
  switch (event.type) {
    case 'ArtifactPublished':
    case 'ManifestPushed':
    case 'ArtifactPromoted':
    case 'ArtifactRestored': {
      const before = state.versions.get(event.data.version);
      const replaced = before && !before.deleted ? before.files.filter((f) => !event.data.files.some((n) => n.path === f.path)) : [];
      const publishedAs = event.type === 'ArtifactPublished' ? undefined : event.type === 'ManifestPushed' ? 'ManifestPushed' : event.data.presentAs;
      const versions = new Map(state.versions).set(event.data.version, { files: event.data.files, metadata: event.data.metadata, deleted: false, ...(publishedAs ? { publishedAs } : {}) });
      return { ...state, versions, retiredPaths: retire(state.retiredPaths, replaced) };
    }
    case 'ArtifactFilesAdded': {
      const v = state.versions.get(event.data.version);
      if (!v) return state;
      const next = { ...v, files: [...v.files, ...event.data.files], metadata: mergeMetadata(v.metadata, event.data.metadata) };
      return { ...state, versions: new Map(state.versions).set(event.data.version, next) };
    }
    case 'ArtifactDeleted':
    case 'ArtifactDeprecated':
    case 'ArtifactYanked': {
      const v = state.versions.get(event.data.version);
      if (!v) return state;
      const next =
        event.type === 'ArtifactDeleted'
          ? { ...v, deleted: true, deletedAt: (event as { recordedAt?: string }).recordedAt }
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

/** Metadata of later additions merged into a version's: objects key by key (recursively), other values replaced. */
export function mergeMetadata(base: Record<string, unknown>, added: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(added)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeMetadata(b, v) : v;
  }
  return out;
}
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const retire = (paths: Set<string>, files: readonly StoredFile[]) => (files.length === 0 ? paths : new Set([...paths, ...files.map((f) => f.path)]));

const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests */
const OCI_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
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
    case 'PromoteArtifact': {
      const existing = state.versions.get(command.version);
      if (existing && !existing.deleted) throw new DomainError('VERSION_EXISTS', `${name}@${command.version} already exists in ${repository}`);
      if (existing?.deleted && !command.allowReuseAfterDelete) {
        throw new DomainError('VERSION_EXISTS', `${name}@${command.version} was deleted in ${repository} and cannot be published there again`);
      }
      for (const tag of command.tags) assertTag(tag, command.version);
      const { version, from, files, metadata, sourcePosition } = command;
      const presentAs = command.presentAs ? { presentAs: command.presentAs } : {};
      const data = { ...target, version, files, metadata, from, to: repository, ...(sourcePosition ? { sourcePosition } : {}), ...presentAs };
      return [
        { type: 'ArtifactPromoted', schemaVersion: 1, data },
        ...command.tags.map((tag): DomainEvent => ({ type: 'TagSet', schemaVersion: 1, data: { ...target, tag, version } })),
      ];
    }
    case 'RestoreArtifact': {
      const v = state.versions.get(command.version);
      if (!v) throw new DomainError('NOT_FOUND', `${name}@${command.version} never existed in ${repository}`);
      if (!v.deleted) throw new DomainError('VERSION_EXISTS', `${name}@${command.version} is not deleted`);
      if (v.deletedAt) {
        const until = new Date(v.deletedAt).getTime() + command.windowMs;
        if (until < new Date(command.now).getTime()) {
          throw new DomainError('GONE', `${name}@${command.version} was deleted on ${v.deletedAt}; its restore window ended on ${new Date(until).toISOString()}`);
        }
      }
      const presentAs = v.publishedAs ? { presentAs: v.publishedAs } : {};
      return [{ type: 'ArtifactRestored', schemaVersion: 1, data: { ...target, version: command.version, files: v.files, metadata: v.metadata, ...presentAs } }];
    }
    case 'PushManifest': {
      if (command.tag !== undefined && !OCI_TAG.test(command.tag)) throw new DomainError('BAD_REQUEST', `invalid tag "${command.tag}"`, { oci: 'TAG_INVALID' });
      const events: DomainEvent[] = [];
      if (!live(state, command.version)) {
        events.push({ type: 'ManifestPushed', schemaVersion: 1, data: { ...target, version: command.version, files: command.files, metadata: command.metadata } });
      }
      if (command.tag !== undefined && state.tags.get(command.tag) !== command.version) {
        events.push({ type: 'TagSet', schemaVersion: 1, data: { ...target, tag: command.tag, version: command.version } });
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
