import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadLdapConfig, type LdapConfig } from '../auth/ldap/ldap-config.js';
import { loadOidcConfig, type OidcConfig } from '../auth/oidc/oidc-config.js';
import { loadSamlConfig, type SamlConfig } from '../auth/saml/saml-config.js';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The environment variables Strata reads (README, "Configuration"). `X_FILE` may replace secret `X`. */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  STRATA_DATA_DIR: z.string().default('./data'),
  STRATA_BASE_URL: z.string().url().optional(),
  STRATA_ADMIN_TOKEN: z.string().min(16).optional(),
  STRATA_JWT_SECRET: z.string().min(32).optional(),
  STRATA_SECRET_KEY: z.string().min(32).optional(),
  STRATA_ROLE: z.enum(['all', 'api', 'projector']).default('all'),
  STRATA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STRATA_GC_GRACE_SECONDS: z.coerce.number().int().min(0).default(3600),
  STRATA_GC_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(6 * 3600),
  STRATA_UNDO_WINDOW_SECONDS: z.coerce.number().int().min(0).default(7 * 24 * 3600),
  STRATA_SHUTDOWN_DEADLINE_SECONDS: z.coerce.number().int().min(0).default(30),
  STRATA_CONSISTENCY_TIMEOUT_MS: z.coerce.number().int().min(0).default(5000),
  STRATA_POINT_IN_TIME_VIEWS: z.coerce.number().int().min(1).default(32),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  S3_ENDPOINT: z.string().url().optional(),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),
  EVENT_STORE: z.enum(['postgres', 'eventstoredb']).default('postgres'),
  EVENTSTORE_URL: z.string().optional(),
});

export interface StrataConfig {
  port: number;
  host: string;
  dataDir: string;
  baseUrl?: string;
  adminToken?: string;
  /** signs session JWTs; every node must share it (generated into the data folder when unset) */
  jwtSecret?: string;
  /** seals upstream credentials at rest; every node must share it (generated into the data folder when unset) */
  secretKey?: string;
  role: 'all' | 'api' | 'projector';
  logLevel: string;
  gcGraceMs: number;
  /** how often blob GC runs as a background job (0: never; run it with `strata gc`) */
  gcIntervalMs: number;
  undoWindowMs: number;
  shutdownDeadlineMs: number;
  consistencyTimeoutMs: number;
  /** point-in-time views kept built (least recently used beyond it are dropped) */
  pointInTimeViews: number;
  databaseUrl?: string;
  redisUrl?: string;
  s3?: { endpoint?: string; bucket: string; region: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };
  eventStore: 'postgres' | 'eventstoredb';
  eventStoreUrl?: string;
  /** sign-in providers; each undefined when not configured */
  ldap?: LdapConfig;
  oidc?: OidcConfig;
  saml?: SamlConfig;
}

const SECRETS = ['STRATA_ADMIN_TOKEN', 'STRATA_JWT_SECRET', 'STRATA_SECRET_KEY', 'DATABASE_URL', 'REDIS_URL', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'EVENTSTORE_URL'];

/** Reads and validates the configuration; throws with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StrataConfig {
  const raw: Record<string, string | undefined> = { ...env };
  for (const key of SECRETS) {
    const file = env[`${key}_FILE`];
    if (file && !raw[key]) raw[key] = readFileSync(file, 'utf8').trim();
  }
  for (const k of Object.keys(raw)) if (raw[k] === '') delete raw[k];
  const parsed = Env.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  if (e.S3_ENDPOINT && !e.S3_BUCKET) throw new Error('invalid configuration: S3_BUCKET is required with S3_ENDPOINT');
  if (e.EVENT_STORE === 'eventstoredb' && !e.EVENTSTORE_URL) throw new Error('invalid configuration: EVENTSTORE_URL is required with EVENT_STORE=eventstoredb');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.STRATA_DATA_DIR),
    baseUrl: e.STRATA_BASE_URL?.replace(/\/+$/, ''),
    adminToken: e.STRATA_ADMIN_TOKEN,
    jwtSecret: e.STRATA_JWT_SECRET,
    secretKey: e.STRATA_SECRET_KEY,
    role: e.STRATA_ROLE,
    logLevel: e.STRATA_LOG_LEVEL,
    gcGraceMs: e.STRATA_GC_GRACE_SECONDS * 1000,
    gcIntervalMs: e.STRATA_GC_INTERVAL_SECONDS * 1000,
    undoWindowMs: e.STRATA_UNDO_WINDOW_SECONDS * 1000,
    shutdownDeadlineMs: e.STRATA_SHUTDOWN_DEADLINE_SECONDS * 1000,
    consistencyTimeoutMs: e.STRATA_CONSISTENCY_TIMEOUT_MS,
    pointInTimeViews: e.STRATA_POINT_IN_TIME_VIEWS,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    s3: e.S3_BUCKET
      ? { endpoint: e.S3_ENDPOINT, bucket: e.S3_BUCKET, region: e.S3_REGION, accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY, forcePathStyle: e.S3_FORCE_PATH_STYLE }
      : undefined,
    eventStore: e.EVENT_STORE,
    eventStoreUrl: e.EVENTSTORE_URL,
    ldap: loadLdapConfig(raw),
    oidc: loadOidcConfig(raw),
    saml: loadSamlConfig(raw),
  };
}

/** The profile summary printed at start (no secrets). */
export function describeProfile(c: StrataConfig): Record<string, string> {
  return {
    sql: c.databaseUrl ? 'postgresql server' : `embedded PGlite (${c.dataDir}/pg)`,
    eventStore: c.eventStore === 'eventstoredb' ? 'EventStoreDB' : 'PostgreSQL schema',
    blobs: c.s3 ? `S3 bucket ${c.s3.bucket}` : `filesystem (${c.dataDir}/blobs)`,
    jobs: c.redisUrl ? 'BullMQ on Redis' : 'in-process queue',
    role: c.role,
  };
}
