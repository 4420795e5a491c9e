import { Logger } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { JsonApiExceptionFilter, retryAfterOf, toErrorObjects } from './json-api-exception.filter';

/** What TypeORM throws when mysql2 reports `code` (with its errno): a QueryFailedError around the driver's error. */
const mysqlFailure = (code: string, errno: number, message: string) =>
  new QueryFailedError('UPDATE stock_levels SET quantity = ? WHERE tenant_id = ?', ['12', 'tenant-a'], Object.assign(new Error(message), { code, errno, sqlState: '40001' }));

const deadlock = () => mysqlFailure('ER_LOCK_DEADLOCK', 1213, 'Deadlock found when trying to get lock; try restarting transaction');
const lockWait = () => mysqlFailure('ER_LOCK_WAIT_TIMEOUT', 1205, 'Lock wait timeout exceeded; try restarting transaction');

describe(JsonApiExceptionFilter.name, () => {
  let sut: JsonApiExceptionFilter;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    sut = new JsonApiExceptionFilter();
  });
  afterEach(() => jest.restoreAllMocks());

  /** Runs the filter on `error` and returns what it sent. */
  function send(error: unknown) {
    const headers: Record<string, string> = {};
    let status = 0;
    let body: any;
    const reply = {
      header: (name: string, value: string) => ((headers[name] = value), reply),
      status: (code: number) => ((status = code), reply),
      send: (payload: unknown) => ((body = payload), reply),
    };
    const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ id: 'req-1', ctx: {} }) }) } as unknown as ArgumentsHost;
    sut.catch(error, host);
    return { status, headers, body };
  }

  it.each([
    ['a deadlock that every attempt lost', deadlock],
    ['a lock wait timeout', lockWait],
  ])('answers %s with 503 try-again and Retry-After, never 500, and keeps the statement out of the answer', (_name, failure) => {
    const sent = send(failure());
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('1');
    expect(sent.body.errors).toEqual([{ status: '503', code: 'try-again', title: 'Try again', detail: expect.stringContaining('nothing was written') }]);
    expect(JSON.stringify(sent.body)).not.toMatch(/stock_levels|tenant-a|Deadlock|Lock wait/);
    expect(toErrorObjects(failure())).toEqual(sent.body.errors);
    expect(retryAfterOf(failure())).toBe(1);
  });

  it('leaves other database failures as they were: a failed query is still a 500 without detail', () => {
    const sent = send(mysqlFailure('ER_PARSE_ERROR', 1064, 'You have an error in your SQL syntax'));
    expect(sent.status).toBe(500);
    expect(sent.body.errors[0].code).toBe('internal-error');
    expect(sent.headers['retry-after']).toBeUndefined();
  });
});
