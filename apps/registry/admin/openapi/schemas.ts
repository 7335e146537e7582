/** Shared component schemas of the admin API (repositories are in repository-schemas.ts). */
import { ref } from './common.js';
import { repositorySchemas } from './repository-schemas.js';

const list = (item: string) => ({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref(item) } } });
const str = { type: 'string' };
const int = { type: 'integer' };
const bool = { type: 'boolean' };
const dateTime = { type: 'string', format: 'date-time' };
const strings = { type: 'array', items: str };

const eventSchemas = {
  Event: {
    type: 'object',
    properties: { position: int, streamId: str, streamVersion: int, type: str, schemaVersion: int, data: { type: 'object' }, metadata: { type: 'object' }, recordedAt: dateTime, prevHash: str, hash: str },
  },
  EventList: { type: 'object', properties: { items: { type: 'array', items: ref('Event') }, next: { type: ['integer', 'null'], description: 'the `from` of the next page; null at the head' } } },
  ChainVerdict: { type: 'object', required: ['ok', 'events', 'head'], properties: { ok: bool, events: int, head: str, brokenAt: { type: 'integer', description: 'first position whose hash or link does not match' }, reason: str } },
  HistoryEntry: {
    type: 'object',
    properties: { position: int, type: str, repository: str, package: { type: ['string', 'null'] }, direction: { enum: ['in', 'out'], description: 'promotions: this repository is the target (in) or the source (out)' }, streamId: str, recordedAt: dateTime, data: {}, metadata: { type: 'object', description: 'who, when and from where' } },
  },
  HistoryPage: {
    type: 'object',
    properties: { items: { type: 'array', items: ref('HistoryEntry') }, next: { type: ['string', 'null'], description: 'link to the following page' }, nextAfter: { type: ['integer', 'null'] } },
  },
  ProjectionStatus: {
    type: 'object',
    properties: { name: str, version: int, table: str, position: int, head: int, lag: int, state: { enum: ['live', 'rebuilding', 'catching-up', 'standby'] }, rebuild: { type: 'object', properties: { position: int, head: int } } },
  },
  ProjectionList: list('ProjectionStatus'),
  ProjectionVerdict: { type: 'object', properties: { name: str, ok: bool, position: int, rows: int, shadowRows: int, missing: int, extra: int } },
  GcReport: {
    type: 'object',
    properties: {
      dryRun: bool, scanned: int, bytesFreed: int, temporaryRemoved: int,
      removed: { type: 'array', items: ref('GcDecision') }, kept: { type: 'array', items: ref('GcDecision') },
    },
  },
  Readiness: { type: 'object', properties: { status: { enum: ['ready', 'not ready'] }, checks: { type: 'object', additionalProperties: str, description: '`ok` or `failing: <reason>` for sql, eventStore, blobStore, projections' } } },
  GcDecision: { type: 'object', properties: { digest: str, size: int, reason: str } },
  Promote: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to', 'name', 'version'],
    properties: { from: { type: 'string', minLength: 1 }, to: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1, maxLength: 1000 }, version: { type: 'string', maxLength: 1000 }, tags: { type: 'array', maxItems: 20, items: str, description: "tags to set in the target; default: the source's tags that point at the version" } },
  },
  Promotion: { type: 'object', properties: { from: str, to: str, format: str, name: str, version: str, tags: strings, position: int } },
  Yank: { type: 'object', additionalProperties: false, properties: { yanked: { type: 'boolean', default: true }, reason: { type: 'string', maxLength: 1000 } } },
  YankResult: { type: 'object', properties: { repository: str, name: str, version: str, yanked: bool, reason: str, position: int } },
  DeleteVersionResult: { type: 'object', properties: { repository: str, name: str, version: str, deleted: bool, position: int } },
  RestoreResult: { type: 'object', properties: { repository: str, name: str, version: str, position: int } },
  ExportRequest: {
    type: 'object',
    additionalProperties: false,
    properties: { from: { type: 'integer', minimum: 1 }, to: { type: 'integer', minimum: 1 }, repository: { type: 'string', minLength: 1 }, type: { oneOf: [str, strings] }, format: { enum: ['jsonl', 'csv'], default: 'jsonl' } },
  },
  ExportJob: {
    type: 'object',
    properties: {
      id: str, state: { enum: ['queued', 'running', 'done', 'failed'] }, format: { enum: ['jsonl', 'csv'] }, filter: { type: 'object' }, requestedBy: str,
      progress: { type: 'object', properties: { from: int, to: int, position: int, exported: int, ratio: { type: 'number' } } },
      chainHead: { type: 'object', properties: { position: int, hash: str } },
      size: int, sha256: str, error: str, createdAt: dateTime, finishedAt: dateTime, expiresAt: dateTime,
      download: { type: 'string', description: 'present once the job is done' },
    },
  },
  ExportJobList: list('ExportJob'),
};

const identitySchemas = {
  Login: { type: 'object', additionalProperties: false, required: ['username', 'password'], properties: { username: { type: 'string', maxLength: 256 }, password: { type: 'string', maxLength: 1024, writeOnly: true } } },
  Refresh: { type: 'object', additionalProperties: false, required: ['refreshToken'], properties: { refreshToken: { type: 'string', maxLength: 512, writeOnly: true } } },
  Session: { type: 'object', properties: { tokenType: { const: 'Bearer' }, accessToken: str, expiresIn: { type: 'integer', description: 'seconds' }, refreshToken: str, userId: str } },
  Whoami: {
    type: 'object',
    properties: { id: str, userId: { type: ['string', 'null'] }, admin: bool, groups: strings, authMethod: str, tokenId: { type: ['string', 'null'] }, readOnly: bool, repositories: { type: ['array', 'null'], items: str } },
  },
  CreateUser: {
    type: 'object',
    additionalProperties: false,
    required: ['username'],
    properties: { username: str, password: { type: 'string', minLength: 12, maxLength: 256, writeOnly: true }, admin: { type: 'boolean', default: false }, serviceAccount: { type: 'boolean', default: false, description: 'tokens only, no password' } },
  },
  ChangeUser: {
    type: 'object',
    additionalProperties: false,
    properties: { disabled: { type: 'boolean', description: "also stops the user's tokens and sessions at once" }, admin: bool, password: { type: 'string', minLength: 12, maxLength: 256, writeOnly: true } },
  },
  User: { type: 'object', properties: { userId: str, source: str, admin: bool, disabled: bool, groups: strings, createdAt: dateTime } },
  UserList: list('User'),
  CreateGroup: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: str, members: { type: 'array', maxItems: 1000, items: str, default: [] } } },
  ChangeGroup: { type: 'object', additionalProperties: false, properties: { add: { type: 'array', maxItems: 1000, items: str, default: [] }, remove: { type: 'array', maxItems: 1000, items: str, default: [] } } },
  Group: { type: 'object', properties: { name: str, members: strings } },
  GroupList: list('Group'),
  Subject: { type: 'object', additionalProperties: false, required: ['type', 'id'], properties: { type: { enum: ['user', 'group'] }, id: str } },
  GrantRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['subject', 'actions'],
    properties: {
      subject: ref('Subject'),
      actions: { type: 'array', minItems: 1, items: { enum: ['read', 'write', 'delete', 'admin'] }, description: 'write and delete imply read; admin implies all' },
      pattern: { type: 'string', minLength: 1, maxLength: 200, description: 'limits the grant to package names (`@team/*`, `com.example.*`, `releases/*`)' },
    },
  },
  Grant: { type: 'object', properties: { grantId: str, repository: { type: 'string', description: '`*` for every repository' }, subject: ref('Subject'), actions: strings, pattern: str, grantedAt: dateTime, grantedBy: str } },
  GrantList: list('Grant'),
  IssueToken: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 100 },
      user: { type: 'string', description: 'admins: the user the token is for (default: the caller)' },
      expiresAt: { type: 'string', format: 'date-time' },
      expiresInDays: { type: 'integer', minimum: 1, maximum: 3650, description: 'instead of expiresAt' },
      readOnly: { type: 'boolean', default: false },
      repositories: { type: 'array', minItems: 1, maxItems: 100, items: str },
      cidrs: { type: 'array', minItems: 1, maxItems: 50, items: str },
    },
  },
  Token: {
    type: 'object',
    properties: {
      tokenId: str, userId: str, name: str, expiresAt: { type: ['string', 'null'] }, readOnly: bool, repositories: { type: ['array', 'null'], items: str }, cidrs: { type: ['array', 'null'], items: str },
      createdAt: dateTime, revokedAt: { type: ['string', 'null'] }, lastUsedAt: { type: ['string', 'null'], description: 'listing only' },
    },
  },
  IssuedToken: { allOf: [ref('Token'), { type: 'object', required: ['token'], properties: { token: { type: 'string', description: 'the secret: in this answer only, never again' } } }] },
  TokenList: list('Token'),
};

export const schemas = {
  Problem: { type: 'object', required: ['title', 'status'], properties: { type: str, title: str, status: int, code: str, detail: str } },
  ...repositorySchemas,
  ...eventSchemas,
  ...identitySchemas,
};
