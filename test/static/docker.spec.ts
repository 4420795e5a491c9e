import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';

// Static checks of what docker/ ships (no Docker engine is needed): the compose
// file, the Dockerfile, the Vault/OpenBao init script and policies, and the
// syntax of every shell script under docker/ and scripts/.

const ROOT = resolve(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface Healthcheck {
  test?: string | string[];
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { source?: string; target?: string })[];
  cap_add?: string[];
  mem_limit?: string | number;
  memswap_limit?: string | number;
  healthcheck?: Healthcheck;
  depends_on?: string[] | Record<string, { condition?: string }>;
  logging?: { driver?: string };
  profiles?: string[];
  ports?: (string | number | object)[];
}
interface Compose {
  services: Record<string, Service>;
}

const compose = parse(read('docker/docker-compose.yml')) as Compose;
const service = (name: string): Service => compose.services[name] ?? {};

function environment(svc: Service): Record<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value == null ? '' : String(value)]));
}

const words = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : value.split(/\s+/);

const VAULT_IMAGE = /^(docker\.io\/|quay\.io\/|ghcr\.io\/)?(openbao\/openbao|hashicorp\/vault):\d+\.\d+\.\d+$/;

// What the services profile reads (src/config/app-config.ts, SERVICE_VARIABLES,
// which is not exported); Vault auth is AppRole or a token.
const SERVICE_VARIABLES = ['CATALOG_DATABASE_URL', 'SHARD_DATABASE_URLS', 'REDIS_URL', 'VAULT_ADDR', 'AUTH_TOKEN_SECRET'];

/** The value is only a reference to the .env (`${NAME}`, `${NAME:-}`, `${NAME:?message}`). */
const isReference = (value: string): boolean => /^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$/.test(value);

describe('docker compose file', () => {
  it('defines the five services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'mysql', 'redis', 'vault', 'vault-init']);
  });

  it('pins the images', () => {
    expect(service('mysql').image).toBe('mysql:8.4');
    expect(service('redis').image).toMatch(/^redis:7(\.\d+){0,2}$/);
    expect(service('vault').image).toMatch(VAULT_IMAGE);
    expect(service('vault-init').image).toBe(service('vault').image);
  });

  it('runs vault in server mode from config.hcl, never in dev mode', () => {
    const vault = service('vault');
    expect(words(vault.command)[0]).toBe('server');
    expect(words(vault.command).some((word) => word.startsWith('-dev'))).toBe(false);
    expect(Object.keys(environment(vault)).filter((key) => /DEV/.test(key))).toEqual([]);
    expect(vault.volumes?.map(String)).toContain('./vault/config.hcl:/openbao/config/config.hcl:ro');
    expect(vault.volumes?.map(String).some((volume) => /^vault-data:/.test(volume))).toBe(true);
  });

  it('keeps vault memory out of swap: IPC_LOCK (for mlock) and a container without swap', () => {
    const vault = service('vault');
    expect(vault.cap_add).toContain('IPC_LOCK');
    // OpenBao dropped mlock, so IPC_LOCK alone would protect nothing there: no swap at all does.
    expect(vault.mem_limit).toBeDefined();
    expect(vault.memswap_limit).toBe(vault.mem_limit);
  });

  it('runs vault-init only on demand, with no log and nothing writable mounted', () => {
    const init = service('vault-init');
    expect(init.profiles?.length).toBeGreaterThan(0);
    expect(init.logging?.driver).toBe('none');
    expect(words(init.entrypoint).join(' ')).toMatch(/init\.sh$/);
    for (const volume of init.volumes ?? []) expect(String(volume)).toMatch(/:ro$/);
  });

  it('builds the app from docker/Dockerfile', () => {
    const build = service('app').build;
    expect(typeof build === 'object' ? build.dockerfile : undefined).toBe('docker/Dockerfile');
    expect(typeof build === 'object' ? build.context : undefined).toBe('..');
  });

  it('gives the app every variable of the services profile', () => {
    const env = environment(service('app'));
    for (const variable of SERVICE_VARIABLES) expect(env[variable]).toBeTruthy();
    const approle = 'VAULT_ROLE_ID' in env && 'VAULT_SECRET_ID' in env;
    expect(approle || 'VAULT_TOKEN' in env).toBe(true);
    expect(env.CATALOG_DATABASE_URL).toMatch(/^mysql:\/\/[^\s/]+@mysql:3306\/bloomdesk_catalog$/);
    expect(env.SHARD_DATABASE_URLS.split(',').map((pair) => pair.split('=')[0])).toEqual(['s1', 's2']);
    expect(env.HOST).toBe('0.0.0.0');
    expect(env.NODE_ENV).toBe('production');
  });

  it('writes no secret: passwords, tokens and secret ids come from the .env', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(environment(svc))) {
        if (/PASSWORD|SECRET|TOKEN|ROLE_ID/.test(key)) expect([name, key, isReference(value)]).toEqual([name, key, true]);
        // The password part of a URL.
        for (const [, password] of value.matchAll(/:\/\/[^:/@\s]+:([^@\s]*)@/g)) {
          expect([name, key, isReference(password)]).toEqual([name, key, true]);
        }
      }
    }
  });

  it('has a healthcheck on every long-running service, and the app waits for them', () => {
    for (const name of ['mysql', 'redis', 'vault', 'app']) {
      expect([name, words(service(name).healthcheck?.test).length > 1]).toEqual([name, true]);
    }
    expect(service('app').depends_on).toEqual({
      mysql: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      vault: { condition: 'service_healthy' },
    });
  });

  it('publishes no port but the app', () => {
    for (const name of ['mysql', 'redis', 'vault', 'vault-init']) expect([name, service(name).ports]).toEqual([name, undefined]);
  });
});

describe('docker/mysql/init.sql', () => {
  const sql = read('docker/mysql/init.sql');

  it('creates the three databases and grants the app user those only', () => {
    for (const db of ['bloomdesk_catalog', 'bloomdesk_shard_1', 'bloomdesk_shard_2']) {
      expect(sql).toMatch(new RegExp(`CREATE DATABASE IF NOT EXISTS ${db}\\b`));
      expect(sql).toMatch(new RegExp(`GRANT [A-Z ,]+ ON ${db}\\.\\* TO 'bloomdesk'@'%'`));
    }
    expect(sql).not.toMatch(/ON \*\.\*/);
    expect(sql).not.toMatch(/WITH GRANT OPTION/i);
    expect(sql).not.toMatch(/IDENTIFIED BY/i);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = read('docker/Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const args = Object.fromEntries(
    instructions.filter((line) => /^ARG \w+=/.test(line)).map((line) => line.slice(4).split('=') as [string, string]),
  );
  const stages: string[][] = [];
  for (const line of instructions) {
    if (/^FROM /i.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }
  const runtime = stages.at(-1) ?? [];
  const baseImage = (from: string): string =>
    from.split(/\s+/)[1].replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? name);

  it('is multi-stage on Node 24', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(baseImage(stage[0])).toMatch(/^node:24([.-]|$)/);
  });

  it('builds with npm ci and npm run build', () => {
    const build = stages[0].join('\n');
    expect(build).toMatch(/^RUN npm ci\b/m);
    expect(build).toMatch(/^RUN npm run build\b/m);
  });

  it('installs production dependencies only in the runtime stage', () => {
    expect(runtime.some((line) => /^RUN npm ci\b.*--omit=dev/.test(line))).toBe(true);
    expect(runtime.some((line) => /^COPY --from=\w+ \/app\/dist/.test(line))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const users = runtime.filter((line) => /^USER /.test(line));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER (root|0)(:|$)/);
  });

  it('runs dist/main.js in production on 0.0.0.0:3000 with a healthcheck', () => {
    expect(runtime).toContain('CMD ["node", "dist/main.js"]');
    expect(runtime.join('\n')).toMatch(/^ENV .*NODE_ENV=production/m);
    expect(runtime.join('\n')).toMatch(/^ENV .*HOST=0\.0\.0\.0/m);
    expect(runtime).toContain('EXPOSE 3000');
    expect(runtime.some((line) => /^HEALTHCHECK .*\/health/.test(line))).toBe(true);
  });

  it('has a .dockerignore that keeps secrets and build output out of the context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    for (const entry of ['node_modules', 'dist', 'data', '.git', 'coverage', 'bench/results', '**/.env']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('docker/vault/init.sh', () => {
  const script = read('docker/vault/init.sh');
  // Code only: comments and the text of quoted strings removed.
  const code = script
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/'[^'\n]*'/g, "''")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""');

  it('initialises with 3 key shares and a threshold of 2', () => {
    const inits = script.split('\n').filter((line) => /operator init\b(?!.*-status)/.test(line));
    expect(inits.length).toBeGreaterThan(0);
    for (const line of inits) {
      expect(line).toContain('-key-shares=3');
      expect(line).toContain('-key-threshold=2');
    }
  });

  it('encrypts the shares to three PGP keys when they are given', () => {
    expect(script).toMatch(/operator init\b.*-pgp-keys=/);
  });

  it('never writes the init output to a file', () => {
    const redirections = [...code.matchAll(/\d*>>?\s*([^\s;|&)]+)/g)].map((match) => match[1]);
    for (const target of redirections) expect(target).toMatch(/^(\/dev\/null|&[12])$/);
    expect(code).not.toMatch(/\btee\b/);
  });

  it('refuses to initialise a server that is initialised', () => {
    expect(script).toMatch(/operator init -status/);
  });
});

describe('docker/vault policies', () => {
  type Block = { path: string; capabilities: string[] };
  const blocks = (file: string): Block[] =>
    [...read(file).matchAll(/^path\s+"([^"]+)"\s*\{([^}]*?capabilities\s*=\s*\[([^\]]*)\][^}]*)\}/gms)].map(
      ([, path, , caps]) => ({ path, capabilities: [...caps.matchAll(/"([^"]+)"/g)].map((m) => m[1]) }),
    );
  const app = blocks('docker/vault/bloomdesk-app.hcl');

  it('grants the app exactly its transit operations', () => {
    const transit = Object.fromEntries(app.filter((b) => b.path.startsWith('transit/')).map((b) => [b.path, b.capabilities]));
    expect(transit).toEqual({
      'transit/encrypt/bloomdesk-pii': ['update'],
      'transit/decrypt/bloomdesk-pii': ['update'],
      'transit/rewrap/bloomdesk-pii': ['update'],
      'transit/keys/bloomdesk-pii': ['read'],
      'transit/hmac/bloomdesk-blind-index': ['update'],
      'transit/hmac/bloomdesk-blind-index/*': ['update'],
    });
  });

  it('never lets the app delete, export, back up, rotate or reconfigure a key', () => {
    for (const { path, capabilities } of app) {
      expect(path).not.toMatch(/^transit\/(export|backup|restore|config|random|datakey)|^transit\/keys\/[^/]+\//);
      expect(path).not.toMatch(/^(sys|transit\/?\*|\*|\+)/);
      if (path.startsWith('transit/')) expect([path, capabilities]).toEqual([path, capabilities.filter((c) => c !== 'delete' && c !== 'sudo')]);
      expect(capabilities).not.toContain('sudo');
    }
  });

  it('scopes KV to the tenants path and the token to itself', () => {
    const others = app.filter((b) => !b.path.startsWith('transit/')).map((b) => b.path);
    expect(others.sort()).toEqual([
      'auth/token/lookup-self',
      'auth/token/renew-self',
      'secret/data/bloomdesk/tenants/*',
      'secret/metadata/bloomdesk/tenants/*',
    ]);
  });

  it('lets the rotator rotate the PII key and nothing on the blind-index key', () => {
    const rotator = blocks('docker/vault/bloomdesk-rotator.hcl').map((b) => b.path);
    expect(rotator).toContain('transit/keys/bloomdesk-pii/rotate');
    expect(rotator.filter((path) => path.includes('blind-index'))).toEqual([]);
  });
});

describe('docker/vault/config.hcl', () => {
  const config = read('docker/vault/config.hcl')
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');

  it('uses persistent storage, a listener on 0.0.0.0:8200 and no UI', () => {
    expect(config).toMatch(/^storage\s+"(raft|file)"/m);
    expect(config).toMatch(/address\s*=\s*"0\.0\.0\.0:8200"/);
    expect(config).toMatch(/^ui\s*=\s*false/m);
  });

  it('sets no disable_mlock = false, which OpenBao refuses to start with', () => {
    expect(config).not.toMatch(/disable_mlock\s*=\s*false/);
  });

  it('serves unauthenticated generate-root only on loopback', () => {
    const listeners = [...config.matchAll(/listener\s+"tcp"\s*\{([^}]*)\}/g)].map((m) => m[1]);
    for (const listener of listeners.filter((l) => /disable_unauthed_\w+\s*=\s*false/.test(l))) {
      expect(listener).toMatch(/address\s*=\s*"127\.0\.0\.1:\d+"/);
    }
  });
});

describe('shell scripts', () => {
  const scripts = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) return scripts(path);
      return name.endsWith('.sh') ? [path] : [];
    });
  const all = [...scripts('docker'), ...scripts('scripts')];

  it('exist', () => {
    expect(all).toEqual(expect.arrayContaining(['scripts/services.sh', join('docker', 'vault', 'init.sh')]));
  });

  it.each(all)('%s passes bash -n', (path) => {
    const result = spawnSync('bash', ['-n', join(ROOT, path)], { encoding: 'utf8' });
    expect([relative(ROOT, join(ROOT, path)), result.status, result.stderr]).toEqual([path, 0, '']);
  });

  it.each(all.filter((path) => read(path).startsWith('#!/bin/sh')))('%s (POSIX sh) passes sh -n', (path) => {
    const result = spawnSync('sh', ['-n', join(ROOT, path)], { encoding: 'utf8' });
    expect([path, result.status, result.stderr]).toEqual([path, 0, '']);
  });

  it('services.sh is strict', () => {
    expect(read('scripts/services.sh')).toMatch(/^set -euo pipefail$/m);
  });
});
