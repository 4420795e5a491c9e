import 'reflect-metadata';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { Permission } from '../auth/permissions';
import { applyRecordScope, inRecordScope, recordScope } from './record-scope';
import type { RequestContext, Role } from './request-context';

/** The shape a future orders table will have: store-bound, with a courier. */
@Entity('scoped_orders')
class ScopedOrder {
  @PrimaryColumn({ type: 'varchar' })
  id: string;

  @Column({ name: 'store_id', type: 'varchar' })
  storeId: string;

  @Column({ name: 'courier_id', type: 'varchar', nullable: true })
  courierId: string | null;
}

const ORDERS: ScopedOrder[] = [
  { id: 'arbat-for-ivan', storeId: 'arbat', courierId: 'ivan' },
  { id: 'arbat-for-petr', storeId: 'arbat', courierId: 'petr' },
  { id: 'arbat-unassigned', storeId: 'arbat', courierId: null },
  { id: 'kiosk-for-ivan', storeId: 'kiosk', courierId: 'ivan' },
  { id: 'kiosk-for-petr', storeId: 'kiosk', courierId: 'petr' },
];

const caller = (role: Role, userId: string, storeIds: RequestContext['storeIds']) => ({ role, userId, storeIds });

describe(recordScope.name, () => {
  let db: DataSource;

  beforeAll(async () => {
    db = new DataSource({ type: 'sqljs', entities: [ScopedOrder], synchronize: true });
    await db.initialize();
    await db.manager.insert(ScopedOrder, ORDERS);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it.each([
    ['an owner', caller('owner', 'anna', 'all'), ORDERS.map((o) => o.id)],
    ['a manager of Arbat', caller('manager', 'maria', ['arbat']), ['arbat-for-ivan', 'arbat-for-petr', 'arbat-unassigned']],
    ['a florist of the kiosk', caller('florist', 'olga', ['kiosk']), ['kiosk-for-ivan', 'kiosk-for-petr']],
    ['a courier of both stores', caller('courier', 'ivan', ['arbat', 'kiosk']), ['arbat-for-ivan', 'kiosk-for-ivan']],
    ['a courier taken off the kiosk', caller('courier', 'ivan', ['arbat']), ['arbat-for-ivan']],
    ['a courier of no store', caller('courier', 'petr', []), []],
  ])('shows %s exactly the orders its role and stores allow, in SQL and in memory alike', async (_who, ctx, visible) => {
    const sut = recordScope(ctx, Permission.OrdersRead);
    const qb = applyRecordScope(db.manager.createQueryBuilder(ScopedOrder, 'o'), 'o', sut, { store: 'storeId', assignee: 'courierId' });
    const fromSql = (await qb.orderBy('o.id').getMany()).map((o) => o.id);
    const inMemory = ORDERS.filter((o) => inRecordScope(sut, { storeId: o.storeId, assigneeId: o.courierId })).map((o) => o.id);
    expect(fromSql).toEqual([...visible].sort());
    expect(inMemory.sort()).toEqual([...visible].sort());
  });

  it('narrows to the assignee exactly when the role lacks the wide permission', () => {
    expect(recordScope(caller('courier', 'ivan', ['arbat']), Permission.OrdersRead)).toEqual({ storeIds: ['arbat'], assigneeId: 'ivan' });
    expect(recordScope(caller('florist', 'olga', ['arbat']), Permission.OrdersRead)).toEqual({ storeIds: ['arbat'] });
  });
});
