import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

/**
 * The outbox of read-cache version moves: a write that must move a cached
 * document's version records the move here in its own transaction, and the row
 * goes once the version has moved in Redis. Readers look here before they trust
 * Redis, so a move that could not reach Redis still makes the next read fresh.
 */
export class CacheVersionMoves1764830000000 implements MigrationInterface {
  name = 'CacheVersionMoves1764830000000';

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
