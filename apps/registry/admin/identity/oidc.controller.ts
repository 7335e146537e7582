// PLACEHOLDER (being implemented): OIDC sign-in routes.
import { Controller, Inject } from '@nestjs/common';
import { RegistryServices } from '../../registry-services.js';
@Controller('api/v1/auth/oidc')
export class OidcController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}
}
