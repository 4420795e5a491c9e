import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { StartupError, failureReason } from './infra/database/database.errors';
import { DemoSeed } from './modules/tenants';

const EX_UNAVAILABLE = 69;
const EX_CONFIG = 78;

/** Why the server cannot start, as the one line an operator reads, then the exit. */
function refuse(reason: string, exitCode: number): never {
  process.stderr.write(`bloomdesk: cannot start: ${reason}\n`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    refuse(error.message, EX_CONFIG);
  }
  const app = await createApp(config);
  const demo = await app.get(DemoSeed).ensure();
  const { host, port } = config.http;
  try {
    await app.listen({ host, port });
  } catch (error) {
    // A host that does not resolve here, an address in use or not ours: name the variables, not a stack.
    const { code, message } = error as NodeJS.ErrnoException;
    await app.close().catch(() => undefined);
    refuse(`cannot listen on HOST=${host} PORT=${port} (${code ?? message.split('\n')[0]})`, EX_CONFIG);
  }
  // The port actually bound: PORT=0 asks the system for a free one.
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${(app.getHttpServer().address() as AddressInfo).port}`;
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

main().catch((error: unknown) => {
  // The catalog unreachable, a damaged database file: a stack trace says nothing to an operator and may quote what it should not.
  const what = error instanceof StartupError ? error.message : `${error instanceof Error ? error.name : 'error'} while starting: ${failureReason(error)}`;
  refuse(what, EX_UNAVAILABLE);
});
