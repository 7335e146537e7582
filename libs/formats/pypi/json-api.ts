import pep440 from '@renovatebot/pep440';
import type { PypiFileRecord, PypiProjectState } from './pypi-state.js';
import { versionsOf } from './simple-pages.js';

/**
 * PyPI's JSON API (https://docs.pypi.org/api/json/), the one `poetry`, `pip-audit` and renovate
 * read: rendered by the `pypi-projects` projection from a project's state and stored, never read
 * from the log per request. `base` is the repository's absolute URL (`http://host/pypi/<repo>`),
 * stored as `baseOf(repo)` with a mark that `withBase` swaps for the request's base: clients
 * download from `url` as given. Fields PyPI fills from things Strata does not keep (download
 * counts, the description, authors and maintainers, vulnerabilities) are there with empty values.
 */
export interface JsonApiInput {
  state: PypiProjectState;
  /** the log position of the row (`last_serial`) */
  position: number;
  base: string;
}

/** Stands for the registry's base URL in stored documents (no client sends a NUL). */
const BASE_URL_MARK = '\u0000strata:base-url\u0000';
const MARK_IN_JSON = JSON.stringify(BASE_URL_MARK).slice(1, -1);

/** A repository's base in stored documents. */
export const baseOf = (repository: string) => `${BASE_URL_MARK}/pypi/${encodeURIComponent(repository)}`;
/** A stored document with the request's base URL (`http://host`) in place of the mark. */
export const withBase = (body: string, base: string) => body.split(MARK_IN_JSON).join(JSON.stringify(base).slice(1, -1));

const isPre = (v: string) => pep440.explain(v)?.is_prerelease ?? false;

/** The version PyPI shows as the project's: the newest not yanked, final before pre-releases. */
export function latestVersion(s: PypiProjectState): string | undefined {
  const all = versionsOf(s);
  const live = all.filter((v) => !s.versions[v].yanked);
  return live.filter((v) => !isPre(v)).at(-1) ?? live.at(-1) ?? all.at(-1);
}

/** `2024-01-02T03:04:05.678Z` -> `2024-01-02T03:04:05` (PyPI's `upload_time`) and `…05.678000Z` (`upload_time_iso_8601`). */
const times = (iso: string) => ({ upload_time: iso.replace(/\.\d+Z$/, '').replace(/Z$/, ''), upload_time_iso_8601: iso.replace(/\.(\d{3})Z$/, '.$1000Z') });

function fileEntry(input: JsonApiInput, filename: string, f: PypiFileRecord) {
  const release = input.state.versions[f.version];
  return {
    comment_text: '',
    digests: { ...(f.blake2_256 ? { blake2b_256: f.blake2_256 } : {}), ...(f.md5 ? { md5: f.md5 } : {}), sha256: f.sha256 },
    downloads: -1,
    filename,
    has_sig: false,
    md5_digest: f.md5 ?? null,
    packagetype: f.filetype,
    python_version: f.pythonVersion ?? (f.filetype === 'sdist' ? 'source' : null),
    requires_python: f.requiresPython ?? null,
    size: f.size,
    ...times(f.uploadTime),
    url: `${input.base}/files/${input.state.name}/${encodeURIComponent(filename)}`,
    yanked: !!release?.yanked,
    yanked_reason: release?.yanked ? (release.yankReason ?? null) : null,
  };
}

const filesOf = (input: JsonApiInput, version: string) => [...input.state.versions[version].files].sort().filter((f) => input.state.files[f]).map((f) => fileEntry(input, f, input.state.files[f]));

function info(input: JsonApiInput, version: string) {
  const { state, base } = input;
  const release = state.versions[version];
  const i = release.info;
  const page = `${base}/simple/${state.name}/`;
  return {
    author: '',
    author_email: '',
    bugtrack_url: null,
    classifiers: i?.classifiers ?? [],
    description: '',
    description_content_type: i?.description_content_type ?? null,
    docs_url: null,
    download_url: i?.download_url ?? null,
    downloads: { last_day: -1, last_month: -1, last_week: -1 },
    dynamic: null,
    home_page: i?.home_page ?? null,
    keywords: i?.keywords ?? null,
    license: i?.license ?? null,
    license_expression: i?.license_expression ?? null,
    maintainer: '',
    maintainer_email: '',
    name: i?.name ?? state.displayName,
    package_url: page,
    platform: i?.platform ?? null,
    project_url: page,
    project_urls: i?.project_urls ?? null,
    provides_extra: i?.provides_extra ?? null,
    release_url: `${base}/pypi/${state.name}/${version}/json`,
    requires_dist: i?.requires_dist ?? null,
    requires_python: i?.requires_python ?? null,
    summary: i?.summary ?? null,
    version,
    yanked: !!release.yanked,
    yanked_reason: release.yanked ? (release.yankReason ?? null) : null,
  };
}

/** GET /pypi/<project>/json: the latest release's `info` and `urls`, and every release's files. */
export function projectDocument(input: JsonApiInput): string | undefined {
  const latest = latestVersion(input.state);
  if (!latest) return undefined;
  const releases = Object.fromEntries(versionsOf(input.state).map((v) => [v, filesOf(input, v)]));
  return JSON.stringify({ info: info(input, latest), last_serial: input.position, releases, urls: filesOf(input, latest), vulnerabilities: [] });
}

/** GET /pypi/<project>/<version>/json: one release (no `releases`, as on PyPI since 2023). */
export function releaseDocument(input: JsonApiInput, version: string): string {
  return JSON.stringify({ info: info(input, version), last_serial: input.position, urls: filesOf(input, version), vulnerabilities: [] });
}
