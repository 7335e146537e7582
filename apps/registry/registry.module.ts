import { Module, type DynamicModule } from '@nestjs/common';
import { FORMAT_SERVICES, type FormatPlugin, type FormatServices } from '../../libs/format-kit/index.js';
import { DocsController } from './admin/docs.controller.js';
import { EventsController } from './admin/events.controller.js';
import { HealthController } from './admin/health.controller.js';
import { OperationsController } from './admin/operations.controller.js';
import { RepositoriesController } from './admin/repositories.controller.js';
import { RegistryServices } from './registry-services.js';

@Module({})
export class RegistryModule {
  static forRoot(services: RegistryServices, formatServices: FormatServices, formats: readonly FormatPlugin[]): DynamicModule {
    const shared = {
      module: class SharedServicesModule {},
      global: true,
      providers: [
        { provide: RegistryServices, useValue: services },
        { provide: FORMAT_SERVICES, useValue: formatServices },
      ],
      exports: [RegistryServices, FORMAT_SERVICES],
    } satisfies DynamicModule;
    return {
      module: RegistryModule,
      imports: [shared, ...formats.map((f) => f.module)],
      controllers: [HealthController, DocsController, RepositoriesController, EventsController, OperationsController],
    };
  }
}
