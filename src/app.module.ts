import type { Writable } from 'node:stream';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { AuthGuard } from './infra/auth/auth.guard';
import { AuthModule } from './infra/auth/auth.module';
import { RateLimitGuard } from './infra/auth/rate-limit.guard';
import { CacheModule } from './infra/cache/cache.module';
import { DatabaseModule } from './infra/database/database.module';
import { JsonApiModule } from './infra/json-api/json-api.module';
import { LoggingModule } from './infra/observability/logging';
import { ObservabilityModule } from './infra/observability/observability.module';
import { OpenApiModule } from './infra/openapi/openapi.module';
import { InventoryModule } from './modules/inventory/inventory.module';
import { SalesModule } from './modules/sales/sales.module';
import { IntegrationSecretsModule, KeyRotationModule, SecretsModule } from './modules/secrets';
import { TenantsModule } from './modules/tenants';

/** Feature modules are listed here (where `nest g module` adds them); infrastructure comes with the configuration. */
@Module({
  imports: [TenantsModule, InventoryModule, SalesModule, IntegrationSecretsModule, KeyRotationModule],
})
export class AppModule {
  /** `logStream` replaces stdout for the logs (tests read them back). */
  static forRoot(config: AppConfig, logStream?: Writable): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, logStream),
        DatabaseModule,
        CacheModule,
        SecretsModule,
        AuthModule,
        JsonApiModule,
        ObservabilityModule,
        OpenApiModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}
