import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { JsonApiExceptionFilter } from './json-api-exception.filter';
import { JsonApiResponseInterceptor } from './json-api.interceptor';
import { JsonApiSerializer } from './serializer';

@Global()
@Module({
  providers: [
    JsonApiSerializer,
    { provide: APP_INTERCEPTOR, useClass: JsonApiResponseInterceptor },
    { provide: APP_FILTER, useClass: JsonApiExceptionFilter },
  ],
  exports: [JsonApiSerializer],
})
export class JsonApiModule {}
