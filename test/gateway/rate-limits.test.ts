import { execute, parse } from 'graphql';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { ConfigError } from '../../kit/config.ts';
import { silentLogger } from '../../kit/logger.ts';
import { createRateLimiters, type RateLimiter } from '../../kit/ratelimit.ts';
import { createTrace } from '../../kit/upstream.ts';
import { smhi } from '../../subgraphs/smhi/index.ts';
import { offlineAgent } from '../helpers/gateway.ts';

describe('RATE_LIMITS', () => {
  it('has polite defaults for the agencies that publish no limit', () => {
    expect(loadConfig({}).gateway.RATE_LIMITS).toEqual({
      smhi: { calls: 20, windowMs: 1000 },
      jobtech: { calls: 10, windowMs: 1000 },
      sgu: { calls: 10, windowMs: 1000 },
      lantmateriet: { calls: 10, windowMs: 1000 },
    });
  });

  it('parses agency=calls/seconds and rejects anything else, naming the variable', () => {
    expect(loadConfig({ RATE_LIMITS: 'smhi=5/2, scb=3/1' }).gateway.RATE_LIMITS).toEqual({
      smhi: { calls: 5, windowMs: 2000 },
      scb: { calls: 3, windowMs: 1000 },
    });
    for (const bad of ['smhi=5', 'smhi=0/1', 'SMHI=5/1', 'smhi=5/1,oops']) {
      expect(() => loadConfig({ RATE_LIMITS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ RATE_LIMITS: bad })).toThrow(/RATE_LIMITS=.*agency=calls\/seconds/);
    }
  });

  it('builds one sliding-window limiter per agency', async () => {
    let t = 0;
    const slept: number[] = [];
    const limiters = createRateLimiters(
      { smhi: { calls: 2, windowMs: 1000 } },
      {
        now: () => t,
        sleep: async (ms) => {
          slept.push(ms);
          t += ms;
        },
      },
    );
    await Promise.all([1, 2, 3].map(() => limiters['smhi']!.acquire()));
    expect(slept).toEqual([1001]);
  });

  it("is applied to every upstream call of that agency's subgraph", async () => {
    let acquired = 0;
    const counting: RateLimiter = {
      acquire: async () => {
        acquired += 1;
      },
    };
    const agent = offlineAgent();
    agent
      .get('https://opendata-download-metfcst.smhi.se')
      .intercept({ path: (p) => p.includes('/geotype/point/'), method: 'GET' })
      .reply(200, { timeSeries: [] }, { headers: { 'content-type': 'application/json' } })
      .times(2);
    const runtime = smhi.create({
      config: loadConfig({}).subgraphs as never,
      cache: new Keyv(),
      logger: silentLogger,
      mode: 'live',
      now: Date.now,
      dispatcher: agent,
      rateLimiters: { smhi: counting },
    });
    const result = await execute({
      schema: runtime.schema,
      document: parse(
        '{ _entities(representations: [{ __typename: "Place", latitude: 59.3, longitude: 18.0 }, { __typename: "Place", latitude: 57.7, longitude: 11.97 }]) { ... on Place { forecast(hours: 1) { time } } } }',
      ),
      contextValue: runtime.contextFor({ trace: createTrace() }),
    });
    expect(result.errors).toBeUndefined();
    expect(acquired).toBe(2);
    agent.assertNoPendingInterceptors();
    await runtime.close();
  });
});
