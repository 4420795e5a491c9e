import { Module } from '@nestjs/common';
import { CiphertextRepository } from './ciphertext.repository';
import { RewrapJob } from './rewrap.job';

/**
 * The background half of key rotation: the rewrap job over the catalog and
 * every shard. A module of its own because it needs the databases, which the
 * encryption providers (`SecretsModule`) do not.
 */
@Module({
  providers: [CiphertextRepository, RewrapJob],
  exports: [RewrapJob],
})
export class KeyRotationModule {}
