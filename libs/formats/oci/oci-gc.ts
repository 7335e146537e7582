import { isDomainError, type EventMetadata, type RepositoryView } from '../../domain/index.js';
import type { FormatServices } from '../../format-kit/index.js';
import { projectionTable } from '../../ports/index.js';
import { MEDIA } from './oci-manifest.js';
import { OCI } from './oci-names.js';
import { ociManifestsProjection, ociTagsProjection } from './oci.projection.js';

const MANIFESTS = projectionTable(ociManifestsProjection);
const TAGS = projectionTable(ociTagsProjection);
const REFS = projectionTable({ name: 'blob-references', version: 1 });

/** One manifest or blob of the repository, with what the GC does with it and why. */
export interface OciGcDecision {
  /** `<name>@<digest>` for a manifest; the blob store digest for a blob */
  subject: string;
  size: number;
  action: 'remove' | 'keep';
  reason: string;
}

export interface OciGcReport {
  repository: string;
  dryRun: boolean;
  untaggedGraceSeconds: number | null;
  manifests: OciGcDecision[];
  /** blobs the repository's manifests reference: kept, or left to the blob GC once no live manifest references them */
  blobs: OciGcDecision[];
  removedManifests: number;
}

interface ManifestRow {
  name: string;
  digest: string;
  size: string;
  media_type: string;
  subject: string | null;
  pushed_at: Date;
}

interface Verdict {
  keep: boolean;
  reason: string;
}

const key = (name: string, digest: string) => `${name}@${digest}`;

/**
 * The online OCI GC of one repository (its `oci.untaggedGraceSeconds` policy): an untagged
 * manifest older than the grace period is deleted (ArtifactDeleted, as `DELETE
 * /v2/<name>/manifests/<digest>` does) unless a kept image index lists it or it refers (OCI 1.1
 * `subject`) to a kept manifest. Tagged manifests, what they reach, and manifests inside the grace
 * period are kept. Blobs are never deleted here: once no live manifest references them, the blob
 * GC collects them after the repository's undo window; the report says which blobs that frees.
 */
export class OciGarbageCollector {
  constructor(private readonly services: Pick<FormatServices, 'sql' | 'repository' | 'deleteArtifact'>) {}

  async run(repositoryName: string, dryRun: boolean, metadata: EventMetadata, now = Date.now()): Promise<OciGcReport> {
    const repository = await this.services.repository(repositoryName, OCI);
    const graceSeconds = repository.config.oci?.untaggedGraceSeconds ?? null;
    const manifests = (await this.services.sql.query<ManifestRow>(`SELECT name, digest, size::text, media_type, subject, pushed_at FROM ${MANIFESTS} WHERE repository = $1 ORDER BY name, pushed_at`, [repository.name])).rows;
    const verdicts = await this.judgeManifests(repository, manifests, graceSeconds, now);
    const report: OciGcReport = { repository: repository.name, dryRun, untaggedGraceSeconds: graceSeconds, manifests: [], blobs: [], removedManifests: 0 };
    for (const m of manifests) {
      const v = verdicts.get(key(m.name, m.digest))!;
      report.manifests.push({ subject: key(m.name, m.digest), size: Number(m.size), action: v.keep ? 'keep' : 'remove', reason: v.reason });
    }
    report.blobs = await this.judgeBlobs(repository, new Set(report.manifests.filter((d) => d.action === 'remove').map((d) => d.subject)));
    if (dryRun) return report;
    // indexes and referrers first, so that nothing still lists a manifest when it goes
    const doomed = manifests.filter((m) => !verdicts.get(key(m.name, m.digest))!.keep).sort((a, b) => rank(a) - rank(b));
    for (const m of doomed) {
      const decision = report.manifests.find((d) => d.subject === key(m.name, m.digest))!;
      if (await this.tagged(repository.name, m.name, m.digest)) {
        Object.assign(decision, { action: 'keep', reason: 'tagged during collection' });
        continue;
      }
      try {
        await this.services.deleteArtifact(repository.name, OCI, m.name, m.digest, metadata);
        report.removedManifests += 1;
      } catch (e) {
        if (!isDomainError(e) || e.code !== 'NOT_FOUND') throw e;
        decision.reason = 'already deleted by someone else during collection';
      }
    }
    return report;
  }

  /** Roots (tagged, or inside the grace period), then what kept indexes list and what refers to kept manifests. */
  private async judgeManifests(repository: RepositoryView, manifests: ManifestRow[], graceSeconds: number | null, now: number): Promise<Map<string, Verdict>> {
    const tags = new Map<string, string[]>();
    for (const t of (await this.services.sql.query<{ name: string; digest: string; tag: string }>(`SELECT name, digest, tag FROM ${TAGS} WHERE repository = $1 ORDER BY tag`, [repository.name])).rows) {
      tags.set(key(t.name, t.digest), [...(tags.get(key(t.name, t.digest)) ?? []), t.tag]);
    }
    const children = new Map<string, string[]>();
    const live = new Set(manifests.map((m) => key(m.name, m.digest)));
    const refs = await this.services.sql.query<{ name: string; version: string; path: string }>(
      `SELECT name, version, path FROM ${REFS} WHERE repository = $1 AND format = '${OCI}' AND deleted_at IS NULL AND path <> version`,
      [repository.name],
    );
    for (const r of refs.rows) if (live.has(key(r.name, r.path))) children.set(key(r.name, r.version), [...(children.get(key(r.name, r.version)) ?? []), r.path]);
    const verdicts = new Map<string, Verdict>();
    for (const m of manifests) {
      const k = key(m.name, m.digest);
      const ageSeconds = Math.max(0, Math.floor((now - new Date(m.pushed_at).getTime()) / 1000));
      if (tags.has(k)) verdicts.set(k, { keep: true, reason: `tagged ${tags.get(k)!.join(', ')}` });
      else if (graceSeconds === null) verdicts.set(k, { keep: true, reason: 'untagged; the repository has no oci.untaggedGraceSeconds policy' });
      else if (ageSeconds < graceSeconds) verdicts.set(k, { keep: true, reason: `untagged, pushed ${ageSeconds} s ago: inside the grace period (${graceSeconds} s)` });
      else verdicts.set(k, { keep: false, reason: `untagged, pushed ${ageSeconds} s ago (grace period ${graceSeconds} s), in no kept index, refers to no kept manifest` });
    }
    // propagate "kept" until nothing changes: children of kept indexes, referrers of kept subjects
    for (let changed = true; changed; ) {
      changed = false;
      for (const m of manifests) {
        const k = key(m.name, m.digest);
        if (verdicts.get(k)!.keep) continue;
        const parent = [...children].find(([p, cs]) => cs.includes(m.digest) && p.startsWith(`${m.name}@`) && verdicts.get(p)?.keep)?.[0];
        const subject = m.subject ? key(m.name, m.subject) : undefined;
        if (parent) verdicts.set(k, { keep: true, reason: `listed by the kept index ${parent.slice(m.name.length + 1)}` });
        else if (subject && verdicts.get(subject)?.keep) verdicts.set(k, { keep: true, reason: `refers to the kept manifest ${m.subject} (OCI subject)` });
        else continue;
        changed = true;
      }
    }
    return verdicts;
  }

  /** Every blob the repository's live manifests reference: kept while a manifest that stays (here or anywhere) references it. */
  private async judgeBlobs(repository: RepositoryView, doomed: Set<string>): Promise<OciGcDecision[]> {
    const rows = (
      await this.services.sql.query<{ digest: string; repository: string; format: string; name: string; version: string; size: string }>(
        `SELECT r.digest, r.repository, r.format, r.name, r.version, r.size::text FROM ${REFS} r
          WHERE r.deleted_at IS NULL AND r.digest IN (SELECT digest FROM ${REFS} WHERE repository = $1 AND format = '${OCI}' AND deleted_at IS NULL)
          ORDER BY r.digest, r.repository, r.name, r.version`,
        [repository.name],
      )
    ).rows;
    const byDigest = new Map<string, typeof rows>();
    for (const r of rows) byDigest.set(r.digest, [...(byDigest.get(r.digest) ?? []), r]);
    const window = repository.config.legalHold
      ? 'never: the repository is under legal hold'
      : `after the undo window (${repository.config.restoreWindowDays !== undefined ? `${repository.config.restoreWindowDays} days` : "the server's STRATA_UNDO_WINDOW_SECONDS"}; strata gc collects it)`;
    return [...byDigest].map(([digest, refs]) => {
      const staying = refs.filter((r) => !(r.repository === repository.name && r.format === OCI && doomed.has(key(r.name, r.version))));
      const size = Number(refs[0].size);
      if (staying.length === 0) return { subject: digest, size, action: 'remove' as const, reason: `referenced only by removed manifests: the blob GC frees it ${window}` };
      const first = staying[0];
      const where = first.repository === repository.name && first.format === OCI ? `the kept manifest ${first.name}@${first.version}` : `${first.format} ${first.repository}/${first.name} ${first.version}`;
      return { subject: digest, size, action: 'keep' as const, reason: `referenced by ${where}${staying.length > 1 ? ` and ${staying.length - 1} more` : ''}` };
    });
  }

  private async tagged(repository: string, name: string, digest: string): Promise<boolean> {
    return (await this.services.sql.query(`SELECT 1 FROM ${TAGS} WHERE repository = $1 AND name = $2 AND digest = $3 LIMIT 1`, [repository, name, digest])).rowCount > 0;
  }
}

/** Referrers, then indexes, then images. */
const rank = (m: ManifestRow) => (m.subject ? 0 : m.media_type === MEDIA.ociIndex || m.media_type === MEDIA.dockerList ? 1 : 2);

/** OCI repositories with a GC policy, to collect on a schedule. */
export async function repositoriesWithOciPolicy(services: Pick<FormatServices, 'sql'>): Promise<string[]> {
  const table = projectionTable({ name: 'repositories', version: 1 });
  const rows = await services.sql.query<{ name: string }>(`SELECT name FROM ${table} WHERE format = $1 AND repository_type = 'hosted' AND config ? 'oci'`, [OCI]);
  return rows.rows.map((r) => r.name);
}

