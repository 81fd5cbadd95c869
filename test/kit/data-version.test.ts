/**
 * The kit's data-version hook (`UpstreamRequest.version`) and per-request cache key: an entry is
 * fresh only for the version it was fetched under; another version refetches at once; a failing
 * agency still gets the earlier version served stale; different spellings share one key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTrace } from '../../kit/upstream.ts';
import { anyJson, type Harness, harness, ORIGIN } from './helpers.ts';

let h: Harness | undefined;
afterEach(async () => {
  h?.agent.assertNoPendingInterceptors();
  await h?.agent.close();
  h = undefined;
});

describe('data version', () => {
  it('serves an entry only for its version; a new version refetches; a failure serves the old one stale', async () => {
    h = harness();
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/table', method: 'GET' }).reply(200, { rows: 1 });
    pool.intercept({ path: '/table', method: 'GET' }).reply(200, { rows: 2 });
    pool.intercept({ path: '/table', method: 'GET' }).reply(503, {}).times(3);
    const get = (version: string, trace = createTrace()) =>
      h!.upstream.request({ path: '/table', parse: anyJson, version, ttlMs: 60_000, forceTtl: true, trace });

    expect((await get('2026-01')).data).toEqual({ rows: 1 });
    const hit = createTrace();
    expect(await get('2026-01', hit)).toMatchObject({ data: { rows: 1 }, cached: true });
    expect(hit.upstreamCalls).toBe(0);
    // A new publication: fetched at once although the entry is still within its TTL.
    expect(await get('2026-02')).toMatchObject({ data: { rows: 2 }, cached: false });
    // The agency fails while a third version is due: the last answer is served, marked stale.
    const failing = createTrace();
    expect(await get('2026-03', failing)).toMatchObject({ data: { rows: 2 }, stale: true });
    expect([...failing.stale]).toEqual(['test']);
  });

  it('a cache key of its own: requests spelled differently share one entry', async () => {
    h = harness();
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/data', method: 'POST' })
      .reply(200, { cells: [1, 2] });
    const post = (body: unknown) =>
      h!.upstream.request({
        method: 'POST',
        path: '/data',
        body,
        parse: anyJson,
        cacheKey: 'table:data:a+b',
      });
    expect((await post({ a: 1, b: 2 })).data).toEqual({ cells: [1, 2] });
    expect(await post({ b: 2, a: 1 })).toMatchObject({ data: { cells: [1, 2] }, cached: true });
  });
});
