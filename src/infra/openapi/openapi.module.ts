import { Module } from '@nestjs/common';
import { DocsController } from './docs.controller';
import { OpenApiController } from './openapi.controller';
import { OpenApiGenerator } from './openapi-generator';

/** The OpenAPI document at /api/v1/openapi.json and the page that renders it at /docs. */
@Module({
  controllers: [OpenApiController, DocsController],
  providers: [OpenApiGenerator],
  exports: [OpenApiGenerator],
})
export class OpenApiModule {}
