import type { RecordedEvent } from '../../domain/index.js';
import { presentTo, takes } from './event-presentation.js';

const promoted = {
  position: 7, streamId: 'artifact-release-npm-x', streamVersion: 1, type: 'ArtifactPromoted', schemaVersion: 1,
  data: { repository: 'release', format: 'npm', name: 'x', version: '1.0.0', files: [], metadata: { a: 1 }, from: 'staging', to: 'release', sourcePosition: 3 },
  metadata: { actor: 'alice', authMethod: 'token', correlationId: 'c' }, recordedAt: '2026-01-01T00:00:00.000Z', prevHash: 'p', hash: 'h',
} as unknown as RecordedEvent;

describe('event presentation (promotions and restores as publishes)', () => {
  it('hands a promotion to a projection of publishes as an ArtifactPublished of the target', () => {
    const p = { handles: ['ArtifactPublished', 'ArtifactDeleted'] };
    expect(takes(p, 'ArtifactPromoted')).toBe(true);
    expect(presentTo(p, promoted)).toMatchObject({ type: 'ArtifactPublished', position: 7, data: { repository: 'release', name: 'x', version: '1.0.0', metadata: { a: 1 }, promotedFrom: 'staging' } });
  });
  it('gives it as it is to a projection that lists the type, and nothing to one that handles neither', () => {
    expect(presentTo({ handles: ['ArtifactPromoted'] }, promoted)).toBe(promoted);
    expect(presentTo({ handles: ['RepositoryCreated'] }, promoted)).toBeUndefined();
    expect(takes({ handles: ['RepositoryCreated'] }, 'ArtifactPromoted')).toBe(false);
  });
  it('presents as the event that made the source version live (OCI ManifestPushed) when the promotion says so', () => {
    const oci = { ...promoted, data: { ...(promoted.data as object), presentAs: 'ManifestPushed' } } as RecordedEvent;
    expect(presentTo({ handles: ['ManifestPushed'] }, oci)?.type).toBe('ManifestPushed');
    expect(presentTo({ handles: ['ArtifactPublished'] }, oci)).toBeUndefined();
  });
});
