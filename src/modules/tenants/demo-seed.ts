import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { PasswordHasher } from '../../infra/auth/password-hasher';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { uuid7 } from '../../infra/database/uuid7';
import { normaliseEmail } from '../../infra/validation/normalise';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../secrets/encryption.provider';
import { Store } from './entities';
import { SignupService } from './signup.service';
import { TenantRepository } from './tenant.repository';
import { UserRepository } from './user.repository';

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
    private readonly users: UserRepository,
    private readonly passwords: PasswordHasher,
    @Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider,
  ) {}

  /**
   * Returns the demo login when it works (seeded now or earlier, password
   * unchanged), else null: the banner never prints a login that fails. A database
   * that already holds other shops but not the demo gets no demo added.
   */
  async ensure(): Promise<typeof DEMO_LOGIN | null> {
    if (this.config.profile !== 'embedded' || !this.config.seedDemo) return null;
    // Found as a login finds it: the blind index of the normalised e-mail.
    const [emailIndex] = await this.encryption.blindIndex('', [normaliseEmail(DEMO_LOGIN.email)]);
    const demo = await this.users.findByEmailIndex(emailIndex);
    if (demo) {
      const usable = demo.active && (await this.tenants.findById(demo.tenantId))?.status !== 'suspended';
      return usable && (await this.passwords.verify(DEMO_LOGIN.password, demo.passwordHash)) ? DEMO_LOGIN : null;
    }
    if ((await this.tenants.count()) > 0) return null;
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
