import client from 'prom-client';

/** Prometheus metrics of one registry instance (its own registry, so tests can run several). */
export class RegistryMetrics {
  readonly registry = new client.Registry();
  readonly requests = new client.Counter({ name: 'strata_http_requests_total', help: 'HTTP requests', labelNames: ['format', 'route', 'method', 'status'], registers: [this.registry] });
  readonly latency = new client.Histogram({
    name: 'strata_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['format', 'route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly bytesIn = new client.Counter({ name: 'strata_bytes_in_total', help: 'Artifact bytes received', labelNames: ['format'], registers: [this.registry] });
  readonly bytesOut = new client.Counter({ name: 'strata_bytes_out_total', help: 'Artifact bytes sent', labelNames: ['format'], registers: [this.registry] });
  readonly uploadsInFlight = new client.Gauge({ name: 'strata_uploads_in_flight', help: 'Uploads being received', labelNames: ['format'], registers: [this.registry] });
  readonly upstreamMismatches = new client.Counter({ name: 'strata_upstream_mismatch_total', help: 'Upstream files that changed bytes after they were recorded (refused)', labelNames: ['repository'], registers: [this.registry] });
  private inFlight = 0;
  private drained: (() => void)[] = [];

  constructor(collectors: {
    head: () => Promise<number>;
    lag: () => Promise<{ name: string; lag: number; position: number }[]>;
    blobBytes: () => Promise<number>;
  }) {
    new client.Gauge({
      name: 'strata_event_store_head_position',
      help: 'Position of the newest event',
      registers: [this.registry],
      async collect() {
        this.set(await collectors.head());
      },
    });
    new client.Gauge({
      name: 'strata_projection_lag_events',
      help: 'Events between the log head and each projection',
      labelNames: ['projection'],
      registers: [this.registry],
      async collect() {
        for (const p of await collectors.lag()) this.set({ projection: p.name }, p.lag);
      },
    });
    new client.Gauge({
      name: 'strata_blob_store_bytes',
      help: 'Bytes of blobs referenced by the log and not purged',
      registers: [this.registry],
      async collect() {
        this.set(await collectors.blobBytes());
      },
    });
  }

  uploadStarted(format: string): () => void {
    this.inFlight += 1;
    this.uploadsInFlight.inc({ format });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight -= 1;
      this.uploadsInFlight.dec({ format });
      if (this.inFlight === 0) this.drained.splice(0).forEach((f) => f());
    };
  }

  /** Resolves when no upload is in flight, or after `ms`; returns whether all finished. */
  waitForUploads(ms: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.drained.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
