import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/permissions';
import { OPENAPI_PATH } from './hand-made-routes';
import { OpenApiGenerator } from './openapi-generator';

/**
 * `GET /api/v1/openapi.json`, public. Plain `application/json` rather than
 * `application/vnd.oai.openapi+json`: browsers show it, and every OpenAPI tool
 * reads it. The JSON:API content negotiation hook leaves this one path alone,
 * so `Accept: application/json` is served.
 */
@Controller()
export class OpenApiController {
  constructor(private readonly generator: OpenApiGenerator) {}

  @Get(OPENAPI_PATH.slice(1))
  @Public()
  @Header('content-type', 'application/json; charset=utf-8')
  @Header('cache-control', 'no-cache')
  document(): string {
    return this.generator.serialized();
  }
}
