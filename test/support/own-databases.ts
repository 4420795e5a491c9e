import { createConnection } from 'mysql2/promise';
import { MYSQL_ROOT_URL } from './services-env';

/**
 * Databases of one suite's own on the local MariaDB (catalog and shards a, b), for
 * a suite whose app must see no other suite's rows: the key-rotation job scans
 * every row of every database. Named like the run's (`bdt_<base36 time>_...`) so
 * the global setup also drops them should a run die before `drop`.
 */
export async function ownDatabases(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const id = Date.now().toString(36);
  const names = ['catalog', 'a', 'b'].map((part) => `bdt_${id}_${part}`);
  const mysql = await createConnection(`${MYSQL_ROOT_URL}/`);
  try {
    for (const name of names) await mysql.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await mysql.end();
  }
  return {
    env: {
      CATALOG_DATABASE_URL: `${MYSQL_ROOT_URL}/${names[0]}`,
      SHARD_DATABASE_URLS: `a=${MYSQL_ROOT_URL}/${names[1]},b=${MYSQL_ROOT_URL}/${names[2]}`,
    },
    async drop() {
      const connection = await createConnection(`${MYSQL_ROOT_URL}/`);
      for (const name of names) await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}
