import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { DomainError, assertRepositoryName, streams, type DomainEvent, type RepositoryView } from '../../../libs/domain/index.js';
import { authorize, canSee } from '../../../libs/auth/index.js';
import { eventMetadata, principalOf, rawPathAfter } from '../../../libs/format-kit/index.js';
import { RegistryServices } from '../registry-services.js';
import { AdminGuard } from './admin.guard.js';
import { parseBody } from './body.js';
import { AuthenticatedGuard } from './guards.js';

const ConfigFields = {
  description: z.string().max(1000).optional(),
  anonymousRead: z.boolean().optional(),
  allowRedeploy: z.boolean().optional(),
  maxUploadBytes: z.number().int().positive().optional(),
  upstream: z.object({ url: z.string().url() }).strict().optional(),
  members: z.array(z.string()).max(100).optional(),
};
const CreateBody = z.object({ name: z.string(), format: z.string(), type: z.enum(['hosted', 'remote', 'virtual']).default('hosted'), ...ConfigFields }).strict();
const ConfigureBody = z.object(ConfigFields).strict();

function viewOf(event: DomainEvent): RepositoryView {
  if (event.type !== 'RepositoryCreated') throw new DomainError('INTERNAL', 'unexpected event');
  const now = new Date().toISOString();
  return { name: event.data.repository, format: event.data.format, type: event.data.repositoryType, config: event.data.config, createdAt: now, updatedAt: now };
}


/** Repositories: /api/v1/repositories (OpenAPI at /api/docs). */
@Controller('api/v1/repositories')
export class RepositoriesController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}

  @Post()
  @UseGuards(AdminGuard)
  async create(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const { name, format, type, ...config } = parseBody(CreateBody, body);
    const { events } = await this.s.repositoryCommands.create({ name, format, type, config }, eventMetadata(req));
    // normally the read model has it (read-your-writes); if the projector lags, answer from the event
    const view = (await this.s.repositories.find(name)) ?? viewOf(events[0]);
    res.status(201).location(`/api/v1/repositories/${name}`).json(view);
  }

  /** Every repository the caller may read (anonymous callers see the public ones). */
  @Get()
  async list(@Req() req: Request) {
    const principal = principalOf(req);
    return { items: (await this.s.repositories.list()).filter((r) => canSee(principal, r)) };
  }

  @Get(':name')
  async show(@Param('name') name: string, @Req() req: Request) {
    const repo = await this.s.repositories.get(name);
    authorize(principalOf(req), repo, 'read');
    return repo;
  }

  @Patch(':name')
  async configure(@Param('name') name: string, @Body() body: unknown, @Req() req: Request) {
    authorize(principalOf(req), await this.s.repositories.get(name), 'admin');
    await this.s.repositoryCommands.configure(name, parseBody(ConfigureBody, body), eventMetadata(req));
    return this.s.repositories.get(name);
  }

  @Delete(':name')
  @HttpCode(204)
  @UseGuards(AdminGuard)
  async remove(@Param('name') name: string, @Req() req: Request) {
    await this.s.repositoryCommands.delete(name, eventMetadata(req));
  }

  /** The history of one artifact: every event of its stream. Names may contain `/` (generic paths). */
  @Get(':name/packages/*rest')
  @UseGuards(AdminGuard)
  async history(@Param('name') name: string, @Req() req: Request) {
    assertRepositoryName(name);
    const rest = rawPathAfter(req, `/api/v1/repositories/${name}/packages/`);
    if (!rest.endsWith('/history')) throw new DomainError('NOT_FOUND', 'no such route');
    const artifact = rest.slice(0, -'/history'.length).split('/').map(decodeURIComponent).join('/');
    const repo = await this.s.repositories.find(name);
    const format = repo?.format ?? (await this.formatFromLog(name));
    const items = await this.s.infra.eventStore.readStream(streams.artifact(name, format, artifact));
    if (items.length === 0) throw new DomainError('NOT_FOUND', `no history for ${artifact} in ${name}`);
    return { items };
  }

  /** A deleted repository's format, from its own stream (history outlives the repository). */
  private async formatFromLog(name: string): Promise<string> {
    const events = await this.s.infra.eventStore.readStream(streams.repository(name));
    const created = events.find((e) => e.type === 'RepositoryCreated');
    if (!created) throw new DomainError('REPOSITORY_NOT_FOUND', `repository "${name}" never existed`);
    return (created.data as { format: string }).format;
  }
}
