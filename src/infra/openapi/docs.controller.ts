import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/permissions';
import { JsonApiError, JsonApiErrorCode } from '../json-api/json-api.errors';
import { DOCS_ASSETS_PATH, DOCS_CSP, DOCS_HTML, DOCS_PATH, docsAsset } from './docs-page';

/** `GET /docs`: the API documentation, rendered in the browser from the OpenAPI document. Public. */
@Controller(DOCS_PATH.slice(1))
export class DocsController {
  @Get()
  @Public()
  page(@Res() reply: FastifyReply): void {
    void reply.type('text/html; charset=utf-8').header('content-security-policy', DOCS_CSP).header('cache-control', 'no-cache').send(DOCS_HTML);
  }

  @Get(`${DOCS_ASSETS_PATH.slice(DOCS_PATH.length + 1)}/:file`)
  @Public()
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const asset = docsAsset(file);
    if (!asset) throw new JsonApiError(JsonApiErrorCode.RouteNotFound, 'No such file.');
    void reply.type(asset.contentType).header('cache-control', 'public, max-age=3600').send(asset.body);
  }
}
