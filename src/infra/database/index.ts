export * from './catalog-database';
export * from './database.errors';
export * from './database.module';
export * from './shard-registry';
export * from './uuid7';
