/**
 * Repository schemas, written from the zod schemas in ../repositories.controller.ts (the request)
 * and RepositoryConfig in libs/domain/events.ts (what the read side answers).
 */
import { ref } from './common.js';

const names = (max: number, description: string) => ({ type: 'array', maxItems: max, items: { type: 'string', minLength: 1 }, description });

/** The upstream credential: sealed outside the log, never in an event, never returned. */
const UpstreamAuth = {
  description: 'credential for the upstream; sealed outside the event log and never returned (the read side shows only its kind). `null` removes it.',
  writeOnly: true,
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['type', 'username', 'password'], properties: { type: { const: 'basic' }, username: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1, writeOnly: true } } },
    { type: 'object', additionalProperties: false, required: ['type', 'token'], properties: { type: { const: 'bearer' }, token: { type: 'string', minLength: 1, writeOnly: true } } },
    { type: 'null' },
  ],
};

const upstreamTimes = {
  allowPrivateNetwork: { type: 'boolean', default: false, description: 'may the upstream be on loopback, link-local or private addresses (SSRF guard)' },
  metadataMaxAgeSeconds: { type: 'integer', minimum: 0, maximum: 31536000, default: 300, description: 'metadata younger than this is served without asking the upstream' },
  notFoundCacheSeconds: { type: 'integer', minimum: 0, maximum: 31536000, default: 60, description: 'an upstream "not found" is remembered this long' },
};

const ConfusionGuard = {
  type: 'object',
  additionalProperties: false,
  description: 'virtual repositories: the dependency-confusion guard (on by default)',
  properties: { enabled: { type: 'boolean', default: true }, remoteAllowed: names(100, 'names (or patterns) that remote members may still serve when a hosted member has them') },
};

const PromotionRules = {
  type: 'object',
  additionalProperties: false,
  description: 'hosted repositories: what may be promoted into this one (absent: any same-format source, by an authorised caller)',
  properties: {
    allowedSources: { type: 'array', maxItems: 100, items: { type: 'string' }, description: 'only from these repositories' },
    rejectDeprecated: { type: 'boolean', description: 'refuse versions that are deprecated or yanked in the source' },
    requiredTags: { type: 'array', maxItems: 100, items: { type: 'string' }, description: 'the version must carry these tags in the source' },
  },
};

/** Fields shared by what is sent and what is answered. */
const common = {
  description: { type: 'string', maxLength: 1000 },
  anonymousRead: { type: 'boolean', default: false, description: 'anonymous clients may read' },
  allowRedeploy: { type: 'boolean', default: false, description: 'a path or version may be overwritten (default: immutable)' },
  maxUploadBytes: { type: 'integer', minimum: 1, default: 10737418240, description: 'streaming uploads are cut off beyond this many bytes' },
  members: { type: 'array', maxItems: 50, items: { type: 'string' }, description: 'virtual repositories: the ordered members they resolve through' },
  publishTo: { type: 'string', description: 'virtual repositories: the hosted member that publishes go to' },
  confusionGuard: ConfusionGuard,
  restoreWindowDays: { type: 'integer', minimum: 0, maximum: 36500, description: 'how long a deleted version can be restored (and its blobs kept); default: the server-wide undo window' },
  legalHold: { type: 'boolean', default: false, description: 'keep every blob this repository ever referenced, whatever the windows say' },
  versionPolicy: { enum: ['releases', 'snapshots', 'both'], default: 'both', description: 'Maven repositories: which versions they take' },
};

export const repositorySchemas = {
  PromotionRules,
  UpstreamInput: {
    type: 'object',
    additionalProperties: false,
    description: 'remote repositories: the upstream they cache',
    properties: { url: { type: 'string', format: 'uri', description: 'http or https, without credentials' }, ...upstreamTimes, auth: UpstreamAuth },
  },
  Upstream: {
    type: 'object',
    properties: {
      url: { type: 'string', format: 'uri' },
      ...upstreamTimes,
      auth: {
        readOnly: true,
        description: 'which kind of credential is sealed, if any (never the secret)',
        oneOf: [
          { type: 'object', properties: { type: { const: 'basic' }, username: { type: 'string' } } },
          { type: 'object', properties: { type: { const: 'bearer' } } },
        ],
      },
    },
  },
  /** PATCH body; also the optional part of the create body. */
  RepositoryConfig: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...common,
      upstream: ref('UpstreamInput'),
      promotion: { oneOf: [ref('PromotionRules'), { type: 'null' }], description: '`null` removes the rules; an absent key keeps them' },
    },
  },
  CreateRepository: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'format'],
    properties: {
      name: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$' },
      format: { type: 'string', description: 'an enabled format: generic, npm, pypi, oci, maven' },
      type: { enum: ['hosted', 'remote', 'virtual'], default: 'hosted' },
      ...common,
      upstream: ref('UpstreamInput'),
      promotion: { oneOf: [ref('PromotionRules'), { type: 'null' }] },
    },
  },
  RepositoryConfigView: {
    type: 'object',
    required: ['anonymousRead', 'allowRedeploy', 'maxUploadBytes'],
    properties: {
      ...common,
      upstream: ref('Upstream'),
      promotion: ref('PromotionRules'),
      oci: { type: 'object', description: 'OCI repositories: untagged manifests older than this are collected by the OCI GC', properties: { untaggedGraceSeconds: { type: 'integer', minimum: 0 } } },
    },
  },
  Repository: {
    type: 'object',
    required: ['name', 'format', 'type', 'config'],
    properties: {
      name: { type: 'string' },
      format: { type: 'string' },
      type: { enum: ['hosted', 'remote', 'virtual'] },
      config: ref('RepositoryConfigView'),
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  OciGcReport: {
    type: 'object',
    properties: {
      repository: { type: 'string' },
      dryRun: { type: 'boolean' },
      untaggedGraceSeconds: { type: ['integer', 'null'] },
      manifests: { type: 'array', items: ref('OciGcDecision') },
      blobs: { type: 'array', items: ref('OciGcDecision'), description: "blobs the repository's manifests reference" },
      removedManifests: { type: 'integer' },
      blobGc: { type: 'object', description: 'real runs only: the blob GC that followed', properties: { scanned: { type: 'integer' }, removed: { type: 'array', items: ref('GcDecision') }, bytesFreed: { type: 'integer' } } },
    },
  },
  OciGcDecision: { type: 'object', properties: { subject: { type: 'string', description: '`<name>@<digest>` for a manifest; the digest for a blob' }, size: { type: 'integer' }, action: { enum: ['remove', 'keep'] }, reason: { type: 'string' } } },
  Chart: {
    type: 'object',
    properties: {
      name: { type: 'string' }, version: { type: ['string', 'null'] }, appVersion: { type: ['string', 'null'] }, description: { type: ['string', 'null'] },
      image: { type: 'string' }, digest: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, pushedAt: { type: 'string', format: 'date-time' },
      reference: { type: 'string', description: 'what Helm pulls: oci://<host>/<repo>/<name>' },
    },
  },
  ChartList: { type: 'object', properties: { items: { type: 'array', items: ref('Chart') } } },
  RepositoryList: { type: 'object', properties: { items: { type: 'array', items: ref('Repository') } } },
};
