import { Module } from '@nestjs/common';
import { BlindIndexBackfill } from './blind-index-backfill';
import { CiphertextRepository } from './ciphertext.repository';
import { RewrapJob } from './rewrap.job';

/**
 * The background half of key rotation: the rewrap job over the catalog and
 * every shard. A module of its own because it needs the databases, which the
 * encryption providers (`SecretsModule`) do not. Its pass also fills blind
 * indexes that a migration added to existing rows (`BlindIndexBackfill`).
 */
@Module({
  providers: [CiphertextRepository, BlindIndexBackfill, RewrapJob],
  exports: [RewrapJob],
})
export class KeyRotationModule {}
