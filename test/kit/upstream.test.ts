import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { codeForUpstream, toGraphQLError, UpstreamError } from '../../kit/errors.ts';
import { createRateLimiter } from '../../kit/ratelimit.ts';
import { createTrace } from '../../kit/upstream.ts';
import { anyJson, type Harness, harness, ORIGIN, rejectionOf } from './helpers.ts';

let h: Harness;
afterEach(async () => {
  h.agent.assertNoPendingInterceptors();
  await h.agent.close();
});

/** Counts the requests the mock upstream answered. */
function counter() {
  const seen: Array<{ method: string; path: string; headers: Record<string, string> }> = [];
  return {
    seen,
    record(opts: { method: string; path: string; headers?: unknown }) {
      seen.push({
        method: opts.method,
        path: opts.path,
        headers: (opts.headers ?? {}) as Record<string, string>,
      });
    },
  };
}

describe('timeouts', () => {
  it('maps a reply slower than headersTimeoutMs to UPSTREAM_TIMEOUT', async () => {
    h = harness({ headersTimeoutMs: 30, retries: 0 });
    h.agent.get(ORIGIN).intercept({ path: '/slow', method: 'GET' }).reply(200, { late: true }).delay(2_000);
    const err = await rejectionOf(h.upstream.get({ path: '/slow', parse: anyJson }));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('TIMEOUT');
    expect((err as UpstreamError).agency).toBe('test');
    expect(codeForUpstream(err as UpstreamError)).toBe('UPSTREAM_TIMEOUT');
    expect(toGraphQLError(err, 'test').extensions).toEqual({ code: 'UPSTREAM_TIMEOUT', agency: 'test' });
  });

  it('retries a timed-out GET and succeeds when the next attempt answers in time', async () => {
    h = harness({ headersTimeoutMs: 30, retries: 1 });
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/slow', method: 'GET' }).reply(200, { attempt: 1 }).delay(2_000);
    pool.intercept({ path: '/slow', method: 'GET' }).reply(200, { attempt: 2 });
    const result = await h.upstream.request({ path: '/slow', parse: anyJson });
    expect(result.data).toEqual({ attempt: 2 });
    expect(h.clock.slept).toHaveLength(1);
  });

  it('a whole-request deadline shorter than the headers timeout also ends in UPSTREAM_TIMEOUT', async () => {
    h = harness({ headersTimeoutMs: 5_000, totalTimeoutMs: 30, retries: 0 });
    h.agent.get(ORIGIN).intercept({ path: '/slow', method: 'GET' }).reply(200, {}).delay(2_000);
    const err = (await rejectionOf(h.upstream.get({ path: '/slow', parse: anyJson }))) as UpstreamError;
    expect(err.kind).toBe('TIMEOUT');
  });
});

describe('deadline while queued behind the rate limiter', () => {
  it('a request still waiting for a token when its deadline passes fails with UPSTREAM_TIMEOUT', async () => {
    h = harness({
      totalTimeoutMs: 40,
      retries: 0,
      // Real time here: the deadline is a real AbortSignal.timeout.
      rateLimiter: createRateLimiter({ calls: 1, windowMs: 300 }),
    });
    h.agent.get(ORIGIN).intercept({ path: '/a', method: 'GET' }).reply(200, { a: 1 });
    expect(await h.upstream.get({ path: '/a', parse: anyJson })).toEqual({ a: 1 });
    // The window is used up; this one waits ~300 ms for a token, past its 40 ms deadline.
    const err = await rejectionOf(h.upstream.get({ path: '/b', parse: anyJson }));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(codeForUpstream(err as UpstreamError)).toBe('UPSTREAM_TIMEOUT');
  });
});

describe('retries', () => {
  it('retries a 503 and returns the answer of the second call', async () => {
    h = harness();
    const calls = counter();
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/r', method: 'GET' }).reply(503, (o) => {
      calls.record(o);
      return { message: 'busy' };
    });
    pool.intercept({ path: '/r', method: 'GET' }).reply(200, (o) => {
      calls.record(o);
      return { ok: true };
    });
    const trace = createTrace();
    const result = await h.upstream.request({ path: '/r', parse: anyJson, trace });
    expect(result).toEqual({ data: { ok: true }, stale: false, cached: false });
    expect(calls.seen).toHaveLength(2);
    expect(trace.upstreamCalls).toBe(2);
    // Full jitter: random() 0.5 × base 200 ms × 2^0.
    expect(h.clock.slept).toEqual([100]);
  });

  it('retries a network error', async () => {
    h = harness();
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/r', method: 'GET' }).replyWithError(new Error('socket hang up'));
    pool.intercept({ path: '/r', method: 'GET' }).reply(200, { ok: true });
    expect(await h.upstream.get({ path: '/r', parse: anyJson })).toEqual({ ok: true });
  });

  it('gives up after the retry budget with UPSTREAM_UNAVAILABLE', async () => {
    h = harness({ retries: 2 });
    h.agent.get(ORIGIN).intercept({ path: '/r', method: 'GET' }).reply(502, 'bad gateway').times(3);
    const err = (await rejectionOf(h.upstream.get({ path: '/r', parse: anyJson }))) as UpstreamError;
    expect(err.kind).toBe('HTTP_STATUS');
    expect(err.status).toBe(502);
    expect(codeForUpstream(err)).toBe('UPSTREAM_UNAVAILABLE');
    // Exponential backoff with full jitter: 0.5 × 200 × 2^(n-1).
    expect(h.clock.slept).toEqual([100, 200]);
  });

  it('does not retry a 400 and maps it to UPSTREAM_BAD_RESPONSE', async () => {
    h = harness();
    const calls = counter();
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/r', method: 'GET' })
      .reply(400, (o) => {
        calls.record(o);
        return { error: 'bad parameter' };
      });
    const err = (await rejectionOf(h.upstream.get({ path: '/r', parse: anyJson }))) as UpstreamError;
    expect(calls.seen).toHaveLength(1);
    expect(err.status).toBe(400);
    expect(codeForUpstream(err)).toBe('UPSTREAM_BAD_RESPONSE');
    expect(h.clock.slept).toEqual([]);
  });

  it('returns null for a 404 without retrying, where a 404 means "no such thing"', async () => {
    h = harness();
    h.agent.get(ORIGIN).intercept({ path: '/missing', method: 'GET' }).reply(404, { error: 'not found' });
    expect(await h.upstream.get({ path: '/missing', parse: anyJson, notFoundIsNull: true })).toBeNull();
  });

  it('by default a 404 is UPSTREAM_BAD_RESPONSE naming the path (not the query), not retried, not cached', async () => {
    h = harness();
    const calls = counter();
    h.agent
      .get(ORIGIN)
      .intercept({ path: (p) => p.startsWith('/search'), method: 'GET' })
      .reply(404, (o) => {
        calls.record(o);
        return { error: 'not found' };
      })
      .times(2);
    const ask = () =>
      h.upstream.get({ path: '/search', query: { q: 'personal', key: 's3cret' }, parse: anyJson });
    const err = (await rejectionOf(ask())) as UpstreamError;
    expect(err.status).toBe(404);
    expect(codeForUpstream(err)).toBe('UPSTREAM_BAD_RESPONSE');
    expect(err.message).toContain('/search');
    expect(err.message).toMatch(/moved|misconfigured/);
    expect(err.message).not.toContain('s3cret');
    expect(err.message).not.toContain('personal');
    expect(calls.seen).toHaveLength(1);
    // Not cached as an answer: the next request asks again.
    await rejectionOf(ask());
    expect(calls.seen).toHaveLength(2);
  });

  it('never retries a POST that is not vouched idempotent', async () => {
    h = harness();
    const calls = counter();
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/q', method: 'POST' })
      .reply(503, (o) => {
        calls.record(o);
        return {};
      });
    const err = (await rejectionOf(
      h.upstream.request({ method: 'POST', path: '/q', body: { a: 1 }, parse: anyJson }),
    )) as UpstreamError;
    expect(err.status).toBe(503);
    expect(calls.seen).toHaveLength(1);
    expect(h.clock.slept).toEqual([]);
  });

  it('retries a POST marked idempotent', async () => {
    h = harness();
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/q', method: 'POST', body: '{"a":1}' }).reply(503, {});
    pool.intercept({ path: '/q', method: 'POST', body: '{"a":1}' }).reply(200, { rows: [1] });
    const result = await h.upstream.request({
      method: 'POST',
      path: '/q',
      body: { a: 1 },
      idempotent: true,
      parse: anyJson,
    });
    expect(result.data).toEqual({ rows: [1] });
  });
});

describe('Retry-After', () => {
  it('waits the number of seconds a 429 asks for', async () => {
    h = harness();
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/r', method: 'GET' }).reply(429, {}, { headers: { 'retry-after': '3' } });
    pool.intercept({ path: '/r', method: 'GET' }).reply(200, { ok: true });
    expect(await h.upstream.get({ path: '/r', parse: anyJson })).toEqual({ ok: true });
    expect(h.clock.slept).toEqual([3_000]);
  });

  it('waits until the HTTP date a 503 names', async () => {
    h = harness();
    const at = new Date(h.clock.now() + 4_000).toUTCString();
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/r', method: 'GET' }).reply(503, {}, { headers: { 'retry-after': at } });
    pool.intercept({ path: '/r', method: 'GET' }).reply(200, { ok: true });
    expect(await h.upstream.get({ path: '/r', parse: anyJson })).toEqual({ ok: true });
    expect(h.clock.slept).toEqual([4_000]);
  });

  it('fails at once with RATE_LIMITED when a 429 asks for longer than maxRetryAfterMs', async () => {
    h = harness({ maxRetryAfterMs: 10_000 });
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/r', method: 'GET' })
      .reply(429, {}, { headers: { 'retry-after': '60' } });
    const err = (await rejectionOf(h.upstream.get({ path: '/r', parse: anyJson }))) as UpstreamError;
    expect(err.kind).toBe('RATE_LIMITED');
    expect(codeForUpstream(err)).toBe('UPSTREAM_RATE_LIMITED');
    expect(h.clock.slept).toEqual([]);
  });

  it('fails at once when a 503 asks for longer than maxRetryAfterMs (no backoff retry instead)', async () => {
    h = harness({ maxRetryAfterMs: 10_000 });
    const calls = counter();
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/r', method: 'GET' })
      .reply(
        503,
        (o) => {
          calls.record(o);
          return {};
        },
        { headers: { 'retry-after': new Date(h.clock.now() + 120_000).toUTCString() } },
      );
    const err = (await rejectionOf(h.upstream.get({ path: '/r', parse: anyJson }))) as UpstreamError;
    expect(err.status).toBe(503);
    expect(calls.seen).toHaveLength(1);
    expect(h.clock.slept).toEqual([]);
  });
});

describe('single-flight', () => {
  it('50 concurrent identical requests make exactly one upstream call', async () => {
    h = harness();
    const calls = counter();
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/same?x=1', method: 'GET' })
      .reply(200, (o) => {
        calls.record(o);
        return { value: 42 };
      })
      .delay(20);
    const traces = Array.from({ length: 50 }, () => createTrace());
    const results = await Promise.all(
      traces.map((trace) => h.upstream.request({ path: '/same', query: { x: 1 }, parse: anyJson, trace })),
    );
    expect(calls.seen).toHaveLength(1);
    expect(results.every((r) => (r.data as { value: number }).value === 42)).toBe(true);
    expect(traces.reduce((n, t) => n + t.upstreamCalls, 0)).toBe(1);
  });

  it('different query strings are different requests', async () => {
    h = harness();
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/same?x=1', method: 'GET' }).reply(200, { x: 1 });
    pool.intercept({ path: '/same?x=2', method: 'GET' }).reply(200, { x: 2 });
    const [a, b] = await Promise.all([
      h.upstream.get({ path: '/same', query: { x: 1 }, parse: anyJson }),
      h.upstream.get({ path: '/same', query: { x: 2 }, parse: anyJson }),
    ]);
    expect([a, b]).toEqual([{ x: 1 }, { x: 2 }]);
  });
});

describe('response decoding and validation', () => {
  const payload = { name: 'Umeå', values: [1, 2, 3] };

  it('decodes a gzip-encoded response', async () => {
    h = harness();
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/gz', method: 'GET' })
      .reply(200, gzipSync(JSON.stringify(payload)), {
        headers: { 'content-encoding': 'gzip', 'content-type': 'application/json; charset=utf-8' },
      });
    expect(await h.upstream.get({ path: '/gz', parse: anyJson })).toEqual(payload);
  });

  it('decodes a brotli-encoded response', async () => {
    h = harness();
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/br', method: 'GET' })
      .reply(200, brotliCompressSync(JSON.stringify(payload)), {
        headers: { 'content-encoding': 'br', 'content-type': 'application/json' },
      });
    expect(await h.upstream.get({ path: '/br', parse: anyJson })).toEqual(payload);
  });

  it('asks for compressed responses and sends the configured headers', async () => {
    h = harness({ headers: { 'x-api-key': 'k' } });
    const calls = counter();
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/h', method: 'GET' })
      .reply(200, (o) => {
        calls.record(o);
        return {};
      });
    await h.upstream.get({ path: '/h', parse: anyJson });
    expect(calls.seen[0]?.headers).toMatchObject({
      'accept-encoding': 'gzip, deflate, br',
      'x-api-key': 'k',
    });
  });

  it('a body that is not JSON becomes UPSTREAM_BAD_RESPONSE, not a crash', async () => {
    h = harness();
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/html', method: 'GET' })
      .reply(200, '<html>maintenance</html>', { headers: { 'content-type': 'application/json' } });
    const err = (await rejectionOf(h.upstream.get({ path: '/html', parse: anyJson }))) as UpstreamError;
    expect(codeForUpstream(err)).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('a parse function that rejects the shape becomes UPSTREAM_BAD_RESPONSE', async () => {
    h = harness();
    h.agent.get(ORIGIN).intercept({ path: '/shape', method: 'GET' }).reply(200, { unexpected: true });
    const err = (await rejectionOf(
      h.upstream.get({
        path: '/shape',
        parse: () => {
          throw new Error('expected timeSeries');
        },
      }),
    )) as UpstreamError;
    expect(err.kind).toBe('BAD_PAYLOAD');
    // It says what was wrong, and where: the parser's own finding and the URL path.
    expect(err.message).toBe('test sent a response in an unexpected shape for /shape: expected timeSeries');
  });

  it('a parser crash is not described to the client (it could reveal internals)', async () => {
    h = harness();
    h.agent.get(ORIGIN).intercept({ path: '/crash', method: 'GET' }).reply(200, { unexpected: true });
    const err = (await rejectionOf(
      h.upstream.get({
        path: '/crash',
        parse: (json) => (json as { a: { b: string } }).a.b.toUpperCase(),
      }),
    )) as UpstreamError;
    expect(err.kind).toBe('BAD_PAYLOAD');
    expect(err.message).toBe('test sent a response in an unexpected shape for /crash');
  });
});
