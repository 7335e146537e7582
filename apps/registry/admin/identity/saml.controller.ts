// PLACEHOLDER (being implemented): SAML sign-in routes.
import { Controller, Inject } from '@nestjs/common';
import { RegistryServices } from '../../registry-services.js';
@Controller('api/v1/auth/saml')
export class SamlController {
  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {}
}
