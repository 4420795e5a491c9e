-- Runs once, when the mysql service starts on an empty data volume
-- (docker-entrypoint-initdb.d). The entrypoint has already created the
-- catalog database (MYSQL_DATABASE) and the app user 'bloomdesk'
-- (MYSQL_USER / MYSQL_PASSWORD from docker/.env), so no password is written here.
-- The app user gets rights on Bloomdesk's three databases and nothing else:
-- no global privileges, no GRANT OPTION. The app runs its own migrations,
-- hence DDL rights on its databases.

CREATE DATABASE IF NOT EXISTS bloomdesk_catalog CHARACTER SET utf8mb4;
CREATE DATABASE IF NOT EXISTS bloomdesk_shard_1 CHARACTER SET utf8mb4;
CREATE DATABASE IF NOT EXISTS bloomdesk_shard_2 CHARACTER SET utf8mb4;

GRANT ALL PRIVILEGES ON bloomdesk_catalog.* TO 'bloomdesk'@'%';
GRANT ALL PRIVILEGES ON bloomdesk_shard_1.* TO 'bloomdesk'@'%';
GRANT ALL PRIVILEGES ON bloomdesk_shard_2.* TO 'bloomdesk'@'%';
