/**
 * Serializer benchmark: one page of 100 `sales` with `include=store,lines`
 * (5 distinct stores, 3 lines each drawn from 60 distinct sale lines), rendered
 * to the JSON:API response body three ways on the same data, interleaved in one
 * process:
 *
 *   baseline            a hand-written function: object literals, then JSON.stringify
 *   facade              our JsonApiSerializer (src/infra/json-api/serializer.ts), as
 *                       ResourceEngine.list calls it, then JSON.stringify
 *   jsonapi-serializer  jsonapi-serializer 3.6.9 configured for the same document,
 *                       then JSON.stringify
 *
 * plus `jsonapi-serializer+nest`: the same library, also paying for turning the
 * graph (records + linkage) into the nested records it wants as input, which a
 * facade built on it would have to do on every request; and, for reference,
 * `stringify-only`: JSON.stringify of the baseline's document built once, the
 * floor under all of them.
 *
 * It first checks that all of them produce the same document (members and
 * resource objects; member order and the order of `included` aside) and stops if
 * not. Results go to bench/results/serializer.json.
 *
 *   npm run bench:serializer [-- --rounds 7 --round-ms 800 --warmup-ms 800 --no-write]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Serializer as JsonApiSerializerLib } from 'jsonapi-serializer';
import { defineResource } from '../src/infra/json-api/resource-definition';
import type { Linkage } from '../src/infra/json-api/resource-handler';
import { API_BASE, JsonApiSerializer } from '../src/infra/json-api/serializer';
import type { RequestContext } from '../src/infra/tenancy/request-context';
import { type SaleLineRecord, type SalesPage, type StoreRecord, DEFAULT_SHAPE, generateSalesPage } from './data/sales-page';
import { firstDifference } from './lib/compare';
import { type Variant, type VariantResult, costRatios, gcBetweenSlices, measure } from './lib/measure';
import { environment, formatInt, formatRatio, markdownTable, print, writeJson } from './lib/report';

// ---- resource definitions (throwaway, shaped like the real ones) -----------------

const saleResource = defineResource({
  type: 'sales',
  attributes: {
    number: { type: 'string', readOnly: true },
    soldAt: { type: 'datetime' },
    receivedAt: { type: 'datetime', readOnly: true },
    status: { type: 'enum', enum: ['completed', 'refunded', 'voided'] },
    subtotal: { type: 'integer' },
    discount: { type: 'integer' },
    total: { type: 'integer' },
    offline: { type: 'boolean' },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', includable: true, writable: true },
    lines: { type: 'sale-lines', kind: 'to-many', includable: true },
  },
  defaultSort: ['-soldAt'],
  page: { defaultSize: 25, maxSize: 100 },
});

const storeResource = defineResource({
  type: 'stores',
  attributes: {
    name: { type: 'string' },
    address: { type: 'string', nullable: true },
    timeZone: { type: 'string' },
    createdAt: { type: 'datetime', readOnly: true },
    updatedAt: { type: 'datetime', readOnly: true },
  },
  relationships: {},
  defaultSort: ['name'],
  page: { defaultSize: 25, maxSize: 100 },
});

const saleLineResource = defineResource({
  type: 'sale-lines',
  attributes: {
    quantity: { type: 'integer' },
    unitPrice: { type: 'integer' },
    discount: { type: 'integer' },
    total: { type: 'integer' },
  },
  relationships: {},
  defaultSort: ['id'],
  page: { defaultSize: 25, maxSize: 100 },
});

// ---- the data ---------------------------------------------------------------------

const page: SalesPage = generateSalesPage(DEFAULT_SHAPE);
const ctx: Pick<RequestContext, 'role'> = { role: 'owner' };

// ---- (a) baseline: the document written out by hand -------------------------------

function buildByHand(p: SalesPage) {
  const data = p.primary.map(({ record: s, linkage }) => {
    const self = `/api/v1/sales/${s.id}`;
    return {
      type: 'sales',
      id: s.id,
      links: { self },
      attributes: {
        number: s.number,
        soldAt: s.soldAt.toISOString(),
        receivedAt: s.receivedAt.toISOString(),
        status: s.status,
        subtotal: s.subtotal,
        discount: s.discount,
        total: s.total,
        offline: s.offline,
      },
      relationships: {
        store: {
          links: { self: `${self}/relationships/store`, related: `${self}/store` },
          data: { type: 'stores', id: linkage.store },
        },
        lines: {
          links: { self: `${self}/relationships/lines`, related: `${self}/lines` },
          data: linkage.lines.map((id) => ({ type: 'sale-lines', id })),
        },
      },
    };
  });
  const stores = p.included.stores.map((s) => ({
    type: 'stores',
    id: s.id,
    links: { self: `/api/v1/stores/${s.id}` },
    attributes: { name: s.name, address: s.address, timeZone: s.timeZone, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() },
  }));
  const lines = p.included.lines.map((l) => ({
    type: 'sale-lines',
    id: l.id,
    links: { self: `/api/v1/sale-lines/${l.id}` },
    attributes: { quantity: l.quantity, unitPrice: l.unitPrice, discount: l.discount, total: l.total },
  }));
  return { jsonapi: { version: '1.1' }, links: p.links, data, included: [...stores, ...lines], meta: { total: p.total } };
}

const handWritten = (p: SalesPage): string => JSON.stringify(buildByHand(p));

/** For reference: the document built once, so only JSON.stringify is timed (the floor under every variant). */
const prebuilt = buildByHand(page);

// ---- (b) our facade, called as ResourceEngine.list calls it ------------------------

const serializer = new JsonApiSerializer();

/** The graph nodes ResourceGraph would hand over (built once: loading is not serializing). */
const primaryNodes = page.primary.map(({ record, linkage }) => ({ def: saleResource, record, linkage: linkage as unknown as Record<string, Linkage> }));
const includedNodes = [
  ...page.included.stores.map((record) => ({ def: storeResource, record, linkage: {} as Record<string, Linkage> })),
  ...page.included.lines.map((record) => ({ def: saleLineResource, record, linkage: {} as Record<string, Linkage> })),
];

function viaFacade(p: SalesPage): string {
  const data = primaryNodes.map((n) => serializer.resourceObject(ctx, n.def, n.record, { linkage: n.linkage, fields: undefined }));
  const included = includedNodes.map((n) => serializer.resourceObject(ctx, n.def, n.record, { linkage: n.linkage, fields: undefined }));
  return JSON.stringify(serializer.document({ links: p.links, data, included, meta: { total: p.total } }));
}

// ---- (c) jsonapi-serializer 3.6.9 --------------------------------------------------

const TYPES: Record<string, string> = { sales: 'sales', store: 'stores', lines: 'sale-lines' };
const attributeNames = (def: { attributes: object }) => Object.keys(def.attributes);
const selfOf = (path: string) => (record: { id: string }) => `${API_BASE}/${path}/${record.id}`;

/** Its options, as a facade over it would set them for this page. Given the favourable settings: names pass through unchanged. */
function libraryOptions(p: SalesPage) {
  const relationshipLinks = (name: string) => ({
    self: (sale: { id: string }) => `${API_BASE}/sales/${sale.id}/relationships/${name}`,
    related: (sale: { id: string }) => `${API_BASE}/sales/${sale.id}/${name}`,
  });
  return {
    keyForAttribute: (name: string) => name,
    pluralizeType: false,
    typeForAttribute: (name: string) => TYPES[name],
    topLevelLinks: p.links,
    meta: { total: p.total },
    dataLinks: { self: selfOf('sales') },
    attributes: [...attributeNames(saleResource), 'store', 'lines'],
    store: {
      ref: 'id',
      attributes: attributeNames(storeResource),
      relationshipLinks: relationshipLinks('store'),
      includedLinks: { self: (_: unknown, store: StoreRecord) => `${API_BASE}/stores/${store.id}` },
    },
    lines: {
      ref: 'id',
      attributes: attributeNames(saleLineResource),
      relationshipLinks: relationshipLinks('lines'),
      includedLinks: { self: (_: unknown, line: SaleLineRecord) => `${API_BASE}/sale-lines/${line.id}` },
    },
  };
}

const storesById = new Map(page.included.stores.map((s) => [s.id, s]));
const linesById = new Map(page.included.lines.map((l) => [l.id, l]));

/** The input shape jsonapi-serializer wants: each sale with its store and lines embedded. */
const nest = (p: SalesPage) =>
  p.primary.map(({ record, linkage }) => ({ ...record, store: storesById.get(linkage.store)!, lines: linkage.lines.map((id) => linesById.get(id)!) }));

const nestedSales = nest(page);

function viaLibrary(p: SalesPage, records: ReturnType<typeof nest>): string {
  const body = new JsonApiSerializerLib('sales', libraryOptions(p)).serialize(records);
  return JSON.stringify({ jsonapi: { version: '1.1' }, ...body });
}

// ---- the run ----------------------------------------------------------------------

const variants: Variant[] = [
  { name: 'baseline', label: '(a) hand-written object literals + JSON.stringify', run: () => handWritten(page) },
  { name: 'facade', label: '(b) JsonApiSerializer (our facade) + JSON.stringify', run: () => viaFacade(page) },
  { name: 'jsonapi-serializer', label: '(c) jsonapi-serializer 3.6.9 + JSON.stringify', run: () => viaLibrary(page, nestedSales) },
  {
    name: 'jsonapi-serializer+nest',
    label: '(c′) the same, nesting the graph into its input shape each time',
    run: () => viaLibrary(page, nest(page)),
  },
  { name: 'stringify-only', label: '(s) for reference: JSON.stringify alone of (a)’s document, built once', run: () => JSON.stringify(prebuilt) },
];

/**
 * The documents must be the same: same members and resource objects, member order
 * and the order of `included` aside (JSON:API gives neither a meaning). One more
 * allowance: jsonapi-serializer gives an included resource reached more than once
 * an empty `relationships` object (lodash `merge` into a missing member), which
 * says nothing; it is dropped before comparing. Answers each variant's bytes.
 */
function checkEquivalent(): { bytes: Record<string, number>; identical: string[] } {
  type Doc = { data: unknown[]; included: { type: string; id: string; relationships?: object }[] };
  const normalise = (json: string): Doc => {
    const doc = JSON.parse(json) as Doc;
    for (const resource of doc.included) if (resource.relationships && !Object.keys(resource.relationships).length) delete resource.relationships;
    doc.included.sort((x, y) => (x.type === y.type ? (x.id < y.id ? -1 : 1) : x.type < y.type ? -1 : 1));
    return doc;
  };
  const outputs = variants.map((v) => v.run());
  const expected = normalise(outputs[0]);
  const resources = page.primary.length + page.included.stores.length + page.included.lines.length;
  if (expected.data.length + expected.included.length !== resources) throw new Error(`the baseline renders ${expected.data.length} + ${expected.included.length} resources, not ${resources}`);
  variants.forEach((v, i) => {
    const difference = firstDifference(normalise(outputs[i]), expected);
    if (difference) throw new Error(`${v.name} does not produce the baseline's document, so the comparison would be meaningless: ${difference}`);
  });
  return {
    bytes: Object.fromEntries(variants.map((v, i) => [v.name, Buffer.byteLength(outputs[i])])),
    identical: variants.filter((v, i) => i > 0 && outputs[i] === outputs[0]).map((v) => v.name),
  };
}

function main(): void {
  const { values: args } = parseArgs({
    options: {
      rounds: { type: 'string', default: '7' },
      'round-ms': { type: 'string', default: '800' },
      'warmup-ms': { type: 'string', default: '800' },
      'no-write': { type: 'boolean', default: false },
      /** Comma-separated variant names to time (the baseline always runs), e.g. for profiling one with --cpu-prof. */
      only: { type: 'string' },
    },
  });
  const only = args.only?.split(',');
  if (only) for (const name of only) if (!variants.some((v) => v.name === name)) throw new Error(`no variant ${name}; there are ${variants.map((v) => v.name).join(', ')}`);
  const timed = only ? variants.filter((v, i) => i === 0 || only.includes(v.name)) : variants;
  const method = { warmupMs: Number(args['warmup-ms']), rounds: Number(args.rounds), roundMs: Number(args['round-ms']) };
  const env = environment();
  const libraryVersion = (JSON.parse(readFileSync(require.resolve('jsonapi-serializer/package.json'), 'utf8')) as { version: string }).version;

  const { bytes, identical } = checkEquivalent();
  print(`serializer benchmark: ${page.primary.length} sales, include=store,lines (${page.included.stores.length} stores, ${page.included.lines.length} sale lines)`);
  print(`all ${variants.length} variants produce the same document (${formatInt(bytes.baseline)} bytes from the baseline; byte for byte the same string: ${identical.join(', ')})`);
  print(`${env.node} on ${env.cpu.model} x${env.cpu.count}; ${method.rounds} rounds of ${method.roundMs} ms after ${method.warmupMs} ms warm-up${gcBetweenSlices ? ', GC between slices' : ''}`);

  const results = measure(timed, {
    ...method,
    onRound: (round, ops) => print(`  round ${round}: ${timed.map((v) => `${v.name} ${formatInt(ops[v.name])}`).join(', ')} ops/s`),
  });
  const [baseline] = results;
  const rows = results.map((r: VariantResult) => {
    const cost = costRatios(baseline, r);
    return { ...r, bytes: bytes[r.name], costVsBaseline: cost };
  });

  print();
  const table = markdownTable(
    ['variant', 'ops/s (median)', 'ops/s (min–max)', 'µs/op', 'cost vs (a) (median of rounds)', 'per-round range', 'bytes'],
    rows.map((r) => [
      r.label,
      formatInt(r.opsPerSec.median),
      `${formatInt(r.opsPerSec.min)}–${formatInt(r.opsPerSec.max)}`,
      r.microsPerOp.toFixed(0),
      formatRatio(r.costVsBaseline.median),
      `${formatRatio(r.costVsBaseline.min)}–${formatRatio(r.costVsBaseline.max)}`,
      formatInt(r.bytes),
    ]),
  );
  print(table);

  if (only) {
    print('\n(--only: some variants were not timed; no conclusion, nothing written)');
    return;
  }
  const row = (name: string) => rows.find((r) => r.name === name)!;
  const cost = (name: string) => row(name).costVsBaseline.median;
  /** Microseconds spent building the document: the variant's time per operation less JSON.stringify's alone. */
  const building = (name: string) => row(name).microsPerOp - row('stringify-only').microsPerOp;
  const conclusion = {
    threshold: 3,
    jsonapiSerializerCost: cost('jsonapi-serializer'),
    jsonapiSerializerOverThreshold: cost('jsonapi-serializer') > 3,
    facadeCost: cost('facade'),
    facadeVsJsonapiSerializer: cost('jsonapi-serializer') / cost('facade'),
    buildingMicros: { baseline: building('baseline'), facade: building('facade'), jsonapiSerializer: building('jsonapi-serializer') },
  };
  print();
  print(
    `jsonapi-serializer costs ${formatRatio(conclusion.jsonapiSerializerCost)} the baseline (${conclusion.jsonapiSerializerOverThreshold ? 'over' : 'not over'} the 3x threshold); ` +
      `our facade costs ${formatRatio(conclusion.facadeCost)}, ${conclusion.facadeVsJsonapiSerializer.toFixed(1)} times faster than jsonapi-serializer.`,
  );
  const b = conclusion.buildingMicros;
  print(
    `JSON.stringify alone takes ${row('stringify-only').microsPerOp.toFixed(0)} µs; building the document before it takes about ` +
      `${b.baseline.toFixed(0)} µs by hand, ${b.facade.toFixed(0)} µs in the facade, ${b.jsonapiSerializer.toFixed(0)} µs in jsonapi-serializer (medians, subtracted).`,
  );

  if (!args['no-write']) {
    const path = join(__dirname, 'results', 'serializer.json');
    writeJson(path, {
      benchmark: 'serializer',
      scenario: {
        description: 'GET /api/v1/sales?include=store,lines&page[size]=100 rendered to the response body (serialize + JSON.stringify); loading not included',
        shape: DEFAULT_SHAPE,
        primary: page.primary.length,
        included: { stores: page.included.stores.length, 'sale-lines': page.included.lines.length },
        bytes: bytes.baseline,
        identicalToBaseline: identical,
        jsonapiSerializerVersion: libraryVersion,
      },
      environment: env,
      method: { ...method, interleaved: true, orderRotatedEachRound: true, gcBetweenSlices, ratio: 'baseline ops/s ÷ variant ops/s in the same round; median over rounds' },
      variants: rows.map((r) => ({
        name: r.name,
        label: r.label,
        opsPerSec: { median: Math.round(r.opsPerSec.median), min: Math.round(r.opsPerSec.min), max: Math.round(r.opsPerSec.max), rounds: r.rounds.map(Math.round) },
        microsPerOp: Math.round(r.microsPerOp * 10) / 10,
        costVsBaseline: { median: round2(r.costVsBaseline.median), min: round2(r.costVsBaseline.min), max: round2(r.costVsBaseline.max) },
        bytes: r.bytes,
      })),
      conclusion: {
        ...conclusion,
        jsonapiSerializerCost: round2(conclusion.jsonapiSerializerCost),
        facadeCost: round2(conclusion.facadeCost),
        facadeVsJsonapiSerializer: round2(conclusion.facadeVsJsonapiSerializer),
        buildingMicros: { baseline: Math.round(b.baseline), facade: Math.round(b.facade), jsonapiSerializer: Math.round(b.jsonapiSerializer) },
        buildingMicrosNote: 'median µs/op of each variant less that of stringify-only: the time spent building the object that JSON.stringify then writes',
      },
    });
    print(`results written to ${path}`);
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

main();
