import { Controller, Get, Header, HttpCode, Inject, Post, Redirect, Req } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '../../../../libs/domain/index.js';
import { eventMetadata, readSmallForm } from '../../../../libs/format-kit/index.js';
import { SamlServiceProvider } from '../../../../libs/auth/saml/saml-service-provider.js';
import { SqlSamlRequestStore } from '../../../../libs/auth/saml/saml-request-store.js';
import { RegistryServices } from '../../registry-services.js';

/** A SAMLResponse is a few KiB to a few hundred (large group lists); anything past this is not one. */
const MAX_FORM_BYTES = 1024 * 1024;

/**
 * SAML 2.0 sign-in: /api/v1/auth/saml (Strata is the service provider of the Web Browser SSO
 * profile, SAML 2.0 profiles 4.1). Every route answers 404 while SAML is not configured.
 */
@Controller('api/v1/auth/saml')
export class SamlController {
  private readonly sp?: SamlServiceProvider;

  constructor(@Inject(RegistryServices) private readonly s: RegistryServices) {
    const config = s.config.saml;
    const log = s.logger.child({ component: 'saml' });
    if (config) this.sp = new SamlServiceProvider(config, new SqlSamlRequestStore(s.infra.sql), (reason) => log.warn({ reason }, 'SAML response refused'));
  }

  /** Our SP metadata (SAML 2.0 metadata 2.4.4), for registering Strata at the IdP. */
  @Get('metadata')
  @Header('content-type', 'application/samlmetadata+xml; charset=utf-8')
  metadata(): string {
    return this.provider().metadata();
  }

  /**
   * Starts SP-initiated sign-in: a 302 to the IdP with an AuthnRequest (core 3.4.1) in the
   * HTTP-Redirect binding (bindings 3.4); its id is stored for the InResponseTo check.
   */
  @Get('login')
  @Header('cache-control', 'no-store')
  @Redirect()
  async login() {
    return { url: await this.provider().loginUrl(), statusCode: 302 };
  }

  /**
   * Assertion consumer service: the IdP's Response arrives through the browser in the HTTP-POST
   * binding (bindings 3.5.4: a form field SAMLResponse, base64). Answers session tokens.
   */
  @Post('acs')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async acs(@Req() req: Request) {
    const sp = this.provider();
    const form = await readSmallForm(req, MAX_FORM_BYTES, 'the SAML HTTP-POST binding form');
    const samlResponse = form.get('SAMLResponse');
    if (!samlResponse) throw new DomainError('BAD_REQUEST', 'the form field SAMLResponse is required');
    const identity = await sp.verify(samlResponse);
    return this.s.identity.signIn.external(identity, eventMetadata(req));
  }

  private provider(): SamlServiceProvider {
    if (!this.sp) throw new DomainError('NOT_FOUND', 'SAML sign-in is not configured');
    return this.sp;
  }
}

