import Fastify from 'fastify';
import { Writable } from 'node:stream';
import type { AppConfig } from '../../config/app-config';
import type { RequestContext } from '../tenancy/request-context';
import { AppLogger, Logs, assignLogFields, redactUrl, requestId } from './logging';

describe(redactUrl.name, () => {
  it('keeps paging and sorting but hides filter values that may hold PII', () => {
    const sut = redactUrl('/api/v1/customers?filter[phone]=%2B79161234567&page[size]=10&sort=-name&filter[email]=a@b.c');
    expect(sut).toBe('/api/v1/customers?filter[phone]=[redacted]&page[size]=10&sort=-name&filter[email]=[redacted]');
    expect(sut).not.toContain('7916');
  });

  it('leaves a URL without a query alone', () => {
    expect(redactUrl('/api/v1/stores/abc')).toBe('/api/v1/stores/abc');
  });
});

describe(Logs.name, () => {
  const lines: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const sut = new Logs({ logLevel: 'info' } as AppConfig, stream);
  const logger = new AppLogger(sut);
  const fastify = Fastify({ genReqId: requestId });
  const who = { tenantId: '01a2142f-0000-7000-8000-000000000001', userId: '01a2142f-0000-7000-8000-000000000002' };

  beforeAll(async () => {
    sut.logRequests(fastify);
    fastify.get('/api/v1/probe', async (request) => {
      logger.warn('before the guard', 'Probe');
      request.ctx = { ...who } as RequestContext;
      assignLogFields(who);
      await new Promise((resolve) => setImmediate(resolve));
      logger.log({ attributes: { password: 'hunter2', note: 'kept' } }, 'after the guard', 'Probe');
      return {};
    });
    fastify.get('/api/v1/boom', async (_request, reply) => reply.status(500).send({}));
    fastify.get('/health', async () => ({}));
    await fastify.ready();
  });
  afterAll(() => fastify.close());

  const byRequest = (id: string) => lines.filter((l) => l.reqId === id);

  it('writes one line per request with its id, tenant and user, and gives the lines logged meanwhile the request’s id', async () => {
    const res = await fastify.inject({ method: 'GET', url: '/api/v1/probe?filter[name]=Anna&page[size]=5', headers: { 'x-request-id': 'req-0123456789' } });
    expect(res.statusCode).toBe(200);
    const [before, after, done] = byRequest('req-0123456789');
    expect(before).toMatchObject({ level: 40, context: 'Probe', msg: 'before the guard' });
    expect(before.tenantId).toBeUndefined();
    expect(after).toMatchObject({ level: 30, context: 'Probe', msg: 'after the guard', ...who, attributes: { password: '[redacted]', note: 'kept' } });
    expect(done).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      reqId: 'req-0123456789',
      req: { id: 'req-0123456789', method: 'GET', url: '/api/v1/probe?filter[name]=[redacted]&page[size]=5' },
      ...who,
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: 'request completed',
    });
  });

  it('logs a 5xx as an error, and no line for the probes', async () => {
    const before = lines.length;
    await fastify.inject({ method: 'GET', url: '/health' });
    await fastify.inject({ method: 'GET', url: '/api/v1/boom' });
    expect(lines.slice(before)).toEqual([expect.objectContaining({ level: 50, msg: 'request failed', reqId: expect.any(String), res: { statusCode: 500 } })]);
  });

  it('takes Nest’s logger calls: context last, an Error as err, a stack after the message', () => {
    const before = lines.length;
    logger.error(new Error('broken'), 'Boot');
    logger.error('failed to start', 'Error: failed to start\n    at somewhere', 'Boot');
    logger.debug('not at info');
    const [error, withStack] = lines.slice(before);
    expect(lines.length - before).toBe(2);
    expect(error).toMatchObject({ level: 50, context: 'Boot', err: { type: 'Error', message: 'broken' } });
    expect(withStack).toMatchObject({ level: 50, context: 'Boot', msg: 'failed to start', err: { message: 'failed to start', stack: expect.stringContaining('at somewhere') } });
  });
});
