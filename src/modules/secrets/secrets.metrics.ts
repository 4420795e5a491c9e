import { Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { Metrics } from '../../infra/observability/metrics';

/**
 * The secrets module's series on `/metrics`: key rotation progress and stored
 * values that do not decrypt. Labels are bounded sets (a database: `catalog` or
 * `shard:<id>`; a resource type), never a tenant or a record id.
 */
@Injectable()
export class SecretsMetrics {
  readonly keyVersion: Gauge;
  readonly rewrapPending: Gauge<'database'>;
  readonly rewrapped: Counter<'database'>;
  readonly rewrapFailed: Counter<'database'>;
  readonly rewrapPasses: Counter<'outcome'>;
  readonly ciphertextInvalid: Counter<'type'>;

  // Optional so the module also builds without the observability module (unit and integration specs).
  constructor(@Optional() metrics?: Metrics) {
    const registers = [metrics?.registry ?? new Registry()];
    this.keyVersion = new Gauge({
      name: 'bloomdesk_encryption_key_version',
      help: 'Newest version of the key that encrypts sensitive data, as the rewrap job last saw it',
      registers,
    });
    this.rewrapPending = new Gauge({
      name: 'bloomdesk_rewrap_pending_values',
      help: 'Stored ciphertexts still on an older key version, by database (counted at the start and end of each rewrap pass)',
      labelNames: ['database'],
      registers,
    });
    this.rewrapped = new Counter({
      name: 'bloomdesk_rewrap_values_total',
      help: 'Stored ciphertexts moved to the newest key version, by database',
      labelNames: ['database'],
      registers,
    });
    this.rewrapFailed = new Counter({
      name: 'bloomdesk_rewrap_failures_total',
      help: 'Stored ciphertexts the rewrap job could not move because they do not decrypt, by database',
      labelNames: ['database'],
      registers,
    });
    this.rewrapPasses = new Counter({
      name: 'bloomdesk_rewrap_passes_total',
      help: 'Rewrap passes over every database: complete (nothing left behind) or incomplete',
      labelNames: ['outcome'],
      registers,
    });
    this.ciphertextInvalid = new Counter({
      name: 'bloomdesk_ciphertext_invalid_total',
      help: 'Reads that met a stored ciphertext that does not decrypt (tampered, another tenant\'s, or of a retired key version), by resource type (idempotency-records: a stored Idempotency-Key answer)',
      labelNames: ['type'],
      registers,
    });
  }
}
