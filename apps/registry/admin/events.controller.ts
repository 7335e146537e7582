import { Controller, Get, Inject, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '../../../libs/domain/index.js';
import { ChainVerifier } from '../../../libs/ports/index.js';
import { RegistryServices } from '../registry-services.js';
import { AdminGuard } from './admin.guard.js';

const intParam = (value: string | undefined, name: string, fallback: number, max: number) => {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new DomainError('BAD_REQUEST', `${name} must be a non-negative integer`);
  return Math.min(Number(value), max);
};

/** The event log, read by position: /api/v1/events. */
@Controller('api/v1/events')
@UseGuards(AdminGuard)
export class EventsController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  /** `waitMs` long-polls: answers as soon as an event at or beyond `from` exists, or when the wait ends. */
  @Get()
  async read(@Query('from') fromQ: string | undefined, @Query('limit') limitQ: string | undefined, @Query('waitMs') waitQ: string | undefined, @Res() res: Response) {
    const from = Math.max(1, intParam(fromQ, 'from', 1, Number.MAX_SAFE_INTEGER));
    const limit = Math.max(1, intParam(limitQ, 'limit', 100, 1000));
    const waitMs = intParam(waitQ, 'waitMs', 0, 30_000);
    const store = this.s.infra.eventStore;
    let items = await store.readAll(from, limit);
    // an append notification is only a hint (it may come from another log sharing the database's
    // channel): the answer is what a read by position finds, so wait again until one does
    const deadline = Date.now() + waitMs;
    let gone = false;
    res.on('close', () => (gone = true));
    while (items.length === 0 && !gone && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, deadline - Date.now());
        const off = store.onAppended((p) => p >= from && done());
        res.once('close', done);
        function done() {
          clearTimeout(timer);
          off();
          res.off('close', done);
          resolve();
        }
      });
      items = await store.readAll(from, limit);
    }
    const head = await store.head();
    res.set('x-strata-head-position', String(head.position));
    res.json({ items, next: items.length === limit ? items[items.length - 1].position + 1 : null });
  }

  /** Walks the whole hash chain. */
  @Get('verify')
  async verify() {
    const verifier = new ChainVerifier();
    const store = this.s.infra.eventStore;
    for (let from = 1; ; ) {
      const batch = await store.readAll(from, 1000);
      for (const e of batch) if (!verifier.check(e)) return verifier.verdict();
      if (batch.length < 1000) break;
      from = batch[batch.length - 1].position + 1;
    }
    return verifier.verdict();
  }
}
