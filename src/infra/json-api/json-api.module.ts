import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ActionEndpoint } from './action-endpoint';
import { AtomicOperationsController, AtomicOperationsProcessor } from './atomic-operations';
import { IdempotencyPurge } from './idempotency-purge';
import { JsonApiExceptionFilter } from './json-api-exception.filter';
import { ResourceEngine } from './resource-engine';
import { ResourceExporter } from './resource-export';
import { ResourceRegistry } from './resource-registry';
import { JsonApiSerializer } from './serializer';
import { SensitiveFields } from './sensitive-fields';
import { WriteGate } from './write-gate';

@Global()
@Module({
  controllers: [AtomicOperationsController],
  providers: [
    JsonApiSerializer,
    ActionEndpoint,
    ResourceRegistry,
    ResourceEngine,
    ResourceExporter,
    WriteGate,
    SensitiveFields,
    AtomicOperationsProcessor,
    IdempotencyPurge,
    { provide: APP_FILTER, useClass: JsonApiExceptionFilter },
  ],
  exports: [JsonApiSerializer, ActionEndpoint, ResourceRegistry, ResourceEngine, ResourceExporter, WriteGate],
})
export class JsonApiModule {}
