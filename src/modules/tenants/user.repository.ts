import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { User } from './entities';

/** Users in the catalog, found at login by the blind index of their e-mail. */
@Injectable()
export class UserRepository {
  constructor(private readonly catalog: CatalogDatabase) {}

  findByEmailIndex(emailIndex: string): Promise<User | null> {
    return this.catalog.manager.findOneBy(User, { emailIndex });
  }

  async insert(em: EntityManager, user: User): Promise<void> {
    await em.insert(User, user);
  }
}
