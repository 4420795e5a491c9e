import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CatalogDatabase, type CatalogTxContext } from '../../infra/database/catalog-database';
import { User } from './entities';

/** Users in the catalog, found at login by the blind index of their e-mail. */
@Injectable()
export class UserRepository {
  constructor(private readonly catalog: CatalogDatabase) {}

  /** In `within`'s catalog transaction when it is in one (a signup holds its connection meanwhile). */
  findByEmailIndex(emailIndex: string, within?: CatalogTxContext): Promise<User | null> {
    return this.catalog.managerFor(within).findOneBy(User, { emailIndex });
  }

  async insert(em: EntityManager, user: User): Promise<void> {
    await em.insert(User, user);
  }
}
