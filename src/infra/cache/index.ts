export * from './cache.module';
export * from './rate-limiter';
export * from './redis-connection';
