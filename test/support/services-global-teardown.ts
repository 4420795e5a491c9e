import { createConnection } from 'mysql2/promise';
import { MYSQL_ROOT_URL, testDatabases } from './services-env';

/** Drops this run's databases. */
export default async function teardown(): Promise<void> {
  const mysql = await createConnection(`${MYSQL_ROOT_URL}/`);
  for (const db of testDatabases()) await mysql.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await mysql.end();
}
