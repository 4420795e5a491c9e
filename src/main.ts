import 'reflect-metadata';
import { createApp } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { DemoSeed } from './modules/tenants';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`bloomdesk: cannot start: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const app = await createApp(config);
  const demo = await app.get(DemoSeed).ensure();
  await app.listen({ host: config.http.host, port: config.http.port });
  const url = `http://${config.http.host}:${config.http.port}`;
  const lines = [`Bloomdesk is serving at ${url} (profile: ${config.profile})`];
  if (demo) {
    lines.push(
      `Demo shop: log in with e-mail ${demo.email} and password ${demo.password}:`,
      `  curl -s ${url}/api/v1/sessions -H 'content-type: application/vnd.api+json' \\`,
      `    -d '{"data":{"type":"sessions","attributes":{"email":"${demo.email}","password":"${demo.password}"}}}'`,
    );
  }
  // Printed, not logged: the banner is for the person at the terminal, not for log shipping.
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

void main();
