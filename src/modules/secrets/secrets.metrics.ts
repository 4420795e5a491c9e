import { Injectable, Optional } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { Metrics } from '../../infra/observability/metrics';

/**
 * The secrets module's series on `/metrics`: stored values that do not decrypt.
 * Labels are bounded sets (a resource type), never a tenant or a record id.
 */
@Injectable()
export class SecretsMetrics {
  readonly ciphertextInvalid: Counter<'type'>;

  // Optional so the module also builds without the observability module (unit and integration specs).
  constructor(@Optional() metrics?: Metrics) {
    const registers = [metrics?.registry ?? new Registry()];
    this.ciphertextInvalid = new Counter({
      name: 'bloomdesk_ciphertext_invalid_total',
      help: 'Reads that met a stored ciphertext that does not decrypt (tampered, another tenant\'s, or of a retired key version), by resource type',
      labelNames: ['type'],
      registers,
    });
  }
}
