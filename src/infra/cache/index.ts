export * from './cache.module';
export * from './cache-keys';
export * from './cache-versions';
export * from './cached-read';
export * from './rate-limiter';
export * from './redis-connection';
export * from './version-outbox';
export * from './version-store';
