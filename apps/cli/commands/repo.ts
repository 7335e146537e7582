import { booleanOption, parseSize, stringOption, type OptionSpecs, type OptionValues } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { UsageError } from '../errors.js';
import { formatBytes, formatFields, formatTable, formatTime, toJson, yesNo } from '../format.js';
import { encodePath } from '../http.js';

/** A repository as the admin API returns it. */
export interface RepositoryView {
  name: string;
  format: string;
  type: string;
  config: {
    anonymousRead: boolean;
    allowRedeploy: boolean;
    maxUploadBytes: number;
    description?: string;
    upstream?: { url: string };
    members?: string[];
    versionPolicy?: string;
  };
  createdAt?: string;
  updatedAt?: string;
}

const TYPES = ['hosted', 'remote', 'virtual'];

const CONFIG_OPTIONS: OptionSpecs = {
  'anonymous-read': { type: 'boolean', negatable: true, description: 'anonymous clients may read (--no-anonymous-read turns it off)' },
  'allow-redeploy': { type: 'boolean', negatable: true, description: 'a path or version may be overwritten (default: immutable)' },
  'max-upload': { type: 'string', value: '<size>', description: 'largest accepted upload: bytes, or 500MB, 10GiB (default 10 GiB)' },
  description: { type: 'string', value: '<text>', description: 'free text shown in listings' },
  upstream: { type: 'string', value: '<url>', description: 'remote repositories: the upstream they cache' },
  members: { type: 'string', value: '<a,b,...>', description: 'virtual repositories: ordered member repositories' },
  'version-policy': { type: 'string', value: '<releases|snapshots|both>', description: 'Maven repositories: which versions they take (default both)' },
};

/** The configuration fields the user gave, in the API's names; absent flags stay absent. */
export function configFromOptions(values: OptionValues): Record<string, unknown> {
  const maxUpload = stringOption(values, 'max-upload');
  const upstream = stringOption(values, 'upstream');
  const members = stringOption(values, 'members');
  const config: Record<string, unknown> = {
    anonymousRead: booleanOption(values, 'anonymous-read'),
    allowRedeploy: booleanOption(values, 'allow-redeploy'),
    maxUploadBytes: maxUpload === undefined ? undefined : parseSize(maxUpload),
    description: stringOption(values, 'description'),
    upstream: upstream === undefined ? undefined : { url: upstream },
    members: members === undefined ? undefined : members.split(',').map((m) => m.trim()).filter(Boolean),
    versionPolicy: stringOption(values, 'version-policy'),
  };
  for (const key of Object.keys(config)) if (config[key] === undefined) delete config[key];
  return config;
}

/** The body of `POST /api/v1/repositories`. */
export function createBody(name: string, values: OptionValues): Record<string, unknown> {
  const format = stringOption(values, 'format');
  if (!format) throw new UsageError('--format is required (for example --format generic)');
  const type = stringOption(values, 'type') ?? 'hosted';
  if (!TYPES.includes(type)) throw new UsageError(`--type must be one of ${TYPES.join(', ')}, got "${type}"`);
  return { name, format, type, ...configFromOptions(values) };
}

export function formatRepository(repo: RepositoryView): string {
  const c = repo.config ?? ({} as RepositoryView['config']);
  return formatFields([
    ['name', repo.name],
    ['format', repo.format],
    ['type', repo.type],
    ['anonymous read', yesNo(c.anonymousRead)],
    ['allow redeploy', yesNo(c.allowRedeploy)],
    ['max upload', c.maxUploadBytes === undefined ? undefined : formatBytes(c.maxUploadBytes, true)],
    ['description', c.description],
    ['upstream', c.upstream?.url],
    ['members', c.members?.join(', ')],
    ['version policy', c.versionPolicy],
    ['created', repo.createdAt && formatTime(repo.createdAt)],
    ['updated', repo.updatedAt && formatTime(repo.updatedAt)],
  ]);
}

export function formatRepositoryList(items: RepositoryView[]): string {
  if (items.length === 0) return 'no repositories';
  const rows = items.map((r) => [
    r.name,
    r.format,
    r.type,
    yesNo(r.config?.anonymousRead),
    yesNo(r.config?.allowRedeploy),
    r.config?.maxUploadBytes === undefined ? '-' : formatBytes(r.config.maxUploadBytes, true),
    formatTime(r.createdAt),
  ]);
  return formatTable(['NAME', 'FORMAT', 'TYPE', 'ANON READ', 'REDEPLOY', 'MAX UPLOAD', 'CREATED'], rows, ['left', 'left', 'left', 'left', 'left', 'right']);
}

const repoPath = (name: string) => `/api/v1/repositories/${encodePath(name)}`;

/** `repo` may be missing when a server answers a change with 204 instead of the repository. */
function printRepository(ctx: CommandContext, repo: RepositoryView | undefined, heading?: string): void {
  if (ctx.json) return ctx.print(toJson(repo ?? null));
  if (heading) ctx.print(heading);
  if (repo) ctx.print(formatRepository(repo));
}

export const repoCommands: Command[] = [
  {
    path: ['repo', 'create'],
    args: '<name> --format <format> [options]',
    summary: 'create a repository',
    options: {
      format: { type: 'string', value: '<format>', description: 'package format: generic, npm, pypi, maven, oci, ... (required)' },
      type: { type: 'string', value: '<type>', description: 'hosted (default), remote or virtual' },
      ...CONFIG_OPTIONS,
    },
    positionals: { min: 1, max: 1 },
    async run(ctx, { values, positionals }) {
      const body = createBody(positionals[0]!, values);
      const { body: repo } = await ctx.api.json<RepositoryView | undefined>('POST', '/api/v1/repositories', { json: body });
      printRepository(ctx, repo, `created repository ${String(body.name)}`);
      return 0;
    },
  },
  {
    path: ['repo', 'list'],
    args: '',
    summary: 'list repositories',
    options: {},
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const list = await ctx.api.get<{ items: RepositoryView[] }>('/api/v1/repositories');
      ctx.print(ctx.json ? toJson(list) : formatRepositoryList(list.items ?? []));
      return 0;
    },
  },
  {
    path: ['repo', 'show'],
    args: '<name>',
    summary: 'show one repository and its configuration',
    options: {},
    positionals: { min: 1, max: 1 },
    async run(ctx, { positionals }) {
      printRepository(ctx, await ctx.api.get<RepositoryView>(repoPath(positionals[0]!)));
      return 0;
    },
  },
  {
    path: ['repo', 'configure'],
    args: '<name> [options]',
    summary: 'change settings of a repository (only the flags given change)',
    options: CONFIG_OPTIONS,
    positionals: { min: 1, max: 1 },
    async run(ctx, { values, positionals }) {
      const patch = configFromOptions(values);
      if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give at least one setting flag');
      const { body: repo } = await ctx.api.json<RepositoryView | undefined>('PATCH', repoPath(positionals[0]!), { json: patch });
      printRepository(ctx, repo, `configured repository ${positionals[0]!}`);
      return 0;
    },
  },
  {
    path: ['repo', 'delete'],
    args: '<name>',
    summary: 'delete a repository (recorded as an event; its history stays)',
    options: {},
    positionals: { min: 1, max: 1 },
    async run(ctx, { positionals }) {
      const name = positionals[0]!;
      await ctx.api.json('DELETE', repoPath(name));
      ctx.print(ctx.json ? JSON.stringify({ name, deleted: true }) : `deleted repository ${name}`);
      return 0;
    },
  },
];
