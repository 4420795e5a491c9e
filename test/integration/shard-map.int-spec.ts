import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../../src/config/app-config';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { ShardRecord } from '../../src/infra/database/entities/shard-record';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { ShardMap } from '../../src/infra/tenancy/shard-map';
import { ownDatabases } from '../support/own-databases';
import { servicesEnv } from '../support/services-env';

// Services profile only: two instances starting at once on a fresh catalog, each with its own pool.
describe(ShardMap.name, () => {
  it('registers the configured shards once when two instances do it at the same moment, and never changes a known one', async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const own = await ownDatabases();
    const config = loadConfig({ ...servicesEnv(), ...own.env });
    const catalogs = [new CatalogDatabase(config), new CatalogDatabase(config)];
    try {
      for (const catalog of catalogs) await catalog.open();
      const maps = catalogs.map((catalog) => new ShardMap(config, catalog, new ShardRegistry(config)));
      const shards = catalogs[0].manager.getRepository(ShardRecord);
      // Several rounds on an empty map: each time both read it at once, where a read-then-insert collides.
      for (let round = 0; round < 5; round++) {
        await shards.deleteAll();
        await expect(Promise.all(maps.map((map) => map.registerConfigured()))).resolves.toBeDefined();
        expect((await shards.find({ order: { id: 'ASC' } })).map((s) => s.id)).toEqual(['a', 'b']);
      }
      await shards.update({ id: 'a' }, { acceptsTenants: false });
      await Promise.all(maps.map((map) => map.registerConfigured()));
      expect((await shards.find({ order: { id: 'ASC' } })).map((s) => [s.id, s.acceptsTenants])).toEqual([
        ['a', false],
        ['b', true],
      ]);
    } finally {
      for (const catalog of catalogs) await catalog.onApplicationShutdown();
      await own.drop();
      jest.restoreAllMocks();
    }
  });
});
