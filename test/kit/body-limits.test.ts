/**
 * No upstream answer can exhaust the process: bodies stream in with a cap (UPSTREAM_MAX_BYTES) and
 * compressed ones are inflated off the event loop, stopping at the same cap (a gzip bomb).
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../kit/errors.ts';
import { anyJson, type Harness, harness, rejectionOf } from './helpers.ts';

let h: Harness | undefined;
afterEach(async () => {
  h?.agent.assertNoPendingInterceptors();
  await h?.upstream.close();
  h = undefined;
});

describe('UPSTREAM_MAX_BYTES', () => {
  it('a body over the cap fails as a bad response, without being kept', async () => {
    h = harness({ maxBodyBytes: 64 * 1024 });
    const big = JSON.stringify({ items: 'x'.repeat(200 * 1024) });
    h.agent
      .get('https://agency.test')
      .intercept({ path: '/big', method: 'GET' })
      .reply(200, big, {
        headers: { 'content-type': 'application/json' },
      });
    const err = await rejectionOf(h.upstream.get({ path: '/big', parse: anyJson }));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ kind: 'BAD_PAYLOAD' });
    expect((err as Error).message).toMatch(/larger than 65536 bytes \(UPSTREAM_MAX_BYTES\)/);
  });

  it('a body under the cap is read as usual', async () => {
    h = harness({ maxBodyBytes: 64 * 1024 });
    h.agent
      .get('https://agency.test')
      .intercept({ path: '/small', method: 'GET' })
      .reply(200, { ok: true }, { headers: { 'content-type': 'application/json' } });
    expect(await h.upstream.get({ path: '/small', parse: anyJson })).toEqual({ ok: true });
  });

  it('a gzip bomb (1 MB that inflates to 1 GB) stops at the cap, and the event loop keeps turning', async () => {
    h = harness({ maxBodyBytes: 8 * 1024 * 1024 });
    // 1 GiB of zeros as 1 024 gzip members of 1 MiB each (a valid gzip stream) is about 1 MB.
    const member = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member));
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    h.agent
      .get('https://agency.test')
      .intercept({ path: '/bomb', method: 'GET' })
      .reply(200, bomb, {
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
    let ticks = 0;
    const ticker = setInterval(() => {
      ticks += 1;
    }, 1);
    const before = process.memoryUsage().rss;
    const err = await rejectionOf(h.upstream.get({ path: '/bomb', parse: anyJson }));
    clearInterval(ticker);
    expect(err).toMatchObject({ kind: 'BAD_PAYLOAD' });
    expect((err as Error).message).toMatch(/UPSTREAM_MAX_BYTES/);
    // Inflating stopped near the cap: nowhere near the gigabyte the body would have become.
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    // The timer kept firing while zlib worked on the thread pool.
    expect(ticks).toBeGreaterThan(0);
  }, 30_000);

  it('a body that is not valid gzip is a bad response, not a crash', async () => {
    h = harness();
    h.agent
      .get('https://agency.test')
      .intercept({ path: '/broken', method: 'GET' })
      .reply(200, Buffer.from('not gzip at all'), {
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
    const err = await rejectionOf(h.upstream.get({ path: '/broken', parse: anyJson }));
    expect(err).toMatchObject({ kind: 'BAD_PAYLOAD' });
  });
});
