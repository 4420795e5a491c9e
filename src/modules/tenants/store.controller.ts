import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { Permission, RequirePermission } from '../../infra/auth/permissions';
import { BodyOf, QueryOf, Respond } from '../../infra/json-api/decorators';
import type { ParsedResource } from '../../infra/json-api/resource-document';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import { Ctx } from '../../infra/tenancy/ctx.decorator';
import { UuidParam } from '../../infra/json-api/uuid-param.pipe';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { StoreCreateDto } from './dto/store-create.dto';
import { StoreUpdateDto } from './dto/store-update.dto';
import { StoreService } from './store.service';
import { storeResource } from './store.resource';

@Controller('api/v1/stores')
export class StoreController {
  constructor(private readonly stores: StoreService) {}

  @Get()
  @RequirePermission(Permission.StoresRead)
  @Respond(storeResource, 'collection')
  list(@Ctx() ctx: RequestContext, @QueryOf([storeResource, 'collection']) query: ResourceQuery) {
    return this.stores.list(ctx, query);
  }

  @Get(':id')
  @RequirePermission(Permission.StoresRead)
  @Respond(storeResource, 'single')
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string, @QueryOf([storeResource, 'single']) _query: ResourceQuery) {
    return this.stores.get(ctx, id);
  }

  @Post()
  @HttpCode(201)
  @RequirePermission(Permission.StoresCreate)
  @Respond(storeResource, 'created')
  create(@Ctx() ctx: RequestContext, @BodyOf([storeResource, StoreCreateDto, 'create']) body: ParsedResource<StoreCreateDto>) {
    return this.stores.create(ctx, body);
  }

  @Patch(':id')
  @RequirePermission(Permission.StoresUpdate)
  @Respond(storeResource, 'single')
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @BodyOf([storeResource, StoreUpdateDto, 'update']) body: ParsedResource<StoreUpdateDto>,
  ) {
    return this.stores.update(ctx, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission(Permission.StoresDelete)
  @Respond(null, 'empty')
  remove(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string) {
    return this.stores.remove(ctx, id);
  }
}
