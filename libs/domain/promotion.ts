import type { ArtifactState } from './artifact.js';
import { DomainError } from './errors.js';
import type { PromotionRules, StoredFile } from './events.js';

/** What a promotion carries from its source version into the target. */
export interface PromotionSource {
  files: StoredFile[];
  metadata: Record<string, unknown>;
  /** the source's tags that point at the version */
  tags: string[];
  presentAs?: string;
}

/**
 * Checks the source side of a promotion (pure): the version must exist and be live in the source
 * artifact stream, and pass the target repository's promotion rules.
 */
export function promotionSource(source: ArtifactState, from: string, name: string, version: string, rules: PromotionRules | undefined): PromotionSource {
  const v = source.versions.get(version);
  if (!v || v.deleted) throw new DomainError('NOT_FOUND', `${name}@${version} does not exist in ${from}`);
  const tags = [...source.tags].filter(([, at]) => at === version).map(([tag]) => tag);
  if (rules?.allowedSources && !rules.allowedSources.includes(from)) {
    throw new DomainError('FORBIDDEN', `promotion rules allow only promotions from ${rules.allowedSources.join(', ') || 'no repository'}, not from ${from}`);
  }
  if (rules?.rejectDeprecated && (v.deprecated || v.yanked)) {
    throw new DomainError('FORBIDDEN', `promotion rules refuse deprecated or yanked versions; ${name}@${version} is ${v.yanked ? 'yanked' : 'deprecated'} in ${from}`);
  }
  const missing = (rules?.requiredTags ?? []).filter((t) => !tags.includes(t));
  if (missing.length > 0) throw new DomainError('FORBIDDEN', `promotion rules require the tag(s) ${missing.join(', ')} on ${name}@${version} in ${from}`);
  return { files: v.files, metadata: v.metadata, tags, ...(v.publishedAs ? { presentAs: v.publishedAs } : {}) };
}

/** Validates promotion rules from a repository's configuration (pure). */
export function normalisePromotionRules(input: unknown): PromotionRules {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new DomainError('BAD_REQUEST', 'promotion must be an object');
  const { allowedSources, rejectDeprecated, requiredTags, ...rest } = input as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new DomainError('BAD_REQUEST', `unknown promotion rule(s): ${Object.keys(rest).join(', ')}`);
  const strings = (v: unknown, what: string) => {
    if (!Array.isArray(v) || v.length > 100 || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 128)) {
      throw new DomainError('BAD_REQUEST', `promotion.${what} must be a list of names`);
    }
    return [...(v as string[])];
  };
  const rules: PromotionRules = {};
  if (allowedSources !== undefined) rules.allowedSources = strings(allowedSources, 'allowedSources');
  if (requiredTags !== undefined) rules.requiredTags = strings(requiredTags, 'requiredTags');
  if (rejectDeprecated !== undefined) {
    if (typeof rejectDeprecated !== 'boolean') throw new DomainError('BAD_REQUEST', 'promotion.rejectDeprecated must be a boolean');
    rules.rejectDeprecated = rejectDeprecated;
  }
  return rules;
}
