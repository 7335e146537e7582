import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { DomainError, type DomainEvent, type RepositoryConfigInput, type RepositoryView } from '../../../libs/domain/index.js';
import { authorize, canSee } from '../../../libs/auth/index.js';
import { eventMetadata, principalOf } from '../../../libs/format-kit/index.js';
import { RegistryServices } from '../registry-services.js';
import { AdminGuard } from './admin.guard.js';
import { parseBody } from './body.js';
import { AuthenticatedGuard } from './guards.js';

const ConfigFields = {
  description: z.string().max(1000).optional(),
  anonymousRead: z.boolean().optional(),
  allowRedeploy: z.boolean().optional(),
  maxUploadBytes: z.number().int().positive().optional(),
  upstream: z
    .object({
      url: z.string().url().optional(),
      allowPrivateNetwork: z.boolean().optional(),
      metadataMaxAgeSeconds: z.number().int().min(0).optional(),
      notFoundCacheSeconds: z.number().int().min(0).optional(),
      // the secret is sealed (never in an event, never returned); null removes it
      auth: z
        .union([
          z.object({ type: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }).strict(),
          z.object({ type: z.literal('bearer'), token: z.string().min(1) }).strict(),
        ])
        .nullable()
        .optional(),
    })
    .strict()
    .optional(),
  members: z.array(z.string()).max(50).optional(),
  publishTo: z.string().optional(),
  confusionGuard: z.object({ enabled: z.boolean().optional(), remoteAllowed: z.array(z.string().min(1)).max(100).optional() }).strict().optional(),
  promotion: z
    .object({ allowedSources: z.array(z.string()).max(100).optional(), rejectDeprecated: z.boolean().optional(), requiredTags: z.array(z.string()).max(100).optional() })
    .strict()
    .nullable()
    .optional(),
  restoreWindowDays: z.number().int().min(0).max(36_500).optional(),
  legalHold: z.boolean().optional(),
  /** Maven repositories: releases, snapshots or both (the default) */
  versionPolicy: z.enum(['releases', 'snapshots', 'both']).optional(),
  /** OCI repositories: untagged manifests older than this are deleted by the OCI GC */
  oci: z.object({ untaggedGraceSeconds: z.number().int().min(0) }).strict().optional(),
};
const CreateBody = z.object({ name: z.string(), format: z.string(), type: z.enum(['hosted', 'remote', 'virtual']).default('hosted'), ...ConfigFields }).strict();
const ConfigureBody = z.object(ConfigFields).strict();

/** `promotion: null` removes the rules (an absent key keeps them). */
function configInput(body: z.infer<typeof ConfigureBody>): RepositoryConfigInput {
  const { promotion, ...rest } = body;
  return promotion === null ? { ...rest, promotion: undefined } : { ...rest, ...(promotion ? { promotion } : {}) };
}

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
    const { events } = await this.s.repositoryCommands.create({ name, format, type, config: configInput(config) }, eventMetadata(req));
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
    await this.s.repositoryCommands.configure(name, configInput(parseBody(ConfigureBody, body)), eventMetadata(req));
    return this.s.repositories.get(name);
  }

  @Delete(':name')
  @HttpCode(204)
  @UseGuards(AdminGuard)
  async remove(@Param('name') name: string, @Req() req: Request) {
    await this.s.repositoryCommands.delete(name, eventMetadata(req));
  }
}
