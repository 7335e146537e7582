import { Controller, Get } from '@nestjs/common';
import { openApiDocument } from './openapi.js';

@Controller('api/docs')
export class DocsController {
  @Get()
  document() {
    return openApiDocument;
  }
}
