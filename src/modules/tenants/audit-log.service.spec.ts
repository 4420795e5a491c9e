import { Logger } from '@nestjs/common';
import { recordExport } from '../../infra/audit/audit-export';
import { AuditAction, type AuditEventInput, type AuditSink } from '../../infra/audit/audit-sink';
import type { CatalogDatabase } from '../../infra/database/catalog-database';
import { Metrics } from '../../infra/observability/metrics';
import type { EncryptionProvider } from '../secrets/encryption.provider';
import { SecretsError } from '../secrets/secrets.errors';
import { AuditLogService } from './audit-log.service';

const actor = { tenantId: '01900000-0000-7000-8000-000000000001', userId: '01900000-0000-7000-8000-000000000002', actor: 'user' as const, clientIp: '10.1.2.3' };

describe(AuditLogService.name, () => {
  let metrics: Metrics;
  let insert: jest.Mock;
  let encrypt: jest.Mock;
  let errors: jest.SpyInstance;
  let sut: AuditLogService;

  beforeEach(() => {
    metrics = new Metrics();
    insert = jest.fn().mockResolvedValue(undefined);
    const catalog = { manager: { insert } } as unknown as CatalogDatabase;
    encrypt = jest.fn(async (_tenant: string, values: string[]) => values.map(() => 'vault:v1:sealed'));
    const encryption = { encrypt } as unknown as EncryptionProvider;
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    sut = new AuditLogService(catalog, encryption, metrics);
  });
  afterEach(() => errors.mockRestore());

  const lost = async () => (await metrics.registry.getSingleMetric('bloomdesk_audit_events_lost_total')!.get()).values.map((v) => [v.labels.action, v.value]);
  const failing = () => insert.mockRejectedValue(Object.assign(new Error(`insert into audit_events for ${actor.tenantId} from ${actor.clientIp}`), { name: 'QueryFailedError', code: 'ER_NO_SUCH_TABLE' }));

  it('writes the event with the address encrypted', async () => {
    await sut.record(actor, { action: 'login.succeeded', targetType: 'employees', targetId: actor.userId });
    expect(insert).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ action: 'login.succeeded', actorId: actor.userId, ipCiphertext: 'vault:v1:sealed', ipWithheld: false }));
    expect(await lost()).toEqual([]);
  });

  it('writes the event without its address, marked withheld, while secrets are unavailable', async () => {
    const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      encrypt.mockRejectedValue(SecretsError.unavailable('Vault is sealed.'));
      await sut.recordOrFail(actor, { action: 'stores.deleted', targetType: 'stores', targetId: actor.userId });
      expect(insert).toHaveBeenCalledTimes(1);
      const row = insert.mock.calls[0][1];
      expect(row).toMatchObject({ action: 'stores.deleted', targetId: actor.userId, ipCiphertext: null, ipWithheld: true });
      // Never the address in the clear, in any column.
      expect(JSON.stringify(row)).not.toContain(actor.clientIp);
      expect(await lost()).toEqual([]);
      const warned = warnings.mock.calls.map((c) => String(c[0])).join('\n');
      expect(warned).toContain('audit event stores.deleted recorded without its address');
      expect(warned).not.toContain(actor.clientIp);
    } finally {
      warnings.mockRestore();
    }
  });

  it('does not mark an event without an address as withheld', async () => {
    await sut.record({ ...actor, clientIp: undefined }, { action: 'device.created' });
    expect(encrypt).not.toHaveBeenCalled();
    expect(insert).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ ipCiphertext: null, ipWithheld: false }));
  });

  it('still loses the event on any other encryption failure (a broken key is not an outage)', async () => {
    encrypt.mockRejectedValue(SecretsError.ciphertextInvalid(0));
    await expect(sut.record(actor, { action: 'login.failed' })).resolves.toBeUndefined();
    encrypt.mockRejectedValue(new TypeError('unexpected'));
    await expect(sut.recordOrFail(actor, { action: AuditAction.DataExported })).rejects.toThrow(TypeError);
    expect(insert).not.toHaveBeenCalled();
    expect(await lost()).toEqual([
      ['login.failed', 1],
      [AuditAction.DataExported, 1],
    ]);
  });

  it('does not fail the request when an event cannot be written, but logs it without personal data and counts it', async () => {
    failing();
    await expect(sut.record(actor, { action: 'login.failed' })).resolves.toBeUndefined();
    await expect(sut.record(actor, { action: 'login.failed' })).resolves.toBeUndefined();
    expect(await lost()).toEqual([['login.failed', 2]]);
    const logged = errors.mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toContain('audit event login.failed not recorded: QueryFailedError (ER_NO_SUCH_TABLE)');
    expect(logged).not.toContain(actor.clientIp);
    expect(logged).not.toContain(actor.tenantId);
  });

  it('fails an act that must be on record when its event cannot be written', async () => {
    failing();
    await expect(sut.recordOrFail(actor, { action: AuditAction.DataExported })).rejects.toMatchObject({ code: 'ER_NO_SUCH_TABLE' });
    expect(await lost()).toEqual([[AuditAction.DataExported, 1]]);
  });
});

describe(recordExport.name, () => {
  it('puts who exported what on record first, with filter names but never their values', async () => {
    const events: AuditEventInput[] = [];
    const sink: AuditSink = { record: jest.fn(), recordOrFail: jest.fn(async (_actor, event) => void events.push(event)) };
    await recordExport(sink, actor, { type: 'customers', format: 'csv', rows: 120, filters: ['updatedSince', 'phone'] });
    expect(sink.recordOrFail).toHaveBeenCalledWith(actor, expect.anything());
    expect(events).toEqual([{ action: 'data.exported', targetType: 'customers', details: { format: 'csv', rows: 120, filters: 'phone,updatedSince' } }]);
  });

  it('refuses the export when it cannot be recorded', async () => {
    const sink: AuditSink = { record: jest.fn(), recordOrFail: jest.fn().mockRejectedValue(new Error('catalog down')) };
    await expect(recordExport(sink, actor, { type: 'customers', format: 'csv', rows: 1 })).rejects.toThrow('catalog down');
  });
});
