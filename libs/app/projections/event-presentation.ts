import type { ArtifactPromoted, ArtifactRestored, RecordedEvent } from '../../domain/index.js';
import type { Projection } from '../../ports/index.js';

/**
 * Events that every format's read models understand without knowing them: a promotion or a
 * restore makes a version live in a repository with given files and metadata, exactly what a
 * publish does. So the runner hands them to a projection that does not list them as the event that
 * made the version live in the first place: ArtifactPublished, or `presentAs` (OCI's
 * ManifestPushed), of the target repository, with `promotedFrom` / `restored` added to the data.
 * Every format, present and future, then serves them through its own protocol with no change to
 * its projection. A projection that lists the type itself (history, audit) gets it as it is.
 */
const PRESENTED: readonly string[] = ['ArtifactPromoted', 'ArtifactRestored'];
const PUBLISH_TYPES: readonly string[] = ['ArtifactPublished', 'ManifestPushed'];

/** Does the projection take events of this type (itself, or presented as another)? */
export function takes(p: Pick<Projection, 'handles'>, type: string): boolean {
  return p.handles.includes(type) || (PRESENTED.includes(type) && PUBLISH_TYPES.some((t) => p.handles.includes(t)));
}

/** Does this event concern the projection: a type it takes, of a format it keeps (when it names formats)? */
export function concerns(p: Pick<Projection, 'handles' | 'formats'>, event: { type: string; data: unknown }): boolean {
  if (!takes(p, event.type)) return false;
  const format = (event.data as { format?: unknown } | null)?.format;
  return !p.formats || typeof format !== 'string' || p.formats.includes(format);
}

/** The event as `p` is given it, or undefined when `p` does not take it. */
export function presentTo(p: Pick<Projection, 'handles'>, event: RecordedEvent): RecordedEvent | undefined {
  if (p.handles.includes(event.type)) return event;
  if (!PRESENTED.includes(event.type)) return undefined;
  const original = event.data as (ArtifactPromoted | ArtifactRestored)['data'];
  const as = original.presentAs ?? 'ArtifactPublished';
  if (!p.handles.includes(as)) return undefined;
  const { repository, format, name, version, files, metadata } = original;
  const marker = event.type === 'ArtifactPromoted' ? { promotedFrom: (original as ArtifactPromoted['data']).from } : { restored: true };
  return { ...event, type: as, data: { repository, format, name, version, files, metadata, ...marker } } as RecordedEvent;
}

/** Applies one event to a projection, presented as the projection takes it. */
export async function applyPresented(p: Projection, event: RecordedEvent, tx: Parameters<Projection['apply']>[1], table: string): Promise<void> {
  const presented = presentTo(p, event);
  if (presented) await p.apply(presented, tx, table);
}

/** Applies a run of events to a projection, presented as it takes them, in one batch when it can. */
export async function applyAllPresented(p: Projection, events: readonly RecordedEvent[], tx: Parameters<Projection['apply']>[1], table: string): Promise<void> {
  const presented = events.filter((e) => concerns(p, e)).map((e) => presentTo(p, e)).filter((e): e is RecordedEvent => e !== undefined);
  if (presented.length === 0) return;
  if (p.applyBatch) return p.applyBatch(presented, tx, table);
  for (const e of presented) await p.apply(e, tx, table);
}
