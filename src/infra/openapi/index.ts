export * from './openapi-generator';
export * from './openapi.module';
export { OPENAPI_PATH } from './hand-made-routes';
export { DOCS_PATH } from './docs-page';
