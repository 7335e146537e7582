import type { BlobStore, EventStore, Queue, Sql } from '../ports/index.js';
import { EventExporter } from './event-export.js';
import { ExportJobs } from './export-jobs.js';
import { HistoryQueries } from './history-queries.js';
import { PromotionCommands } from './promotion-commands.js';
import type { StreamWriter } from './stream-writer.js';

/** History and compliance (issue 8): promotions and restores, the history index, exports. */
export interface HistoryServices {
  promotions: PromotionCommands;
  history: HistoryQueries;
  exporter: EventExporter;
  exports: ExportJobs;
}

export function createHistoryServices(deps: {
  sql: Sql;
  store: EventStore;
  blobs: BlobStore;
  queue: Queue;
  writer: StreamWriter;
  reuseAfterDelete: (format: string) => boolean;
  undoWindowMs: number;
}): HistoryServices {
  const exporter = new EventExporter(deps.store);
  return {
    promotions: new PromotionCommands(deps.store, deps.writer, deps.blobs, deps.reuseAfterDelete, deps.undoWindowMs),
    history: new HistoryQueries(deps.sql),
    exporter,
    exports: new ExportJobs(deps.sql, deps.queue, deps.blobs, exporter),
  };
}
