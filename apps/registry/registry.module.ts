import { Module, type DynamicModule } from '@nestjs/common';
import { FORMAT_SERVICES, type FormatPlugin, type FormatServices } from '../../libs/format-kit/index.js';
import { DocsController } from './admin/docs.controller.js';
import { EventsController } from './admin/events.controller.js';
import { ExportsController } from './admin/exports.controller.js';
import { HistoryController } from './admin/history.controller.js';
import { PromotionsController } from './admin/promotions.controller.js';
import { HealthController } from './admin/health.controller.js';
import { OperationsController } from './admin/operations.controller.js';
import { OciAdminController } from './admin/oci.controller.js';
import { YankController } from './admin/yank.controller.js';
import { RepositoriesController } from './admin/repositories.controller.js';
import { RegistryServices } from './registry-services.js';
import { AuthController } from './admin/identity/auth.controller.js';
import { GroupsController } from './admin/identity/groups.controller.js';
import { GlobalPermissionsController, RepositoryPermissionsController } from './admin/identity/permissions.controller.js';
import { TokensController } from './admin/identity/tokens.controller.js';
import { UsersController } from './admin/identity/users.controller.js';
import { OidcController } from './admin/identity/oidc.controller.js';
import { SamlController } from './admin/identity/saml.controller.js';

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
      controllers: [
        HealthController, DocsController, YankController, OciAdminController, HistoryController, RepositoriesController, EventsController, OperationsController, PromotionsController, ExportsController,
        AuthController, UsersController, GroupsController, RepositoryPermissionsController, GlobalPermissionsController, TokensController, OidcController, SamlController,
      ],
    };
  }
}
