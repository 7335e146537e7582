import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through as they arrive but holds the last chunk back until `verdict` settles:
 * released when it resolves, the stream destroyed when it rejects. A client streaming an upstream
 * artifact while it is stored and verified thus never receives a complete body whose digest
 * turned out wrong.
 */
export function holdLastChunk(verdict: Promise<unknown>): Transform {
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const previous = held;
      held = chunk;
      done(null, previous);
    },
    flush(done: TransformCallback) {
      verdict.then(
        () => done(null, held),
        (e: Error) => done(e),
      );
    },
  });
}
