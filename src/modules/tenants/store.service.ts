import { Injectable } from '@nestjs/common';
import { uuid7 } from '../../infra/database/uuid7';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { StoreCreateDto } from './dto/store-create.dto';
import type { StoreUpdateDto } from './dto/store-update.dto';
import type { Store } from './entities';
import { type StoreUse, StoreRepository } from './store.repository';
import { TenantsError, TenantsErrorCode } from './tenants.errors';
import { TenantService } from './tenant.service';

function inUse(use: StoreUse): TenantsError {
  const detail =
    use.kind === 'stock'
      ? 'This store has stock history (levels, batches, movements or documents), which the books keep: it cannot be deleted. Keep it, renamed if it has closed.'
      : !('count' in use)
        ? `This store has ${use.kind}, which the books keep: it cannot be deleted. Keep it, renamed if it has closed.`
      : use.kind === 'employees'
        ? `${use.count} employee(s) work in this store: take it out of their stores (PATCH /api/v1/employees/<id>/relationships/stores), then delete it.`
        : `${use.count} device token(s) are bound to this store: revoke them (DELETE /api/v1/device-tokens/<id>), then delete it.`;
  return new TenantsError(TenantsErrorCode.StoreInUse, detail);
}

/** The `stores` resource. The JSON:API layer checks existence and opens the transaction. */
@Injectable()
export class StoreService implements ResourceHandler<Store> {
  constructor(
    private readonly stores: StoreRepository,
    private readonly tenants: TenantService,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Store>> {
    return this.stores.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Store[]> {
    return this.stores.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes }: ResourceInput<StoreCreateDto>): Promise<Store> {
    const now = new Date();
    return this.stores.insert(ctx, {
      id: id ?? uuid7(),
      name: attributes.name.trim(),
      address: attributes.address ?? null,
      timeZone: attributes.timeZone ?? (await this.tenants.current(ctx)).timeZone,
      createdAt: now,
      updatedAt: now,
    });
  }

  async update(ctx: RequestContext, id: string, { attributes }: ResourceInput<StoreUpdateDto>): Promise<Store> {
    await this.stores.update(ctx, id, {
      ...(attributes.name !== undefined && { name: attributes.name.trim() }),
      ...(attributes.address !== undefined && { address: attributes.address }),
      ...(attributes.timeZone !== undefined && { timeZone: attributes.timeZone }),
      updatedAt: new Date(),
    });
    const [store] = await this.stores.findByIds(ctx, [id]);
    return store;
  }

  /** Only a store nothing refers to: its stock history, employees' `stores` and devices would name a store that is gone. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.stores.lockForChange(ctx, id);
    const use = await this.stores.usage(ctx, id);
    if (use) throw inUse(use);
    await this.stores.delete(ctx, id);
  }
}
