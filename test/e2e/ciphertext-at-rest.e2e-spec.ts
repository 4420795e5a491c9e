import { createClient } from '@keyv/redis';
import { randomBytes, randomInt } from 'node:crypto';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, acceptInvite, freshIp, loginDocument, newShop, shardOf, uniqueEmail } from '../support/fixtures';
import { allDatabases, dumpDatabase, plaintextForms } from '../support/raw-tables';
import { REDIS_TEST_URL } from '../support/services-env';
import { placeOrder } from '../support/order-fixtures';
import { newStore, stemProduct } from '../support/stock-fixtures';

// If the databases, the cache or the logs are copied, the sensitive data in them is
// ciphertext. Every value written here is unique to this run, so a hit is ours.

const marker = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;
const phone = () => `+7 916 ${randomInt(100, 999)}-${randomInt(10, 99)}-${randomInt(10, 99)}`;

/** Every key of the app's Redis database with everything it holds, as text. */
async function redisContents(): Promise<string[]> {
  const redis = createClient({ url: REDIS_TEST_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  redis.on('error', () => undefined);
  await redis.connect();
  const found: string[] = [];
  try {
    for await (const keys of redis.scanIterator({ COUNT: 500 })) {
      for (const key of ([] as string[]).concat(keys)) {
        const type = await redis.type(key);
        const value =
          type === 'string' ? await redis.get(key)
          : type === 'hash' ? await redis.hGetAll(key)
          : type === 'list' ? await redis.lRange(key, 0, -1)
          : type === 'set' ? await redis.sMembers(key)
          : type === 'zset' ? await redis.zRange(key, 0, -1)
          : `(${type})`;
        found.push(`${key} ${JSON.stringify(value)}`);
      }
    }
  } finally {
    await redis.close();
  }
  return found;
}

describe(`sensitive data at rest is ciphertext only (${PROFILE})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Everything written to stdout or stderr (passed on) or to the console (kept back) from now on: a library printing beside the logger. */
  function captureOutput(): { printed: string[]; stop: () => void } {
    const printed: string[] = [];
    const spies = [
      ...[process.stdout, process.stderr].map((stream) => {
        const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
        return jest.spyOn(stream, 'write').mockImplementation((...args: unknown[]) => (printed.push(String(args[0])), write(...args)));
      }),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
        jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' '))),
      ),
    ];
    return { printed, stop: () => spies.forEach((spy) => spy.mockRestore()) };
  }

  it('leaves no plaintext in any table of the catalog or the shards, in Redis, in the logs or on stdout/stderr', async () => {
    const output = captureOutput();
    const ownerName = marker('Zelda');
    const email = uniqueEmail(marker('zelda'));
    const shop = await newShop(t, { ownerName, email });
    const supplierPhone = phone();
    const idempotentPhone = phone();
    const integrationValue = marker('sk_live');
    const employee = { name: marker('Olga'), email: uniqueEmail(marker('olga')), phone: phone() };
    const post = (type: string, attributes: Record<string, unknown>, headers?: Record<string, string>) =>
      t.request('POST', `/api/v1/${type}`, { token: shop.accessToken, body: { data: { type, attributes } }, headers });

    expect((await post('suppliers', { name: 'Roses of Ecuador', contactPhone: supplierPhone })).status).toBe(201);
    // The answer holds the phone, and the server keeps the answer for replays.
    const idempotent = await post('suppliers', { name: 'Tulip farm', contactPhone: idempotentPhone }, { 'idempotency-key': marker('key') });
    expect(idempotent.text).toContain(idempotentPhone);
    expect((await post('integration-secrets', { name: 'Terminal', kind: 'payment-terminal', value: integrationValue })).status).toBe(201);
    const hired = await post('employees', { ...employee, role: 'manager' });
    expect(hired.status).toBe(201);
    expect((await acceptInvite(t, hired.body.data.attributes.inviteToken, 'a long first password')).status).toBe(201);
    // Found through the blind indexes, written another way than stored: the filter values go into URLs and access logs.
    const otherPhone = `8 (${employee.phone.slice(3, 6)}) ${employee.phone.slice(7)}`;
    const otherEmail = employee.email.toUpperCase();
    for (const filter of [`filter[phone]=${encodeURIComponent(otherPhone)}`, `filter[email]=${encodeURIComponent(otherEmail)}`]) {
      const found = await t.request('GET', `/api/v1/employees?${filter}`, { token: shop.accessToken });
      expect({ filter, ids: found.body.data.map((e: { id: string }) => e.id) }).toEqual({ filter, ids: [hired.body.data.id] });
    }
    // An order's recipient, address and card message; found by the phone written another way.
    const recipient = { recipientName: marker('Vera'), recipientPhone: phone(), address: marker('Tverskaya'), cardMessage: marker('With love') };
    const store = await newStore(t, shop.accessToken, 'Order store');
    const rose = await stemProduct(t, shop.accessToken, 'Order rose');
    const { order } = await placeOrder(t, shop.accessToken, store, [{ product: rose.id, quantity: '1' }], recipient);
    const recipientOther = `8 (${recipient.recipientPhone.slice(3, 6)}) ${recipient.recipientPhone.slice(7)}`;
    const byRecipient = await t.request('GET', `/api/v1/orders?filter[recipientPhone]=${encodeURIComponent(recipientOther)}`, { token: shop.accessToken });
    expect(byRecipient.body.data.map((o: { id: string }) => o.id)).toEqual([order]);
    expect(byRecipient.body.data[0].attributes).toMatchObject(recipient);
    // A failed login for the e-mail, and a good one: the rate limiter keeps counters by e-mail.
    await t.request('POST', '/api/v1/sessions', { body: loginDocument(email, 'wrong password!'), ip: freshIp() });
    expect((await t.request('POST', '/api/v1/sessions', { body: loginDocument(email, shop.password), ip: freshIp() })).status).toBe(201);
    output.stop();

    const phones = [supplierPhone, idempotentPhone, employee.phone, otherPhone, recipient.recipientPhone, recipientOther].flatMap((p) => [p, p.replace(/\D/g, ''), `+7${p.replace(/\D/g, '').slice(-10)}`]);
    const plaintexts = [ownerName, email, integrationValue, employee.name, employee.email, otherEmail, recipient.recipientName, recipient.address, recipient.cardMessage, ...phones];
    const forms = plaintexts.flatMap((p) => [...plaintextForms(p), encodeURIComponent(p)].map((form) => ({ plaintext: p, form })));
    const hits: string[] = [];
    const search = (where: string, text: string) => {
      for (const { plaintext, form } of forms) if (text.includes(form)) hits.push(`${plaintext} in ${where}`);
    };

    let tablesRead = 0;
    for (const [database, db] of await allDatabases(t)) {
      for (const { table, rows } of await dumpDatabase(db)) {
        tablesRead++;
        rows.forEach((values, i) => values.forEach((value) => search(`${database}.${table} row ${i}`, value)));
      }
    }
    if (PROFILE === 'services') for (const entry of await redisContents()) search('redis', entry);
    t.logs.forEach((line, i) => search(`log line ${i}`, line));
    output.printed.forEach((text, i) => search(`output ${i}`, text));

    expect(hits).toEqual([]);
    // The search looked where the data is: the tables that hold it and the log of the requests, filters included.
    expect(tablesRead).toBeGreaterThanOrEqual(8);
    expect(t.logs.join('\n')).toContain('/api/v1/employees?filter');
  });

  it("does not decrypt tenant A's ciphertext copied into tenant B's row: B's read fails naming B's record", async () => {
    const [a, b]: Shop[] = [await newShop(t), await newShop(t)];
    const phoneOfA = phone();
    const create = async (shop: Shop, contactPhone: string) =>
      (await t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, body: { data: { type: 'suppliers', attributes: { name: 'Supplier', contactPhone } } } })).body.data.id as string;
    const supplierOfA = await create(a, phoneOfA);
    const supplierOfB = await create(b, phone());
    const shards = t.app.get(ShardRegistry);
    const dbA = await shards.dataSource(await shardOf(t, a.tenantId));
    const dbB = await shards.dataSource(await shardOf(t, b.tenantId));
    const [{ c: ciphertextOfA }] = await dbA.query('SELECT contact_phone_ciphertext AS c FROM suppliers WHERE tenant_id = ? AND id = ?', [a.tenantId, supplierOfA]);
    await dbB.query('UPDATE suppliers SET contact_phone_ciphertext = ? WHERE tenant_id = ? AND id = ?', [ciphertextOfA, b.tenantId, supplierOfB]);
    const logsBefore = t.logs.length;

    const res = await t.request('GET', `/api/v1/suppliers/${supplierOfB}`, { token: b.accessToken });

    expect(res.status).toBe(500);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ status: '500', code: 'ciphertext-invalid', detail: `The stored contactPhone of suppliers ${supplierOfB} cannot be decrypted.` }),
    ]);
    expect(res.text).not.toContain(phoneOfA);
    const logged = t.logs.slice(logsBefore).join('\n');
    expect(logged).toContain(supplierOfB);
    expect(logged).not.toContain(ciphertextOfA.split(':')[2].slice(0, 24));
    // A's own read is untouched.
    expect((await t.request('GET', `/api/v1/suppliers/${supplierOfA}`, { token: a.accessToken })).body.data.attributes.contactPhone).toBe(phoneOfA);
  });
});
