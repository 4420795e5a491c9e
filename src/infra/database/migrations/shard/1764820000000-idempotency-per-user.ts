import { MigrationInterface, QueryRunner } from 'typeorm';
import { idempotencyTable } from '../catalog/1764820000000-catalog-idempotency';
import { Idempotency1764200000000 } from './1764200000000-idempotency';

/**
 * Idempotency keys become per user: `user_id` joins the primary key. SQLite cannot
 * change a primary key in place (TypeORM's `updatePrimaryKeys` does nothing there),
 * so the table is made anew. Records kept so far are dropped: they name no user and
 * could never be matched again; they lived 48 hours at most.
 */
export class IdempotencyPerUser1764820000000 implements MigrationInterface {
  name = 'IdempotencyPerUser1764820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_records');
    await queryRunner.createTable(idempotencyTable(queryRunner));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_records');
    await new Idempotency1764200000000().up(queryRunner);
  }
}
