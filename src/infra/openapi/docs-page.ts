import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OPENAPI_PATH } from './hand-made-routes';

export const DOCS_PATH = '/docs';
export const DOCS_ASSETS_PATH = `${DOCS_PATH}/assets`;

/**
 * Swagger UI renders the document, from `swagger-ui-dist` in node_modules: plain
 * static files, so the page needs no network beyond this server. Only the
 * files the page loads are served; nothing else of node_modules is reachable.
 */
const VENDOR_FILES = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
} as const;

/** Our own start-up script: a file rather than inline, so the page's CSP can forbid inline scripts. */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_PATH)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    layout: 'BaseLayout',
    presets: [SwaggerUIBundle.presets.apis],
    defaultModelsExpandDepth: 0,
  });
});
`;

export const DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Bloomdesk API</title>
    <link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
    <link rel="icon" type="image/png" href="${DOCS_ASSETS_PATH}/favicon-32x32.png">
    <style>body { margin: 0; background: #fafafa; }</style>
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_ASSETS_PATH}/docs-init.js"></script>
  </body>
</html>
`;

/**
 * Nothing leaves this server: scripts and fetches only from here (Swagger UI
 * draws its icons as data: URIs and sets inline styles).
 */
export const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface DocsAsset {
  contentType: string;
  body: Buffer | string;
}

const vendorDir = () => dirname(require.resolve('swagger-ui-dist/package.json'));
const cache = new Map<string, DocsAsset>();

/** An asset of the page by file name, read once; undefined for any other name. */
export function docsAsset(file: string): DocsAsset | undefined {
  if (file === 'docs-init.js') return { contentType: 'text/javascript; charset=utf-8', body: INIT_SCRIPT };
  if (!Object.hasOwn(VENDOR_FILES, file)) return undefined;
  let asset = cache.get(file);
  if (!asset) {
    asset = { contentType: VENDOR_FILES[file as keyof typeof VENDOR_FILES], body: readFileSync(join(vendorDir(), file)) };
    cache.set(file, asset);
  }
  return asset;
}
