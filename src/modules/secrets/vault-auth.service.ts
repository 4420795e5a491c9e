import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { VaultConfig } from '../../config/app-config';
import type { VaultAuthApi } from './hashi-vault.client';
import { SecretsError } from './secrets.errors';
import { vaultSafeCall } from './vault-safe-call';
import type { VaultTokenSource } from './vault-token-source';

interface Lease {
  token: string;
  renewable: boolean;
  /** 0 for a token that never expires (a dev root token). */
  ttlSeconds: number;
  /** The TTL the token started with: a renewal granting much less means max TTL is near. */
  fullTtlSeconds: number;
  expiresAt: number;
}

/** Renew at two thirds of the TTL, leaving a third for retries. */
const RENEW_AT = 2 / 3;
const MIN_DELAY_MS = 1000;
const RETRY_DELAYS_MS = [1000, 5000, 15000, 60000];

type AuthResponse = { client_token?: unknown; lease_duration?: unknown; renewable?: unknown };
type LookupResponse = { ttl?: unknown; creation_ttl?: unknown; renewable?: unknown };

function detailOf(error: unknown): string {
  return error instanceof SecretsError ? error.detail : 'unexpected error';
}

/**
 * Holds the Vault token: AppRole login or a static token, renewed before it
 * expires, and (AppRole) replaced by a fresh login when renewal fails or the
 * token reaches its max TTL. Timers are unref'ed and cleared on module destroy.
 * Never logs a token, a role id or a secret id.
 */
export class VaultAuthService implements VaultTokenSource, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(VaultAuthService.name);
  private lease?: Lease;
  private login?: Promise<string>;
  private denial?: { token: string; recovered: Promise<boolean> };
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;
  private warnedMaxTtl = false;

  constructor(
    private readonly config: VaultConfig,
    private readonly api: VaultAuthApi,
  ) {}

  async onModuleInit(): Promise<void> {
    // Vault down at start must not stop the app: decryption answers 503 until it is back.
    try {
      await this.authenticate();
    } catch (error) {
      this.logger.error(`Vault login at start failed, retrying in the background: ${detailOf(error)}`);
      this.scheduleRetry();
    }
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  async token(): Promise<string> {
    const lease = this.lease;
    if (lease && (lease.expiresAt > Date.now() || this.config.auth.kind === 'token')) return lease.token;
    return this.authenticate();
  }

  async recoverFromDenied(rejected: string): Promise<boolean> {
    if (this.config.auth.kind !== 'approle') return false;
    if (this.lease && this.lease.token !== rejected) return true;
    // Concurrent 403s for one token share one check and at most one login.
    if (this.denial?.token !== rejected) {
      const recovered = this.replaceIfDead(rejected).finally(() => {
        if (this.denial?.recovered === recovered) this.denial = undefined;
      });
      this.denial = { token: rejected, recovered };
    }
    return this.denial.recovered;
  }

  /**
   * A 403 with a live token means the policy does not allow the call: logging in
   * again would not help, and doing it for every such request would flood Vault.
   */
  private async replaceIfDead(rejected: string): Promise<boolean> {
    try {
      await vaultSafeCall('token lookup', () => this.api.lookupSelfToken(rejected), [rejected]);
      return false;
    } catch (error) {
      if (!(error instanceof SecretsError) || error.meta?.status !== 403) throw error;
    }
    if (this.lease?.token === rejected) this.lease = undefined;
    await this.authenticate();
    return true;
  }

  /** Concurrent callers share one login. */
  private authenticate(): Promise<string> {
    this.login ??= this.obtain().finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  private async obtain(): Promise<string> {
    const auth = this.config.auth;
    const lease = auth.kind === 'approle' ? await this.loginWithAppRole(auth.roleId, auth.secretId) : await this.lookup(auth.token);
    this.accept(lease);
    this.logger.log(`Vault ${auth.kind === 'approle' ? 'AppRole login' : 'token'} ok; ${describeTtl(lease)}.`);
    return lease.token;
  }

  private async loginWithAppRole(roleId: string, secretId: string): Promise<Lease> {
    const auth = (await vaultSafeCall('AppRole login', () => this.api.loginWithAppRole(roleId, secretId), [roleId, secretId])) as AuthResponse;
    if (typeof auth?.client_token !== 'string') throw SecretsError.unavailable('Vault AppRole login answered without a token.');
    const ttl = Number(auth.lease_duration) || 0;
    return makeLease(auth.client_token, auth.renewable === true, ttl, ttl);
  }

  private async lookup(token: string): Promise<Lease> {
    const info = (await vaultSafeCall('token lookup', () => this.api.lookupSelfToken(token), [token])) as LookupResponse;
    const ttl = Number(info?.ttl) || 0;
    return makeLease(token, info?.renewable === true, ttl, Number(info?.creation_ttl) || ttl);
  }

  private async renew(lease: Lease): Promise<Lease> {
    const auth = (await vaultSafeCall('token renewal', () => this.api.renewSelfToken(lease.token), [lease.token])) as AuthResponse;
    const token = typeof auth?.client_token === 'string' ? auth.client_token : lease.token;
    return makeLease(token, auth?.renewable === true, Number(auth?.lease_duration) || 0, lease.fullTtlSeconds);
  }

  private async refresh(): Promise<void> {
    const lease = this.lease;
    if (this.stopped || !lease) return;
    const approle = this.config.auth.kind === 'approle';
    if (lease.renewable) {
      try {
        const renewed = await this.renew(lease);
        const nearMaxTtl = renewed.ttlSeconds < lease.fullTtlSeconds / 2;
        if (!approle || !nearMaxTtl) {
          if (nearMaxTtl && !this.warnedMaxTtl) {
            this.warnedMaxTtl = true;
            this.logger.warn(`The static Vault token is near its max TTL (${describeTtl(renewed)}); replace VAULT_TOKEN.`);
          }
          this.accept(renewed);
          return;
        }
      } catch (error) {
        this.logger.warn(`Vault token renewal failed: ${detailOf(error)}`);
        if (!approle) return this.scheduleRetry();
      }
    }
    if (!approle) return;
    try {
      await this.authenticate(); // the old token serves until the new one arrives
    } catch (error) {
      this.logger.error(`Vault AppRole login failed: ${detailOf(error)}`);
      this.scheduleRetry();
    }
  }

  private accept(lease: Lease): void {
    this.lease = lease;
    this.failures = 0;
    if (lease.ttlSeconds <= 0) return this.setTimer(undefined);
    if (!lease.renewable && this.config.auth.kind === 'token') {
      this.logger.warn(`The static Vault token is not renewable; ${describeTtl(lease)}.`);
      return this.setTimer(undefined);
    }
    this.setTimer(Math.max(MIN_DELAY_MS, lease.ttlSeconds * 1000 * RENEW_AT));
  }

  private scheduleRetry(): void {
    const delay = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)];
    this.failures++;
    this.setTimer(delay);
  }

  private setTimer(delayMs: number | undefined): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || delayMs === undefined) return;
    this.timer = setTimeout(() => void this.onTimer(), delayMs);
    this.timer.unref();
  }

  private async onTimer(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    if (this.lease) return this.refresh();
    try {
      await this.authenticate();
    } catch (error) {
      this.logger.error(`Vault login failed: ${detailOf(error)}`);
      this.scheduleRetry();
    }
  }
}

function makeLease(token: string, renewable: boolean, ttlSeconds: number, fullTtlSeconds: number): Lease {
  const expiresAt = ttlSeconds > 0 ? Date.now() + ttlSeconds * 1000 : Number.POSITIVE_INFINITY;
  return { token, renewable, ttlSeconds, fullTtlSeconds, expiresAt };
}

function describeTtl(lease: Lease): string {
  return lease.ttlSeconds > 0 ? `expires in ${lease.ttlSeconds} s` : 'does not expire';
}
