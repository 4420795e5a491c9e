import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

/**
 * The catalog's outbox of cache version moves (as the shards have one): a write
 * that changes what a principal carries (a session, a user, a device, the tenant)
 * records the move of that principal's version here in its own transaction; the
 * row goes once the version has moved in Redis, and every instance reconciles
 * what a writer could not move (`VersionOutbox`).
 */
export class CatalogCacheVersionMoves1765000000000 implements MigrationInterface {
  name = 'CatalogCacheVersionMoves1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    const mysql = queryRunner.connection.options.type === 'mysql';
    await queryRunner.createTable(
      new Table({
        name: 'cache_version_moves',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          { ...c.string('version_key', 160), ...(mysql && { charset: 'ascii', collation: 'ascii_bin' }) },
          c.timestamp('created_at'),
        ],
        indices: [{ name: 'ix_cache_version_moves_key', columnNames: ['tenant_id', 'version_key'] }],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('cache_version_moves', true);
  }
}
