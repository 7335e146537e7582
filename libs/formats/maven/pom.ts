import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DomainError } from '../../domain/index.js';

/** POMs and client-sent maven-metadata.xml larger than this are refused (the largest BOMs are a few hundred KiB). */
export const MAX_XML_BYTES = 4 * 1024 * 1024;

/** What the read model keeps of a POM (https://maven.apache.org/pom.html). */
export interface PomInfo {
  groupId: string;
  artifactId: string;
  version: string;
  packaging: string;
  name?: string;
  description?: string;
  licenses: { name?: string; url?: string }[];
  dependencies: { groupId: string; artifactId: string; version?: string; scope?: string; classifier?: string; type?: string; optional?: boolean }[];
}

// repeated elements of POMs and of maven-metadata.xml (read when merging members' metadata)
const ARRAYS = new Set(['project.licenses.license', 'project.dependencies.dependency', 'metadata.versioning.versions.version', 'metadata.versioning.snapshotVersions.snapshotVersion', 'metadata.plugins.plugin']);
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
  // built-in entities only: a DOCTYPE (the only way to declare others) is refused before parsing
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, path) => typeof path === 'string' && ARRAYS.has(path),
});

/**
 * Parses a small XML document safely: bounded size, well-formed, and no DOCTYPE (so no entity
 * expansion, external or internal). Anything else is INVALID_PACKAGE.
 */
export function parseXml(bytes: Buffer, what: string): Record<string, unknown> {
  if (bytes.length > MAX_XML_BYTES) throw new DomainError('TOO_LARGE', `${what} is larger than ${MAX_XML_BYTES} bytes`);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new DomainError('INVALID_PACKAGE', `${what} has a DOCTYPE or entity declaration; they are not accepted`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new DomainError('INVALID_PACKAGE', `${what} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  return parser.parse(text) as Record<string, unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v.slice(0, 4096) : undefined);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Reads a POM; coordinates inherited from `<parent>` are filled in as Maven does. */
export function parsePom(bytes: Buffer): PomInfo {
  const doc = parseXml(bytes, 'the POM');
  const project = doc.project;
  if (!project || typeof project !== 'object') throw new DomainError('INVALID_PACKAGE', 'the POM has no <project> element');
  const p = obj(project);
  const parent = obj(p.parent);
  const groupId = str(p.groupId) ?? str(parent.groupId);
  const artifactId = str(p.artifactId);
  const version = str(p.version) ?? str(parent.version);
  if (!groupId || !artifactId || !version) throw new DomainError('INVALID_PACKAGE', 'the POM must give groupId (or a parent\'s), artifactId and version (or a parent\'s)');
  const licenses = ((obj(p.licenses).license as unknown[]) ?? []).slice(0, 50).map((l) => {
    const o = obj(l);
    return { ...(str(o.name) ? { name: str(o.name) } : {}), ...(str(o.url) ? { url: str(o.url) } : {}) };
  });
  const dependencies = ((obj(p.dependencies).dependency as unknown[]) ?? []).slice(0, 1000).flatMap((d) => {
    const o = obj(d);
    const g = str(o.groupId);
    const a = str(o.artifactId);
    if (!g || !a) return [];
    const optional = str(o.optional) === 'true';
    return [{ groupId: g, artifactId: a, ...pick(o, ['version', 'scope', 'classifier', 'type']), ...(optional ? { optional } : {}) }];
  });
  return {
    groupId,
    artifactId,
    version,
    packaging: str(p.packaging) ?? 'jar',
    ...pick(p, ['name', 'description']),
    licenses,
    dependencies,
  };
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = str(o[k]);
    if (v) out[k] = k === 'description' ? v.slice(0, 2048) : v;
  }
  return out;
}

/**
 * Refuses a POM whose coordinates contradict the path it was deployed to. A value that is still
 * an unresolved `${property}` is not compared (Maven deploys CI-friendly versions that way when
 * they are not flattened), but literal values must match.
 */
export function assertPomMatches(pom: PomInfo, expected: { groupId: string; artifactId: string; version: string }): void {
  for (const key of ['groupId', 'artifactId', 'version'] as const) {
    const value = pom[key];
    if (value.includes('${')) continue;
    if (value !== expected[key]) throw new DomainError('INVALID_PACKAGE', `the POM's ${key} is "${value.slice(0, 200)}" but the path says "${expected[key]}"`);
  }
}
