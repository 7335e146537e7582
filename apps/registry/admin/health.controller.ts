import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RegistryServices } from '../registry-services.js';

/** Liveness, readiness and Prometheus metrics (no authentication: no secrets or content here). */
@Controller()
export class HealthController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** 200 when SQL, the event store and the blob store answer and every projection is caught up. */
  @Get('readyz')
  async readyz(@Res() res: Response) {
    const checks: Record<string, string> = {};
    const probe = async (name: string, fn: () => Promise<string | void>) => {
      try {
        checks[name] = (await fn()) ?? 'ok';
      } catch (e) {
        checks[name] = `failing: ${(e as Error).message}`;
      }
    };
    await probe('sql', async () => void (await this.s.infra.sql.query('SELECT 1')));
    await probe('eventStore', async () => void (await this.s.infra.eventStore.head()));
    await probe('blobStore', async () => void (await this.s.infra.blobStore.stat('0'.repeat(64))));
    await probe('projections', async () => {
      const behind = (await this.s.runner.status()).filter((p) => p.lag > 0);
      if (behind.length) throw new Error(behind.map((p) => `${p.name} is ${p.lag} events behind`).join(', '));
    });
    const ok = Object.values(checks).every((v) => v === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', checks });
  }

  @Get('metrics')
  async metrics(@Res() res: Response) {
    res.type(this.s.metrics.registry.contentType).send(await this.s.metrics.registry.metrics());
  }
}
