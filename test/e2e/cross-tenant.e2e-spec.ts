import type { DataSource } from 'typeorm';
import { AccessTokenService } from '../../src/infra/auth/access-token';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { uuid7 } from '../../src/infra/database/uuid7';
import { encodeCursor } from '../../src/infra/json-api/cursor';
import { type ResourceDefinition, filterOperators, joinsShardTransaction, resourcePath } from '../../src/infra/json-api/resource-definition';
import { ResourceRegistry } from '../../src/infra/json-api/resource-registry';
import { PROFILE, type RequestOptions, type TestApp, type TestResponse, bootApp } from '../support/app-harness';
import { create, one } from '../support/catalog-fixtures';
import { csvRecords } from '../support/csv';
import { type Shop, acceptInvite, freshIp, loginDocument, newShop, shardOf } from '../support/fixtures';
import { FACTORIES } from '../support/resource-fixtures';
import { placeOn } from '../support/shard-fixtures';
import { ATOMIC_TYPE } from '../support/stock-fixtures';

/**
 * An answer word for word (a refusal's every error member, detail and meta
 * included), but for what the request named (`named`: ids, cursors), which becomes
 * one placeholder, and the request id: two answers that differ in anything else
 * tell A's ids from missing ones.
 */
const wordForWord = (res: TestResponse, ...named: string[]) => {
  let text = JSON.stringify({ ...res.body, meta: res.body?.meta && { ...res.body.meta, requestId: 'REQUEST' } });
  for (const id of named) text = text.replaceAll(id, '<id>');
  return { status: res.status, body: JSON.parse(text) };
};
const MAX_INCLUDE_DEPTH = 3;

/** A write the factories sent for shop B, replayed with one related id swapped for A's. */
interface Captured {
  url: string;
  body: any;
}

/**
 * How to make B's data point at another record "through a coding mistake", per
 * relationship: `forward`, B's own row holds the id (a foreign key column or a
 * join row); `reverse`, the row holding the link belongs to the related type, so
 * the mistake is A's row naming B's record. To-one relationships with a foreign
 * key column need no entry; any other relationship without one fails the suite.
 */
type Plant =
  | { mode: 'forward'; put(db: DataSource, bId: string, plantedId: string): Promise<() => Promise<unknown>> }
  | { mode: 'reverse'; put(db: DataSource, bId: string, aRelatedId: string): Promise<() => Promise<unknown>> };

const now = () => new Date().toISOString().replace('T', ' ').replace('Z', '');
let tenantB = '';
let tenantA = '';

const setColumn = (table: string, column: string, extra: Record<string, string> = {}): Plant => ({
  mode: 'forward',
  async put(db, bId, plantedId) {
    const columns = [column, ...Object.keys(extra)];
    const [before] = await db.query(`SELECT ${columns.join(', ')} FROM ${table} WHERE tenant_id = ? AND id = ?`, [tenantB, bId]);
    if (!before) throw new Error(`no ${table} row ${bId} of B to plant into`);
    const assign = columns.map((c) => `${c} = ?`).join(', ');
    await db.query(`UPDATE ${table} SET ${assign} WHERE tenant_id = ? AND id = ?`, [plantedId, ...Object.values(extra), tenantB, bId]);
    return () => db.query(`UPDATE ${table} SET ${assign} WHERE tenant_id = ? AND id = ?`, [...columns.map((c) => before[c]), tenantB, bId]);
  },
});
/** As setColumn, for an append-only table (a trigger refuses UPDATE): B's row is deleted and written again holding the planted id. */
const rewriteRow = (table: string, column: string, extra: Record<string, string> = {}): Plant => ({
  mode: 'forward',
  async put(db, bId, plantedId) {
    const [before] = await db.query(`SELECT * FROM ${table} WHERE tenant_id = ? AND id = ?`, [tenantB, bId]);
    if (!before) throw new Error(`no ${table} row ${bId} of B to plant into`);
    const write = async (row: Record<string, unknown>) => {
      await db.query(`DELETE FROM ${table} WHERE tenant_id = ? AND id = ?`, [tenantB, bId]);
      const columns = Object.keys(row);
      await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, Object.values(row));
    };
    await write({ ...before, [column]: plantedId, ...extra });
    return () => write(before);
  },
});
const joinRow = (table: string, owner: string, member: string): Plant => ({
  mode: 'forward',
  async put(db, bId, plantedId) {
    await db.query(`INSERT INTO ${table} (tenant_id, ${owner}, ${member}, created_at) VALUES (?, ?, ?, ?)`, [tenantB, bId, plantedId, now()]);
    return () => db.query(`DELETE FROM ${table} WHERE tenant_id = ? AND ${owner} = ? AND ${member} = ?`, [tenantB, bId, plantedId]);
  },
});
const reverseColumn = (table: string, column: string): Plant => ({
  mode: 'reverse',
  async put(db, bId, aRelatedId) {
    const [before] = await db.query(`SELECT ${column} AS value FROM ${table} WHERE tenant_id = ? AND id = ?`, [tenantA, aRelatedId]);
    if (!before) throw new Error(`no ${table} row ${aRelatedId} of A to plant into`);
    await db.query(`UPDATE ${table} SET ${column} = ? WHERE tenant_id = ? AND id = ?`, [bId, tenantA, aRelatedId]);
    return () => db.query(`UPDATE ${table} SET ${column} = ? WHERE tenant_id = ? AND id = ?`, [before.value, tenantA, aRelatedId]);
  },
});

/** Tables a trigger keeps append-only (src/infra/database/migrations/shard/1764800000000-stock-guards.ts). */
const APPEND_ONLY = new Set(['stock_movements']);

const PLANTS: Record<string, Plant> = {
  'products.components': reverseColumn('recipe_items', 'composition_id'),
  'products.suppliers': joinRow('product_suppliers', 'product_id', 'supplier_id'),
  'suppliers.products': joinRow('product_suppliers', 'supplier_id', 'product_id'),
  'employees.stores': joinRow('user_stores', 'user_id', 'store_id'),
  'goods-receipts.lines': reverseColumn('goods_receipt_lines', 'document_id'),
  'write-offs.lines': reverseColumn('write_off_lines', 'document_id'),
  'transfers.lines': reverseColumn('transfer_lines', 'document_id'),
  'stock-counts.lines': reverseColumn('stock_count_lines', 'document_id'),
  'orders.lines': reverseColumn('order_lines', 'order_id'),
  'sales.lines': reverseColumn('sale_lines', 'sale_id'),
  'sales.payments': reverseColumn('payments', 'sale_id'),
  // The actor is one column for both kinds, told apart by actor_type.
  'audit-events.employee': setColumn('audit_events', 'actor_id', { actor_type: 'user' }),
  'audit-events.device': setColumn('audit_events', 'actor_id', { actor_type: 'device' }),
  // A movement names its document by type and id; the ledger is append-only.
  ...Object.fromEntries(
    (['goodsReceipt:goods-receipts', 'writeOff:write-offs', 'transfer:transfers', 'stockCount:stock-counts'] as const).map((pair) => {
      const [name, type] = pair.split(':');
      return [`stock-movements.${name}`, rewriteRow('stock_movements', 'document_id', { document_type: type })];
    }),
  ),
};

const tableOf = (def: ResourceDefinition) => (def.type === 'employees' ? 'users' : def.type.replace(/-/g, '_'));

/** Every include path of `def`, nested up to the parser's depth. */
function includePaths(def: ResourceDefinition, lookup: (type: string) => ResourceDefinition | undefined, depth = 1): string[] {
  if (depth > MAX_INCLUDE_DEPTH) return [];
  return Object.entries(def.relationships ?? {})
    .filter(([, rel]) => rel.includable)
    .flatMap(([name, rel]) => {
      const target = lookup(rel.type);
      return [name, ...(target ? includePaths(target, lookup, depth + 1).map((p) => `${name}.${p}`) : [])];
    });
}

function linkageOf(rel: { kind: string; type: string }, id: string) {
  return rel.kind === 'to-many' ? { data: [{ type: rel.type, id }] } : { data: { type: rel.type, id } };
}

/** `placement` decides whether A and B share a shard: sharing, only the tenant_id in every statement keeps them apart. */
const PAIRS: Array<[string, 'same' | 'apart']> = PROFILE === 'services' ? [['on one shard', 'same'], ['on two shards', 'apart']] : [['on one shard', 'same']];

// Generated from the resource definitions: tenant B tries tenant A's ids on every
// route of every type, and must get exactly what an id that never existed gets.
describe.each(PAIRS)(`one shop never reaches another's data, %s (${PROFILE})`, (_label, placement) => {
  let t: TestApp;
  let a: Shop;
  let b: Shop;
  let resources: Array<{ def: ResourceDefinition }>;
  let lookup: (type: string) => ResourceDefinition | undefined;
  /** One record of each type per shop, made by the factories. */
  const aIds = new Map<string, string>();
  const bIds = new Map<string, string>();
  /** Every record A has, by type, as A sees it: what B must never see. */
  const aAll = new Map<string, string[]>();
  let aEveryId: Set<string>;
  const bWrites: Captured[] = [];
  let aBefore: Map<string, unknown>;
  let bTotalsBefore: Map<string, number>;
  /** Exports B made: each is a `data.exported` event on B's audit log. */
  let bExports = 0;

  beforeAll(async () => {
    t = await bootApp();
    [a, b] = [await newShop(t), await newShop(t)];
    [tenantA, tenantB] = [a.tenantId, b.tenantId];
    if (PROFILE === 'services') {
      const home = await shardOf(t, a.tenantId);
      await placeOn(t, b.tenantId, placement === 'same' ? home : t.config.shards.map((s) => s.id).find((id) => id !== home)!);
    }
    expect(((await shardOf(t, a.tenantId)) === (await shardOf(t, b.tenantId))) === (placement === 'same')).toBe(true);
    const registry = t.app.get(ResourceRegistry);
    resources = registry.all();
    lookup = (type) => registry.find(type)?.def;
    // B's factories run through a recorder: their documents are the valid creates the suite replays with A's ids.
    const recorder: TestApp = {
      ...t,
      request: (method: string, url: string, options?: RequestOptions) => {
        if (method === 'POST') bWrites.push({ url, body: options?.body });
        return t.request(method, url, options);
      },
    };
    for (const { def } of resources) {
      const factory = FACTORIES[def.type];
      if (!factory) continue;
      aIds.set(def.type, await factory(t, a));
      bIds.set(def.type, await factory(recorder, b));
    }
    for (const { def } of resources) aAll.set(def.type, (await listAs(a, `/api/v1/${resourcePath(def)}?page[size]=${def.page.maxSize}`)).body.data.map((r: any) => r.id));
    aEveryId = new Set([...aAll.values()].flat());
    aBefore = await snapshot(a);
    bTotalsBefore = await totals(b);
  });
  afterAll(async () => {
    await t.close();
  });

  const asB = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => t.request(method, url, { token: b.accessToken, body, headers });
  const listAs = (shop: Shop, url: string) => t.request('GET', url, { token: shop.accessToken });
  const atomicAsB = (operations: unknown[]) => asB('POST', '/api/v1/operations', { 'atomic:operations': operations }, { 'content-type': ATOMIC_TYPE, accept: ATOMIC_TYPE });
  const base = (def: ResourceDefinition) => `/api/v1/${resourcePath(def)}`;
  /** A's ids in what B was shown, but for `echoed`: an id B's own row holds, which linkage shows as it is. */
  const leaked = (res: TestResponse, echoed?: string) => {
    // Links echo the filter values B sent; the data, the included resources and the meta must not know A.
    const shown = JSON.stringify({ data: res.body?.data, included: res.body?.included, meta: res.body?.meta });
    // Resource objects, not the identifiers of linkage.
    const records = [...(res.body?.included ?? []), ...[res.body?.data ?? []].flat()].filter((r) => r && ('attributes' in r || 'relationships' in r)).map((r: { id: string }) => r.id);
    return [...aEveryId].filter((id) => (id === echoed ? records.includes(id) : shown.includes(id)));
  };

  /** Every record of A as A reads it (attributes and linkage), to show that nothing B did changed one. */
  async function snapshot(shop: Shop): Promise<Map<string, unknown>> {
    const records = new Map<string, unknown>();
    for (const { def } of resources) {
      for (const id of aAll.get(def.type) ?? []) {
        const res = await listAs(shop, `${base(def)}/${id}`);
        records.set(`${def.type}/${id}`, { status: res.status, attributes: res.body.data?.attributes, relationships: res.body.data?.relationships });
      }
    }
    return records;
  }

  /** A's records that no longer read as they did before the attacks. */
  async function changedOfA(): Promise<string[]> {
    const after = await snapshot(a);
    return [...aBefore.keys()].filter((key) => JSON.stringify(after.get(key)) !== JSON.stringify(aBefore.get(key)));
  }

  async function totals(shop: Shop): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const { def } of resources) counts.set(def.type, (await listAs(shop, base(def))).body.meta?.total);
    return counts;
  }

  /** The storage of B's rows of a type: the catalog, or B's shard. */
  async function storageOf(def: ResourceDefinition, shop: Shop): Promise<DataSource> {
    return def.storage === 'catalog' ? t.app.get(CatalogDatabase).dataSource : t.app.get(ShardRegistry).dataSource(await shardOf(t, shop.tenantId));
  }

  it('has a factory for every resource type (add one in test/support/resource-fixtures.ts)', () => {
    expect(resources.map((r) => r.def.type).filter((type) => !FACTORIES[type])).toEqual([]);
  });

  it("answers B's requests for A's records exactly as for ids that never existed", async () => {
    for (const { def } of resources) {
      const victim = aIds.get(def.type)!;
      const ghost = uuid7();
      const attempts = (id: string): Array<[string, string, unknown?]> => [
        ['GET', `${base(def)}/${id}`],
        ['PATCH', `${base(def)}/${id}`, { data: { type: def.type, id, attributes: {} } }],
        ['DELETE', `${base(def)}/${id}`],
        ...Object.entries(def.relationships ?? {}).flatMap(([name, rel]): Array<[string, string, unknown?]> => {
          const linkage = rel.kind === 'to-many' ? { data: [] } : { data: null };
          return [
            ['GET', `${base(def)}/${id}/relationships/${name}`],
            ['GET', `${base(def)}/${id}/${name}`],
            ['PATCH', `${base(def)}/${id}/relationships/${name}`, linkage],
            ...(rel.kind === 'to-many'
              ? ([
                  ['POST', `${base(def)}/${id}/relationships/${name}`, linkage],
                  ['DELETE', `${base(def)}/${id}/relationships/${name}`, linkage],
                ] as Array<[string, string, unknown?]>)
              : []),
          ];
        }),
      ];
      const onVictim = attempts(victim);
      const onGhost = attempts(ghost);
      for (let i = 0; i < onVictim.length; i++) {
        const [method, url, body] = onVictim[i];
        const route = `${method} ${url.replace(victim, ':id')}`;
        const real = await asB(method, url, body);
        const missing = await asB(onGhost[i][0], onGhost[i][1], onGhost[i][2]);
        expect({ route, ...wordForWord(real, victim) }).toEqual({ route, ...wordForWord(missing, ghost) });
        expect({ route, refused: real.status >= 400 }).toEqual({ route, refused: true });
      }
    }
  });

  it("never shows A's rows to B, nor counts them, under any filter (with A's values), include path or feed", async () => {
    let urls = 0;
    for (const { def } of resources) {
      const list = [`${base(def)}?page[size]=${def.page.maxSize}`];
      const aRecords = (await listAs(a, `${base(def)}?page[size]=${def.page.maxSize}`)).body.data as any[];
      for (const [name, attribute] of Object.entries(def.attributes)) {
        for (const op of filterOperators(attribute)) {
          const values = [...new Set(aRecords.map((r) => r.attributes[name]).filter((v) => v !== null && v !== undefined).map(String))];
          for (const value of values.slice(0, 3)) list.push(`${base(def)}?filter[${name}]${op === 'eq' ? '' : `[${op}]`}=${encodeURIComponent(value)}`);
        }
      }
      for (const [name, rel] of Object.entries(def.relationships ?? {})) {
        if (rel.filterable) list.push(`${base(def)}?filter[${name}]=${(aAll.get(rel.type) ?? [aIds.get(rel.type)]).slice(0, 100).join(',')}`);
      }
      if (def.feed) list.push(`${base(def)}?filter[updatedSince]=2000-01-01T00:00:00Z&page[size]=${def.page.maxSize}`);
      const paths = includePaths(def, lookup);
      if (paths.length) list.push(`${base(def)}?include=${paths.filter((p) => !p.includes('.')).join(',')}`, ...paths.map((p) => `${base(def)}?include=${p}`));
      for (const url of list) {
        const res = await asB('GET', url);
        urls++;
        expect({ url, status: res.status }).toEqual({ url, status: 200 });
        expect({ url, leaked: leaked(res) }).toEqual({ url, leaked: [] });
        // B's count is B's rows: every one of them is on this page.
        if (res.body.meta?.total !== undefined) expect({ url, total: res.body.meta.total }).toEqual({ url, total: res.body.data.length });
      }
    }
    expect(urls).toBeGreaterThan(100);
  });

  it("answers a feed cursor made from A's row exactly as one made from a missing row next to it, showing none of A's rows", async () => {
    let cursors = 0;
    for (const { def } of resources) {
      if (!def.feed) continue;
      const aRecords = (await listAs(a, `${base(def)}?page[size]=${def.page.maxSize}`)).body.data as any[];
      for (const record of aRecords.slice(0, 3)) {
        const updatedAt = new Date(record.attributes.updatedAt);
        expect({ type: def.type, updatedAt: Number.isNaN(updatedAt.getTime()) }).toEqual({ type: def.type, updatedAt: false });
        // One step down in the id's last digit (up from 0): only A's row itself, or this missing one, sorts between the two positions.
        const last = parseInt(record.id.at(-1), 16);
        const missingId = `${record.id.slice(0, -1)}${(last === 0 ? 1 : last - 1).toString(16)}`;
        const [victim, ghost] = [encodeCursor({ updatedAt, id: record.id }), encodeCursor({ updatedAt, id: missingId })];
        for (const side of ['after', 'before']) {
          const url = (cursor: string) => `${base(def)}?page[size]=${def.page.maxSize}&page[${side}]=${cursor}`;
          const [real, missing] = [await asB('GET', url(victim)), await asB('GET', url(ghost))];
          expect({ url: url(victim), status: real.status, leaked: leaked(real) }).toEqual({ url: url(victim), status: 200, leaked: [] });
          expect({ url: url(victim), ...wordForWord(real, victim) }).toEqual({ url: url(victim), ...wordForWord(missing, ghost) });
          cursors++;
        }
      }
    }
    expect(cursors).toBeGreaterThan(10);
  });

  it("never puts A's rows in B's exports, under any filter (with A's values and ids): B's export is B's list", async () => {
    let exports = 0;
    for (const { def } of resources) {
      if (!def.export) continue;
      const aRecords = (await listAs(a, `${base(def)}?page[size]=${def.page.maxSize}`)).body.data as any[];
      const queries: Array<{ query: string; empty: boolean }> = [{ query: '', empty: false }];
      for (const [name, attribute] of Object.entries(def.attributes)) {
        for (const op of filterOperators(attribute)) {
          const values = [...new Set(aRecords.map((r) => r.attributes[name]).filter((v) => v !== null && v !== undefined).map(String))];
          for (const value of values.slice(0, 3)) queries.push({ query: `filter[${name}]${op === 'eq' ? '' : `[${op}]`}=${encodeURIComponent(value)}`, empty: false });
        }
      }
      for (const [name, rel] of Object.entries(def.relationships ?? {})) {
        // B has no record with A's ids: a filter by them selects nothing.
        if (rel.filterable) queries.push({ query: `filter[${name}]=${(aAll.get(rel.type) ?? [aIds.get(rel.type)]).slice(0, 100).join(',')}`, empty: true });
      }
      const bList = (await asB('GET', `${base(def)}?page[size]=${def.page.maxSize}`)).body.data.map((r: any) => r.id);
      for (const { query, empty } of queries) {
        const url = `${base(def)}/export${query ? `?${query}` : ''}`;
        const res = await asB('GET', url, undefined, { accept: 'text/csv' });
        expect({ url, status: res.status }).toEqual({ url, status: 200 });
        exports++;
        expect({ url, leaked: [...aEveryId].filter((id) => res.text.includes(id)) }).toEqual({ url, leaked: [] });
        const ids = csvRecords(res.text).records.map((record) => record.id);
        if (empty) expect({ url, ids }).toEqual({ url, ids: [] });
        // B's audit log grows with every export B makes; every other type's export is exactly B's list.
        else if (def.type !== 'audit-events') expect({ url, unknown: ids.filter((id) => !bList.includes(id)) }).toEqual({ url, unknown: [] });
        if (!query && def.type !== 'audit-events') expect({ url, ids: [...ids].sort() }).toEqual({ url, ids: [...bList].sort() });
      }
    }
    bExports += exports;
    expect(exports).toBeGreaterThan(20);
  });

  it("ignores A's ids planted in B's rows by a coding mistake: includes, related and relationship routes answer as for an id that never existed", async () => {
    const missing: string[] = [];
    for (const { def } of resources) {
      const bId = bIds.get(def.type)!;
      for (const [name, rel] of Object.entries(def.relationships ?? {})) {
        const db = await storageOf(def, b);
        let plant = PLANTS[`${def.type}.${name}`];
        if (!plant && rel.foreignKey) {
          const column = db.entityMetadatas.find((m) => m.tableName === tableOf(def))?.columns.find((c) => c.propertyName === rel.foreignKey);
          if (column) plant = (APPEND_ONLY.has(tableOf(def)) ? rewriteRow : setColumn)(tableOf(def), column.databaseName);
        }
        if (!plant) {
          missing.push(`${def.type}.${name}`);
          continue;
        }
        const aTarget = aIds.get(rel.type)!;
        const includes = includePaths(def, lookup).filter((p) => p === name || p.startsWith(`${name}.`));
        const urls = [`${base(def)}/${bId}/relationships/${name}`, `${base(def)}/${bId}/${name}`, ...includes.map((p) => `${base(def)}/${bId}?include=${p}`), ...includes.map((p) => `${base(def)}?include=${p}`)];
        const read = async (plantedId?: string) => {
          const answers: unknown[] = [];
          for (const url of urls) {
            const res = await asB('GET', url);
            expect({ url, planted: `${def.type}.${name}`, leaked: leaked(res, plantedId) }).toEqual({ url, planted: `${def.type}.${name}`, leaked: [] });
            answers.push({ url, ...wordForWord(res, ...(plantedId ? [plantedId] : [])) });
          }
          return answers;
        };
        // A reverse mistake is in A's row, which lives where A's data does.
        const plantIn = plant.mode === 'forward' ? db : await storageOf(lookup(rel.type)!, a);
        const withPlant = async (plantedId: string) => {
          const undo = await plant.put(plantIn, bId, plantedId);
          try {
            return await read(plant.mode === 'forward' ? plantedId : undefined);
          } finally {
            await undo();
          }
        };
        if (plant.mode === 'forward') expect(await withPlant(aTarget)).toEqual(await withPlant(uuid7()));
        // B's view must not change at all.
        else expect(await withPlant(aTarget)).toEqual(await read());
      }
    }
    expect(missing).toEqual([]);
  });

  it("refuses to relate B's records to A's, as if A's did not exist, through every write that names a related id", async () => {
    for (const { def } of resources) {
      const bId = bIds.get(def.type);
      if (!bId || !def.permissions?.update) continue;
      for (const [name, rel] of Object.entries(def.relationships ?? {})) {
        if (!rel.writable) continue;
        const attempts = (id: string): Array<[string, string, unknown]> => [
          ['PATCH', `${base(def)}/${bId}/relationships/${name}`, linkageOf(rel, id)],
          ...(rel.kind === 'to-many' ? ([['POST', `${base(def)}/${bId}/relationships/${name}`, linkageOf(rel, id)]] as Array<[string, string, unknown]>) : []),
          ['PATCH', `${base(def)}/${bId}`, { data: { type: def.type, id: bId, relationships: { [name]: linkageOf(rel, id) } } }],
        ];
        const [victim, ghost] = [aIds.get(rel.type)!, uuid7()];
        const onA = attempts(victim);
        const onGhost = attempts(ghost);
        for (let i = 0; i < onA.length; i++) {
          const route = `${onA[i][0]} ${onA[i][1].replace(bId, ':id')} (${name})`;
          const [real, missing] = [await asB(...onA[i]), await asB(...onGhost[i])];
          expect({ route, ...wordForWord(real, victim) }).toEqual({ route, ...wordForWord(missing, ghost) });
          expect({ route, refused: [403, 404].includes(real.status) }).toEqual({ route, refused: true });
        }
      }
    }
  });

  it("refuses A's ids at creation, in every writable relationship of every type, naming the member (REST and atomic)", async () => {
    const uncovered: string[] = [];
    for (const { def } of resources) {
      if (!def.permissions?.create) continue;
      const writable = Object.entries(def.relationships ?? {}).filter(([, rel]) => rel.writable);
      if (!writable.length) continue;
      // A create B's factories sent: on its own (REST), or as operation `index` of a batch.
      const direct = bWrites.find((w) => w.url === base(def) && w.body?.data?.type === def.type);
      const batch = bWrites.find((w) => w.url === '/api/v1/operations' && w.body['atomic:operations'].some((op: any) => op.op === 'add' && op.data?.type === def.type));
      if (!direct && !batch) {
        uncovered.push(def.type);
        continue;
      }
      for (const [name, rel] of writable) {
        const swap = (data: any, id: string) => ({ ...data, relationships: { ...data.relationships, [name]: linkageOf(rel, id) } });
        const member = `/relationships/${name}/data${rel.kind === 'to-many' ? '/0' : ''}`;
        const tries: Array<[string, (id: string) => Promise<TestResponse>, string]> = [];
        if (direct) {
          tries.push([`POST ${base(def)}`, (id) => asB('POST', base(def), { data: swap(direct.body.data, id) }), `/data${member}`]);
          if (joinsShardTransaction(def)) tries.push(['atomic add', (id) => atomicAsB([{ op: 'add', data: swap(direct.body.data, id) }]), `/atomic:operations/0/data${member}`]);
        }
        if (batch) {
          const operations = batch.body['atomic:operations'] as any[];
          const index = operations.findIndex((op) => op.op === 'add' && op.data?.type === def.type);
          tries.push([`atomic batch`, (id) => atomicAsB(operations.map((op, i) => (i === index ? { ...op, data: swap(op.data, id) } : op))), `/atomic:operations/${index}/data${member}`]);
        }
        for (const [how, send, pointer] of tries) {
          const [victim, ghost] = [aIds.get(rel.type)!, uuid7()];
          const [real, missing] = [await send(victim), await send(ghost)];
          const what = `${how} ${def.type} with A's ${name}`;
          expect({ what, status: real.status, code: real.body.errors?.[0]?.code, pointer: real.body.errors?.[0]?.source?.pointer }).toEqual({ what, status: 404, code: 'related-not-found', pointer });
          expect({ what, ...wordForWord(real, victim) }).toEqual({ what, ...wordForWord(missing, ghost) });
        }
      }
    }
    expect(uncovered).toEqual([]);
  });

  it("refuses every atomic operation on A's records exactly as on missing ones, named by ref or by href", async () => {
    /** An operation, and the id of A's (or the missing) record it names. */
    type Attempt = [string, unknown, string];
    for (const { def } of resources) {
      if (!joinsShardTransaction(def)) continue;
      const bId = bIds.get(def.type)!;
      const writable = Object.entries(def.relationships ?? {}).filter(([, rel]) => rel.writable && def.permissions?.update);
      /** The two ways an operation names its target. */
      const targets = (id: string, relationship?: string): Array<[string, Record<string, unknown>]> => [
        ['ref', { ref: { type: def.type, id, ...(relationship && { relationship }) } }],
        ['href', { href: `${base(def)}/${id}${relationship ? `/relationships/${relationship}` : ''}` }],
      ];
      const operations = (id: string): Attempt[] => [
        ...(def.permissions?.update
          ? [
              ['update by data', { op: 'update', data: { type: def.type, id, attributes: {} } }, id] as Attempt,
              ...targets(id).map(([how, target]): Attempt => [`update by ${how}`, { op: 'update', ...target, data: { type: def.type, id, attributes: {} } }, id]),
            ]
          : []),
        ...(def.permissions?.delete ? targets(id).map(([how, target]): Attempt => [`remove by ${how}`, { op: 'remove', ...target }, id]) : []),
        ...writable.flatMap(([name, rel]) =>
          targets(id, name).flatMap(([how, target]): Attempt[] => {
            const data = linkageOf(rel, bIds.get(rel.type)!).data;
            return [
              [`update ${name} of A's record by ${how}`, { op: 'update', ...target, data }, id],
              ...(rel.kind === 'to-many'
                ? ([
                    [`add to ${name} of A's record by ${how}`, { op: 'add', ...target, data }, id],
                    [`remove from ${name} of A's record by ${how}`, { op: 'remove', ...target, data }, id],
                  ] as Attempt[])
                : []),
            ];
          }),
        ),
      ];
      // B's own record, pointed at A's related record.
      const pointing = (relatedOf: (type: string) => string): Attempt[] =>
        writable.flatMap(([name, rel]) =>
          targets(bId, name).flatMap(([how, target]): Attempt[] => {
            const related = relatedOf(rel.type);
            return [
              [`update ${name} of B's record to A's by ${how}`, { op: 'update', ...target, data: linkageOf(rel, related).data }, related],
              ...(rel.kind === 'to-many' ? ([[`add A's to ${name} of B's record by ${how}`, { op: 'add', ...target, data: linkageOf(rel, related).data }, related]] as Attempt[]) : []),
            ];
          }),
        );
      const onA = [...operations(aIds.get(def.type)!), ...pointing((type) => aIds.get(type)!)];
      const ghost = uuid7();
      const onGhost = [...operations(ghost), ...pointing(() => ghost)];
      for (let i = 0; i < onA.length; i++) {
        const what = `${def.type}: ${onA[i][0]}`;
        const [real, missing] = [await atomicAsB([onA[i][1]]), await atomicAsB([onGhost[i][1]])];
        expect({ what, ...wordForWord(real, onA[i][2]) }).toEqual({ what, ...wordForWord(missing, ghost) });
        expect({ what, refused: [403, 404].includes(real.status) }).toEqual({ what, refused: true });
      }
    }
  });

  describe('tokens and parameters that name another tenant', () => {
    const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { sub: string; tid: string; sid: string };
    const get = (token: string) => t.request('GET', '/api/v1/stores', { token });

    it('refuses an access token signed by us that names another tenant, whatever else it names', async () => {
      const [ca, cb] = [claimsOf(a.accessToken), claimsOf(b.accessToken)];
      const tokens = t.app.get(AccessTokenService);
      for (const claims of [
        { sub: ca.sub, sid: ca.sid, tid: cb.tid },
        { sub: cb.sub, sid: ca.sid, tid: cb.tid },
        { sub: ca.sub, sid: cb.sid, tid: cb.tid },
        { sub: ca.sub, sid: cb.sid, tid: ca.tid },
      ]) {
        const res = await get(tokens.sign(claims).token);
        expect({ claims, status: res.status, code: res.body.errors[0].code }).toEqual({ claims, status: 401, code: 'session-revoked' });
      }
      expect((await get(a.accessToken)).status).toBe(200);
    });

    it("refuses A's device token, and A's refresh and invite tokens, rewritten to name B", async () => {
      const store = (await create(t, a.accessToken, 'stores', { name: 'Token store' })).id;
      const device = (await create(t, a.accessToken, 'device-tokens', { name: 'Token till' }, { store: one('stores', store) })).attributes.token as string;
      expect((await get(device)).status).toBe(200);
      const asB = (token: string) => token.replace(a.tenantId, b.tenantId);
      expect((await get(asB(device))).status).toBe(401);

      const session = await t.request('POST', '/api/v1/sessions', { body: loginDocument(a.email, a.password), ip: freshIp() });
      const refreshToken = session.body.data.attributes.refreshToken as string;
      const refresh = (token: string) => t.request('POST', '/api/v1/sessions', { body: { data: { type: 'sessions', attributes: { refreshToken: token } } }, ip: freshIp() });
      const forged = await refresh(asB(refreshToken));
      expect({ status: forged.status, code: forged.body.errors[0].code }).toEqual({ status: 401, code: 'invalid-refresh-token' });
      // The forgery neither worked nor cost A its session.
      expect((await refresh(refreshToken)).status).toBe(201);

      const invited = await create(t, a.accessToken, 'employees', { name: 'Invited', email: `invited-${uuid7()}@example.com`, role: 'florist' });
      expect((await acceptInvite(t, asB(invited.attributes.inviteToken), 'a password for B')).status).toBe(401);
      expect((await acceptInvite(t, invited.attributes.inviteToken, 'a password for A')).status).toBe(201);
    });

    it('refuses filter[tenantId], filter[tenant] and sort=tenantId on every type, naming the parameter', async () => {
      for (const { def } of resources) {
        for (const parameter of ['filter[tenantId]', 'filter[tenant]', 'filter[tenant_id]', 'sort']) {
          const value = parameter === 'sort' ? 'tenantId' : a.tenantId;
          const res = await asB('GET', `${base(def)}?${parameter}=${value}`);
          expect({ type: def.type, parameter, status: res.status, source: res.body.errors?.[0]?.source }).toEqual({ type: def.type, parameter, status: 400, source: { parameter } });
        }
      }
    });

    it("refuses a tenant smuggled into the relationships or attributes of every type's writes, writing nothing", async () => {
      const smuggled: Array<[string, Record<string, unknown>]> = [
        ['relationships', { tenant: { data: { type: 'tenants', id: a.tenantId } } }],
        ['relationships', { tenantId: { data: { type: 'tenants', id: a.tenantId } } }],
        ['relationships', { tenants: { data: [{ type: 'tenants', id: a.tenantId }] } }],
        ['attributes', { tenantId: a.tenantId }],
      ];
      for (const { def } of resources) {
        for (const [member, value] of smuggled) {
          const name = Object.keys(value)[0];
          // B's own required relationships come first, so what is refused is the smuggled member.
          const required = Object.fromEntries(Object.entries(def.relationships ?? {}).filter(([, rel]) => rel.required).map(([n, rel]) => [n, linkageOf(rel, bIds.get(rel.type)!)]));
          const created = member === 'relationships' ? { relationships: { ...required, ...value } } : { relationships: required, attributes: value };
          const writes: Array<[string, string, unknown]> = [['POST', base(def), { data: { type: def.type, ...created } }]];
          if (bIds.has(def.type)) writes.push(['PATCH', `${base(def)}/${bIds.get(def.type)}`, { data: { type: def.type, id: bIds.get(def.type), [member]: value } }]);
          for (const [method, url, body] of writes) {
            const res = await asB(method, url, body);
            const what = `${method} ${def.type} with ${member}.${name}`;
            // 403 where the type is not written at all, or not by B's role; else the member itself is refused.
            if (res.status === 403) expect({ what, code: res.body.errors[0].code }).toEqual({ what, code: 'action-not-supported' });
            else expect({ what, status: res.status, pointer: res.body.errors?.[0]?.source?.pointer }).toEqual({ what, status: 400, pointer: `/data/${member}/${name}` });
          }
        }
      }
    });
  });

  it('wrote nothing: every record of A reads as before, and B has as many records as before', async () => {
    expect(await changedOfA()).toEqual([]);
    expect(aBefore.size).toBeGreaterThan(resources.length);
    const expected = new Map(bTotalsBefore);
    expected.set('audit-events', (bTotalsBefore.get('audit-events') ?? 0) + bExports);
    expect(Object.fromEntries(await totals(b))).toEqual(Object.fromEntries(expected));
  });

  // After the check above: this one writes B's records.
  it("creates B's record under a client-generated id one of A's records has exactly as under a fresh id, leaving A's untouched (REST and atomic)", async () => {
    /**
     * Runs B's factory of `def`'s type with `id` as the client-generated id of its
     * create of that type (sent on its own, in a batch, or `atomically`: a REST
     * create sent as an atomic add); that create's answer.
     */
    const createdWith = async (def: ResourceDefinition, id: string, atomically: boolean) => {
      let answer: { how: string; res: TestResponse } | undefined;
      const request = async (method: string, url: string, options: RequestOptions = {}): Promise<TestResponse> => {
        const body = options.body as any;
        const index = url === '/api/v1/operations' ? (body['atomic:operations'] as any[]).findIndex((op) => op.op === 'add' && op.data?.type === def.type) : -1;
        if (answer || method !== 'POST' || (index < 0 && !(url === base(def) && body?.data?.type === def.type))) return t.request(method, url, options);
        if (index >= 0) {
          const operations = body['atomic:operations'].map((op: any, i: number) => (i === index ? { ...op, data: { ...op.data, id } } : op));
          answer = { how: 'batch', res: await t.request(method, url, { ...options, body: { 'atomic:operations': operations } }) };
          return answer.res;
        }
        const data = { ...body.data, id };
        if (!atomically) {
          answer = { how: 'rest', res: await t.request(method, url, { ...options, body: { ...body, data } }) };
          return answer.res;
        }
        const res = await atomicAsB([{ op: 'add', data }]);
        answer = { how: 'atomic', res };
        // The factory reads a REST create's answer.
        return res.status === 200 ? { ...res, status: 201, body: { data: res.body['atomic:results'][0].data } } : res;
      };
      // A copy of B: the memoised factories make their records again.
      await FACTORIES[def.type]({ ...t, request }, { ...b }).catch(() => undefined);
      return answer;
    };
    /** The answer as text (timestamps and the id sent made placeholders), parsed again. */
    const normal = (res: TestResponse, sent: string) => JSON.parse(JSON.stringify({ status: res.status, body: res.body }).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>').replaceAll(sent, '<id>'));
    /** `x` with every leaf that differs between `p` and `q` (two creates under fresh ids: tokens, numbers, related records made anew) marked. */
    const steady = (x: any, p: any, q: any): unknown => {
      if (x && typeof x === 'object') return Array.isArray(x) ? x.map((v, i) => steady(v, p?.[i], q?.[i])) : Object.fromEntries(Object.entries(x).map(([k, v]) => [k, steady(v, p?.[k], q?.[k])]));
      return p === q ? x : '<varies>';
    };
    const uncovered: string[] = [];
    let creates = 0;
    for (const { def } of resources) {
      if (!def.permissions?.create || def.clientIds === false) continue;
      let how = '';
      for (const atomically of [false, true]) {
        // A batch is atomic already; a REST create goes atomic only where the type joins the shard's transaction.
        if (atomically && (how !== 'rest' || !joinsShardTransaction(def))) break;
        const fresh = [uuid7(), uuid7()];
        const [first, second] = [await createdWith(def, fresh[0], atomically), await createdWith(def, fresh[1], atomically)];
        if (!first || !second) {
          uncovered.push(def.type);
          break;
        }
        how = first.how;
        // Each pass takes an id of A's that B has not taken yet: the second, a record A makes now.
        const victim = atomically ? await FACTORIES[def.type](t, { ...a }) : aIds.get(def.type)!;
        const aView = (await listAs(a, `${base(def)}/${victim}`)).body.data;
        const real = (await createdWith(def, victim, atomically))!;
        const what = `${real.how} create of ${def.type} under A's id`;
        const [p, q] = [normal(first.res, fresh[0]), normal(second.res, fresh[1])];
        expect({ what, statuses: [first.res.status, real.res.status] }).toEqual({ what, statuses: [first.how === 'rest' ? 201 : 200, second.res.status] });
        expect({ what, answer: steady(normal(real.res, victim), p, q) }).toEqual({ what, answer: steady(p, p, q) });
        // The marked leaves hide neither A's id where a fresh create has no id of its own, nor any other record of A's.
        const text = JSON.stringify(real.res.body);
        expect({ what, named: text.split(victim).length, others: [...aEveryId].filter((id) => id !== victim && text.includes(id)) }).toEqual({
          what,
          named: JSON.stringify(first.res.body).split(fresh[0]).length,
          others: [],
        });
        const mine = await asB('GET', `${base(def)}/${victim}`);
        expect({ what, status: mine.status, id: mine.body.data?.id }).toEqual({ what, status: 200, id: victim });
        expect({ what, a: (await listAs(a, `${base(def)}/${victim}`)).body.data }).toEqual({ what, a: aView });
        creates++;
      }
    }
    expect(uncovered).toEqual([]);
    expect(creates).toBeGreaterThan(10);
    expect(await changedOfA()).toEqual([]);
  });
});
