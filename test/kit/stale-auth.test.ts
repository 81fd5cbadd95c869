import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import { requireCounty } from '../../kit/sweden.ts';
import { createUpstream } from '../../kit/upstream.ts';
import { offlineAgent } from '../helpers/gateway.ts';

describe('stale-if-error and refused credentials', () => {
  const agent = offlineAgent();
  afterEach(() => agent.assertNoPendingInterceptors());

  it('a 401 after expiry is reported, not hidden behind the stale entry (so the caller can refresh its token)', async () => {
    let t = 0;
    const pool = agent.get('https://agency.test');
    pool
      .intercept({ path: '/x', method: 'GET' })
      .reply(200, { v: 1 }, { headers: { 'content-type': 'application/json' } });
    pool.intercept({ path: '/x', method: 'GET' }).reply(401, '');
    const up = createUpstream({
      agency: 'test',
      baseUrl: 'https://agency.test',
      cache: new Keyv(),
      logger: silentLogger,
      dispatcher: agent,
      now: () => t,
      defaultTtlMs: 1000,
    });
    expect(await up.get({ path: '/x', parse: (j) => j })).toEqual({ v: 1 });
    t = 5000;
    await expect(up.get({ path: '/x', parse: (j) => j })).rejects.toMatchObject({
      kind: 'AUTH_REQUIRED',
      status: 401,
    });
  });
});

describe('county codes in messages', () => {
  it('are listed in order', () => {
    let message = '';
    try {
      requireCounty('99');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(
      '01, 03, 04, 05, 06, 07, 08, 09, 10, 12, 13, 14, 17, 18, 19, 20, 21, 22, 23, 24, 25',
    );
  });
});
