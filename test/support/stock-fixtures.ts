import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import type { RequestContext } from '../../src/infra/tenancy/request-context';
import type { TestApp } from './app-harness';
import { create, one } from './catalog-fixtures';
import { type Shop, shardOf, storeDocument } from './fixtures';

export const ATOMIC_TYPE = 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"';

/** POST /api/v1/operations. */
export const atomic = (t: TestApp, token: string, operations: unknown[], headers: Record<string, string> = {}) =>
  t.request('POST', '/api/v1/operations', { token, body: { 'atomic:operations': operations }, headers: { 'content-type': ATOMIC_TYPE, accept: ATOMIC_TYPE, ...headers } });

export async function newStore(t: TestApp, token: string, name: string): Promise<string> {
  const res = await t.request('POST', '/api/v1/stores', { token, body: storeDocument({ name }) });
  if (res.status !== 201) throw new Error(`creating a store failed: ${res.status} ${res.text}`);
  return res.body.data.id;
}

export interface LineSpec {
  product: string;
  quantity: string;
  unitCost?: number;
}

/** A document and its lines as atomic operations: the lines name the document by lid. */
export function documentOperations(
  type: string,
  relationshipOfLine: string,
  document: { attributes?: Record<string, unknown>; relationships: Record<string, unknown> },
  lines: LineSpec[],
  lineAttributes: (line: LineSpec) => Record<string, unknown> = ({ quantity, unitCost }) => ({ quantity, ...(unitCost !== undefined && { unitCost }) }),
) {
  return [
    { op: 'add', data: { type, lid: 'doc', attributes: document.attributes ?? {}, relationships: document.relationships } },
    ...lines.map((line) => ({
      op: 'add',
      data: {
        type: `${type.replace(/s$/, '')}-lines`,
        attributes: lineAttributes(line),
        relationships: { [relationshipOfLine]: { data: { type, lid: 'doc' } }, product: one('products', line.product) },
      },
    })),
  ];
}

export const receiptOperations = (storeId: string, lines: LineSpec[], attributes: Record<string, unknown> = {}, supplierId?: string) =>
  documentOperations('goods-receipts', 'goodsReceipt', { attributes, relationships: { store: one('stores', storeId), ...(supplierId && { supplier: one('suppliers', supplierId) }) } }, lines);

/** Receives goods through the API; fails loudly otherwise. */
export async function receive(t: TestApp, token: string, storeId: string, lines: LineSpec[], attributes: Record<string, unknown> = {}) {
  const res = await atomic(t, token, receiptOperations(storeId, lines, attributes));
  if (res.status !== 200) throw new Error(`receipt failed: ${res.status} ${res.text}`);
  return res.body['atomic:results'] as Array<{ data: { id: string; attributes: Record<string, any>; relationships: Record<string, any> } }>;
}

export const stemProduct = (t: TestApp, token: string, name: string, extra: Record<string, unknown> = {}) =>
  create(t, token, 'products', { name, kind: 'flower', unit: 'stem', price: 15000, shelfLifeDays: 7, ...extra });

/** The level of a product in a store through the API ("0" when there is none). */
export async function levelOf(t: TestApp, token: string, storeId: string, productId: string): Promise<string> {
  const res = await t.request('GET', `/api/v1/stock-levels?filter[store]=${storeId}&filter[product]=${productId}`, { token });
  if (res.status !== 200) throw new Error(`reading the level failed: ${res.status} ${res.text}`);
  return res.body.data[0]?.attributes.quantity ?? '0';
}

/**
 * A request context for calling services directly, as the owner of `shop` (the
 * sales module will call StockLedger from inside its own requests).
 */
export async function serviceContext(t: TestApp, shop: Shop): Promise<RequestContext> {
  const [owner] = await t.app.get(CatalogDatabase).dataSource.query('SELECT id FROM users WHERE tenant_id = ? AND role = ?', [shop.tenantId, 'owner']);
  return {
    requestId: 'test',
    tenantId: shop.tenantId,
    shardId: await shardOf(t, shop.tenantId),
    userId: owner.id,
    role: 'owner',
    sessionId: 'test',
    actor: 'user',
    currency: 'RUB',
    storeIds: 'all',
    features: [],
  };
}

/**
 * Records of every stock type for the cross-tenant suite, all from one small
 * history per shop (made on first use): a receipt, a write-off, a transfer, a count.
 */
const histories = new WeakMap<Shop, Promise<Record<string, string>>>();

async function stockHistory(t: TestApp, shop: Shop): Promise<Record<string, string>> {
  const token = shop.accessToken;
  const [store, other] = [await newStore(t, token, 'Stock fixture'), await newStore(t, token, 'Stock fixture 2')];
  const rose = await stemProduct(t, token, 'Stock fixture rose');
  const [receipt, receiptLine] = await receive(t, token, store, [{ product: rose.id, quantity: '10', unitCost: 100 }]);
  const made = async (operations: unknown[]) => {
    const res = await atomic(t, token, operations);
    if (res.status !== 200) throw new Error(`stock fixture failed: ${res.status} ${res.text}`);
    return res.body['atomic:results'].map((r: { data: { id: string } }) => r.data.id) as string[];
  };
  const [writeOff, writeOffLine] = await made(documentOperations('write-offs', 'writeOff', { attributes: { reason: 'wilted' }, relationships: { store: one('stores', store) } }, [{ product: rose.id, quantity: '1' }]));
  const [transfer, transferLine] = await made(documentOperations('transfers', 'transfer', { relationships: { fromStore: one('stores', store), toStore: one('stores', other) } }, [{ product: rose.id, quantity: '1' }]));
  const [count, countLine] = await made(
    documentOperations('stock-counts', 'stockCount', { relationships: { store: one('stores', store) } }, [{ product: rose.id, quantity: '7' }], ({ quantity }) => ({ countedQuantity: quantity })),
  );
  const first = async (type: string) => (await t.request('GET', `/api/v1/${type}?filter[store]=${store}&page[size]=1`, { token })).body.data[0].id as string;
  return {
    'goods-receipts': receipt.data.id,
    'goods-receipt-lines': receiptLine.data.id,
    'write-offs': writeOff,
    'write-off-lines': writeOffLine,
    transfers: transfer,
    'transfer-lines': transferLine,
    'stock-counts': count,
    'stock-count-lines': countLine,
    'stock-levels': await first('stock-levels'),
    'stock-batches': await first('stock-batches'),
    'stock-movements': await first('stock-movements'),
  };
}

export const STOCK_FACTORIES: Record<string, (t: TestApp, shop: Shop) => Promise<string>> = Object.fromEntries(
  [
    'goods-receipts',
    'goods-receipt-lines',
    'write-offs',
    'write-off-lines',
    'transfers',
    'transfer-lines',
    'stock-counts',
    'stock-count-lines',
    'stock-levels',
    'stock-batches',
    'stock-movements',
  ].map((type) => [
    type,
    async (t: TestApp, shop: Shop) => {
      if (!histories.has(shop)) histories.set(shop, stockHistory(t, shop));
      return (await histories.get(shop)!)[type];
    },
  ]),
);
