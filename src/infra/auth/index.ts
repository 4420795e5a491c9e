export * from './access-token';
export * from './auth.errors';
export * from './auth.guard';
export * from './auth.module';
export * from './password-hasher';
export * from './permissions';
export * from './principal-loader';
export * from './rate-limit.guard';
