// Hooks and tests of the e2e projects: see jest.config.js.
jest.setTimeout(60_000);
