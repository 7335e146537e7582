import { DomainError } from '../../domain/index.js';
import { assertProjectName, isValidSpecifier, normalizeVersion } from './pypi-names.js';

/**
 * Core metadata (METADATA in wheels, PKG-INFO in sdists), in the email-header format of
 * https://packaging.python.org/en/latest/specifications/core-metadata/: `Name: value` lines,
 * continuation lines starting with whitespace, multiple-use fields repeated, and the description
 * as the body after the first empty line (Metadata-Version 2.1+).
 */
export interface CoreMetadata {
  metadataVersion: string;
  name: string;
  version: string;
  summary?: string;
  requiresPython?: string;
  /** every header, by lowercased field name, in order */
  fields: Map<string, string[]>;
  description?: string;
}

/** Metadata-Version values a client can read: 1.x and 2.x (2.4 is the newest specified). */
const METADATA_VERSION = /^[12]\.\d+$/;

const invalid = (why: string) => new DomainError('INVALID_PACKAGE', `invalid core metadata: ${why}`);

/** Parses the header block; `source` names the file in messages (METADATA, PKG-INFO). */
export function parseCoreMetadata(bytes: Buffer, source: string): CoreMetadata {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid(`${source} is not UTF-8`);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const fields = new Map<string, string[]>();
  let current: { key: string; value: string } | undefined;
  const flush = () => {
    if (!current) return;
    const list = fields.get(current.key) ?? [];
    list.push(current.value.trim());
    fields.set(current.key, list);
    current = undefined;
  };
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      if (!current) throw invalid(`${source} starts with a continuation line`);
      current.value += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[A-Za-z0-9-]+$/.test(line.slice(0, colon))) throw invalid(`${source} line ${i + 1} is not a "Field: value" header`);
    flush();
    current = { key: line.slice(0, colon).toLowerCase(), value: line.slice(colon + 1) };
  }
  flush();
  const body = lines.slice(i + 1).join('\n');
  const one = (key: string, required = false): string | undefined => {
    const values = fields.get(key);
    if (!values || values[0] === '') {
      if (required) throw invalid(`${source} has no ${key.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase())} field`);
      return undefined;
    }
    if (values.length > 1) throw invalid(`${source} has more than one ${key} field`);
    return values[0];
  };
  const metadataVersion = one('metadata-version', true)!;
  if (!METADATA_VERSION.test(metadataVersion)) throw invalid(`Metadata-Version ${metadataVersion.slice(0, 20)} is not one this registry reads (1.x or 2.x)`);
  const name = one('name', true)!;
  assertProjectName(name);
  const version = one('version', true)!;
  normalizeVersion(version);
  const requiresPython = one('requires-python');
  if (requiresPython !== undefined && !isValidSpecifier(requiresPython)) throw invalid(`Requires-Python "${requiresPython.slice(0, 100)}" is not a version specifier`);
  const summary = one('summary');
  const description = body.trim() ? body : fields.get('description')?.[0];
  return { metadataVersion, name, version, summary, requiresPython, fields, description };
}

/**
 * The core metadata that PyPI's JSON API shows in `info`, named as there
 * (https://docs.pypi.org/api/json/), for the upload event. Bounded (a long License text is cut),
 * and without the description (it can be megabytes; the wheel's METADATA keeps it) nor the
 * author and maintainer names and e-mail addresses (personal data stays out of the permanent log).
 */
export interface CoreInfo {
  license?: string;
  license_expression?: string;
  home_page?: string;
  download_url?: string;
  keywords?: string;
  platform?: string;
  classifiers?: string[];
  requires_dist?: string[];
  provides_extra?: string[];
  /** `Project-URL: Label, https://…` lines, by label */
  project_urls?: Record<string, string>;
  description_content_type?: string;
}

const MAX_INFO_TEXT = 4096;
const MAX_INFO_ITEMS = 512;

export function coreInfoOf(core: CoreMetadata): CoreInfo {
  const text = (key: string) => core.fields.get(key)?.[0]?.slice(0, MAX_INFO_TEXT) || undefined;
  const list = (key: string) => {
    const values = core.fields.get(key)?.filter(Boolean).slice(0, MAX_INFO_ITEMS).map((v) => v.slice(0, MAX_INFO_TEXT));
    return values && values.length > 0 ? values : undefined;
  };
  const urls = list('project-url')
    ?.map((line) => line.split(/,(.*)/s).map((p) => p.trim()))
    .filter(([label, url]) => label && url);
  const info: CoreInfo = {
    license: text('license'),
    license_expression: text('license-expression'),
    home_page: text('home-page'),
    download_url: text('download-url'),
    keywords: text('keywords'),
    platform: list('platform')?.join(', '),
    classifiers: list('classifier'),
    requires_dist: list('requires-dist'),
    provides_extra: list('provides-extra'),
    project_urls: urls && urls.length > 0 ? Object.fromEntries(urls) : undefined,
    description_content_type: text('description-content-type'),
  };
  for (const key of Object.keys(info) as (keyof CoreInfo)[]) if (info[key] === undefined) delete info[key];
  return info;
}
