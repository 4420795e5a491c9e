// What one transit decrypt call costs OpenBao and the client, apart from the
// application: an OpenBao dev server of its own, one call at a time, CPU time from
// /proc (OpenBao) and process.cpuUsage (this process). A derived key (the PII key,
// one key per tenant context) against one that is not, 149 values a call (a page of
// the encryption benchmark) against 1 (the per-request part).
//
//   node_modules/.bin/node -r ts-node/register/transpile-only bench/encryption-vault-cost.ts
import { readdirSync, readFileSync } from 'node:fs';
import { startOpenBao } from '../test/support/own-openbao';
import { VaultTransitClient } from '../src/modules/secrets/vault-transit.client';
import type { VaultConfig } from '../src/config/app-config';
import { print } from './lib/report';

const TICKS_PER_SECOND = 100;

function openBaoCpuSeconds(port: number): number {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`-dev-listen-address=127.0.0.1:${port}`)) continue;
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('the OpenBao process was not found');
}

async function main(): Promise<void> {
  const bao = await startOpenBao({ persistent: false });
  try {
    const port = Number(new URL(bao.addr).port);
    await bao.api('POST', 'transit/keys/bench-not-derived', { type: 'aes256-gcm96' });
    const config = { addr: bao.addr, transitMount: 'transit', timeoutMs: 10_000 } as VaultConfig;
    const client = new VaultTransitClient(config, { token: async () => bao.rootToken, recoverFromDenied: async () => false });
    const context = Buffer.from('0190a1b2-0000-7000-8000-0000000000aa').toString('base64');
    const values = Array.from({ length: 149 }, (_, i) => Buffer.from(`+7 916 ${1000000 + i} florist-${i}@example.com`).toString('base64'));
    for (const [label, key, derived] of [['derived key', 'bloomdesk-pii', true], ['key not derived', 'bench-not-derived', false]] as const) {
      const sealed = await client.encrypt(key, values.map((plaintext) => ({ plaintext, ...(derived && { context }) })));
      const items = sealed.map((ciphertext) => ({ ciphertext, ...(derived && { context }) }));
      for (let i = 0; i < 20; i++) await client.decrypt(key, items);
      for (const [size, calls] of [[149, 300], [1, 1500]] as const) {
        const bao0 = openBaoCpuSeconds(port);
        const own0 = process.cpuUsage();
        const started = Date.now();
        for (let i = 0; i < calls; i++) await client.decrypt(key, items.slice(0, size));
        const own = process.cpuUsage(own0);
        const baoMs = ((openBaoCpuSeconds(port) - bao0) * 1000) / calls;
        print(
          `${label}, ${size} value(s) a call: ${((Date.now() - started) / calls).toFixed(2)} ms a call, ` +
            `OpenBao CPU ${baoMs.toFixed(2)} ms a call, client CPU ${((own.user + own.system) / 1000 / calls).toFixed(2)} ms a call`,
        );
      }
    }
    await client.onModuleDestroy();
  } finally {
    await bao.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
