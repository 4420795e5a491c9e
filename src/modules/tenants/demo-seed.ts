import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { uuid7 } from '../../infra/database/uuid7';
import { Store } from './entities';
import { SignupService } from './signup.service';
import { TenantRepository } from './tenant.repository';

/** Known on purpose: the demo exists only on the embedded profile, which refuses to run in production. */
export const DEMO_LOGIN = { email: 'demo@bloomdesk.local', password: 'bloomdesk-demo' } as const;

/**
 * On the embedded profile, a fresh database gets a demo shop with two stores,
 * so the front end has something to log in to.
 */
@Injectable()
export class DemoSeed {
  private readonly logger = new Logger(DemoSeed.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenants: TenantRepository,
    private readonly signups: SignupService,
    private readonly shards: ShardRegistry,
  ) {}

  /** Returns the demo login when the demo tenant exists (created now or earlier), else null. */
  async ensure(): Promise<typeof DEMO_LOGIN | null> {
    if (this.config.profile !== 'embedded' || !this.config.seedDemo) return null;
    if ((await this.tenants.count()) > 0) return DEMO_LOGIN;
    const tenant = await this.signups.signup({
      tenantName: 'Demo Flowers',
      ownerName: 'Demo Owner',
      email: DEMO_LOGIN.email,
      password: DEMO_LOGIN.password,
      currency: 'RUB',
      timeZone: 'Europe/Moscow',
    });
    const now = new Date();
    const stores = ['Demo Flowers — Arbat', 'Demo Flowers — Station kiosk'].map((name) => ({
      tenantId: tenant.id,
      id: uuid7(),
      name,
      address: null,
      timeZone: tenant.timeZone,
      createdAt: now,
      updatedAt: now,
    }));
    await (await this.shards.manager({ shardId: tenant.shardId })).insert(Store, stores);
    this.logger.log('seeded the demo tenant');
    return DEMO_LOGIN;
  }
}
