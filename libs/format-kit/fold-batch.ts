import type { RecordedEvent, RepositoryDeleted } from '../domain/index.js';

/** Where a keyed read model keeps its per-package state (one row per repository and name). */
export interface FoldStorage<S> {
  load(repository: string, name: string): Promise<S | null>;
  /** stores `state` as of `event` (the last event that changed it) */
  save(repository: string, state: S, event: RecordedEvent): Promise<void>;
  /** removes every state of a repository (RepositoryDeleted) */
  dropRepository(repository: string): Promise<void>;
}

/** What a step sees: the states of the batch so far, loaded once each. */
export interface FoldSession<S> {
  get(repository: string, name: string): Promise<S | null>;
  put(repository: string, name: string, state: S, event: RecordedEvent): void;
  /** writes out what is pending, before a statement that reads or changes stored rows directly */
  flush(): Promise<void>;
  /** drops what the session knows of a repository (after its rows were deleted directly) */
  forget(repository: string): void;
}

/**
 * Applies a run of events to a read model kept as one state per package: each package is loaded
 * once and saved once, at the end (rendered once), which leaves the same rows as applying the
 * events one at a time (load, evolve, save each) in a fraction of the round trips. A
 * RepositoryDeleted drops the repository's states here (after writing out what is pending); every
 * other event goes to `step`. A step that runs SQL against the table itself must `flush` first
 * and `forget` what it deleted.
 */
export async function foldBatch<S>(events: readonly RecordedEvent[], storage: FoldStorage<S>, step: (event: RecordedEvent, session: FoldSession<S>) => Promise<void>): Promise<void> {
  const known = new Map<string, S | null>();
  const pending = new Map<string, { repository: string; state: S; event: RecordedEvent }>();
  const key = (repository: string, name: string) => `${repository}\n${name}`;
  const session: FoldSession<S> = {
    async get(repository, name) {
      const k = key(repository, name);
      if (!known.has(k)) known.set(k, await storage.load(repository, name));
      return known.get(k)!;
    },
    put(repository, name, state, event) {
      known.set(key(repository, name), state);
      pending.set(key(repository, name), { repository, state, event });
    },
    async flush() {
      for (const p of pending.values()) await storage.save(p.repository, p.state, p.event);
      pending.clear();
    },
    forget(repository) {
      for (const k of [...known.keys()]) if (k.startsWith(`${repository}\n`)) known.delete(k);
    },
  };
  for (const event of events) {
    if (event.type !== 'RepositoryDeleted') {
      await step(event, session);
      continue;
    }
    const { repository } = event.data as RepositoryDeleted['data'];
    await session.flush();
    await storage.dropRepository(repository);
    session.forget(repository);
  }
  await session.flush();
}
