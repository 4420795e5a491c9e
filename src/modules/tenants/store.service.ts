import { Injectable } from '@nestjs/common';
import { isDuplicateKey } from '../../infra/database/database.errors';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { uuid7 } from '../../infra/database/uuid7';
import type { Page } from '../../infra/json-api/pagination';
import type { ParsedResource } from '../../infra/json-api/resource-document';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { StoreCreateDto } from './dto/store-create.dto';
import type { StoreUpdateDto } from './dto/store-update.dto';
import type { Store } from './entities';
import { StoreRepository } from './store.repository';
import { TenantService } from './tenant.service';
import { TenantsError, TenantsErrorCode } from './tenants.errors';

const notFound = (id: string) =>
  new TenantsError(TenantsErrorCode.StoreNotFound, `No store with id ${id}.`);

@Injectable()
export class StoreService {
  constructor(
    private readonly stores: StoreRepository,
    private readonly shards: ShardRegistry,
    private readonly tenants: TenantService,
  ) {}

  list(ctx: RequestContext, query: ResourceQuery): Promise<Page<Store>> {
    return this.stores.findPage(ctx, query);
  }

  async get(ctx: RequestContext, id: string): Promise<Store> {
    return (await this.stores.findById(ctx, id)) ?? Promise.reject(notFound(id));
  }

  async create(ctx: RequestContext, { id, attributes }: ParsedResource<StoreCreateDto>): Promise<Store> {
    const now = new Date();
    const timeZone = attributes.timeZone ?? (await this.tenants.current(ctx)).timeZone;
    try {
      return await this.shards.transaction(ctx, (em) =>
        this.stores.insert(em, ctx, {
          id: id ?? uuid7(),
          name: attributes.name.trim(),
          address: attributes.address ?? null,
          timeZone,
          createdAt: now,
          updatedAt: now,
        }),
      );
    } catch (error) {
      if (id && isDuplicateKey(error)) {
        throw new TenantsError(TenantsErrorCode.StoreIdTaken, 'A resource with this id already exists.', { pointer: '/data/id' });
      }
      throw error;
    }
  }

  async update(ctx: RequestContext, id: string, { attributes }: ParsedResource<StoreUpdateDto>): Promise<Store> {
    return this.shards.transaction(ctx, async (em) => {
      const changes = {
        ...(attributes.name !== undefined && { name: attributes.name.trim() }),
        ...(attributes.address !== undefined && { address: attributes.address }),
        ...(attributes.timeZone !== undefined && { timeZone: attributes.timeZone }),
        updatedAt: new Date(),
      };
      if (!(await this.stores.update(em, ctx, id, changes))) throw notFound(id);
      return (await this.stores.findById(ctx, id, em))!;
    });
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    const deleted = await this.shards.transaction(ctx, (em) => this.stores.delete(em, ctx, id));
    if (!deleted) throw notFound(id);
  }
}
