import { DomainError } from '../../domain/index.js';
import { authorizeFor, sendJson, type NpmContext } from './npm-context.js';
import { assertPackageName } from './npm-names.js';
import { MAX_BUNDLE_BYTES } from './provenance.js';

/**
 * GET /-/npm/v1/attestations/<name>@<version>: the provenance bundle published with a version, in
 * the public registry's shape `{attestations: [{predicateType, bundle}]}` (what `dist.attestations.url`
 * points at, read by `npm audit signatures`).
 * https://docs.npmjs.com/generating-provenance-statements#about-npm-provenance and
 * https://github.com/npm/cli/blob/latest/lib/utils/verify-signatures.js
 */
export async function getAttestations(ctx: NpmContext, name: string, version: string): Promise<void> {
  assertPackageName(name);
  authorizeFor(ctx, 'read', name);
  const found = await ctx.queries.state(ctx.repository.name, name);
  const provenance = found?.state.versions[version]?.provenance;
  if (!provenance) throw new DomainError('NOT_FOUND', `${name}@${version} has no attestations in this registry`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await ctx.services.blobs.get(provenance.sha256)) {
    size += (chunk as Buffer).length;
    if (size > MAX_BUNDLE_BYTES) throw new DomainError('INTERNAL', 'the stored provenance bundle is larger than a bundle can be');
    chunks.push(chunk as Buffer);
  }
  const bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  ctx.res.set('cache-control', 'private, max-age=300');
  sendJson(ctx, 200, { attestations: [{ predicateType: provenance.predicateType, bundle }] });
}
