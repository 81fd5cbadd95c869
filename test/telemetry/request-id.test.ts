/**
 * Request ids without tracing (this file registers no OpenTelemetry provider): taken from the
 * client or generated, echoed, in `extensions.requestId`, in every log line of the request, and
 * forwarded to remote subgraphs, which adopt it for their own log lines.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { trace } from '@opentelemetry/api';
import { parse } from 'graphql';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { setupTelemetry } from '../../gateway/src/telemetry.ts';
import { requestIdFrom } from '../../kit/logger.ts';
import { type SubgraphServer, serveSubgraph } from '../../kit/serve.ts';
import { createFileSnapshotStore } from '../../kit/snapshot.ts';
import type { UpstreamEvent } from '../../kit/upstream.ts';
import { smhi } from '../../subgraphs/smhi/index.ts';
import { captureLogger, startGateway, type TracedGateway } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const QUERY = '{ municipality(code: "0180") { name forecast(hours: 1) { time } } }';

describe('requestIdFrom', () => {
  it('takes a printable x-request-id of at most 128 characters', () => {
    expect(requestIdFrom({ 'x-request-id': 'abc-123' })).toBe('abc-123');
    expect(requestIdFrom({ 'x-request-id': '  spaced id  ' })).toBe('spaced id');
    expect(requestIdFrom({ 'x-request-id': 'x'.repeat(128) })).toBe('x'.repeat(128));
    expect(requestIdFrom({ 'x-request-id': ['first', 'second'] })).toBe('first');
  });

  it('replaces a long or unprintable one', () => {
    for (const bad of ['x'.repeat(129), 'a\tb', 'a\u0000b', 'caf\u00e9', '', '   ']) {
      expect(requestIdFrom({ 'x-request-id': bad })).toMatch(UUID);
    }
  });

  it('else uses the trace id of a valid traceparent', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(requestIdFrom({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toBe(traceId);
    expect(requestIdFrom({ traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'mine' })).toBe(
      'mine',
    );
    for (const bad of [
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, // all-zero trace id
      `00-${traceId}-${'0'.repeat(16)}-01`, // all-zero parent id
      `ff-${traceId}-00f067aa0ba902b7-01`, // forbidden version
      `00-${traceId.toUpperCase()}-00f067aa0ba902b7-01`, // upper case
      `00-${traceId}-00f067aa0ba902b7-01-extra`, // version 00 has exactly four fields
      'garbage',
    ]) {
      expect(requestIdFrom({ traceparent: bad })).toMatch(UUID);
    }
  });

  it('else generates a UUID, a new one each time', () => {
    const a = requestIdFrom({});
    expect(a).toMatch(UUID);
    expect(requestIdFrom({})).not.toBe(a);
  });
});

describe('request ids in the gateway', () => {
  let gw: TracedGateway;
  const activeSpans: unknown[] = [];
  beforeAll(async () => {
    gw = await startGateway({
      // Offline mode with failing agencies, for error answers.
      env: { UPSTREAM_MODE: 'offline', OFFLINE_FAULTS: 'smhi=500,jobtech=500', LOG_LEVEL: 'debug' },
      onUpstreamEvent: (_event: UpstreamEvent) => activeSpans.push(trace.getActiveSpan()),
    });
  });
  afterAll(() => gw?.stop());

  it('generates one when the client sends none, echoed in the header and extensions.requestId', async () => {
    const a = await gw.query(QUERY);
    const b = await gw.query(QUERY);
    const id = a.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(a.body.extensions?.['requestId']).toBe(id);
    expect(b.headers.get('x-request-id')).not.toBe(id);
    // Browsers may read it (CORS).
    expect(a.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it("round-trips the client's x-request-id", async () => {
    const answer = await gw.query(QUERY, { 'x-request-id': 'client-req-7' });
    expect(answer.headers.get('x-request-id')).toBe('client-req-7');
    expect(answer.body.extensions?.['requestId']).toBe('client-req-7');
  });

  it('replaces an x-request-id that is too long or unprintable', async () => {
    for (const bad of ['r'.repeat(129), 'a\tb']) {
      const answer = await gw.query(QUERY, { 'x-request-id': bad });
      expect(answer.headers.get('x-request-id')).toMatch(UUID);
      expect(answer.body.extensions?.['requestId']).toBe(answer.headers.get('x-request-id'));
    }
  });

  it('adopts the trace id of a traceparent even without tracing', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const answer = await gw.query(QUERY, { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    expect(answer.headers.get('x-request-id')).toBe(traceId);
    expect(answer.body.extensions?.['requestId']).toBe(traceId);
  });

  it('is in every GraphQL response: errors, refusals before execution, bad bodies', async () => {
    const id = { 'x-request-id': 'every-response' };
    const validation = await gw.query('{ nope }', id);
    expect(validation.status).toBe(400);
    expect(validation.body.extensions?.['requestId']).toBe('every-response');

    const upstreamError = await gw.query(QUERY, id);
    expect(upstreamError.body.errors?.[0]?.extensions?.['agency']).toBe('smhi');
    expect(upstreamError.body.extensions?.['requestId']).toBe('every-response');

    const badJson = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...id },
      body: '{ "query": ',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { extensions: unknown }).extensions).toEqual({
      requestId: 'every-response',
    });

    // Refused by Apollo Server before any plugin runs (CSRF prevention: a GET without a preflight header).
    const csrf = await fetch(
      `${gw.url}/graphql?query=${encodeURIComponent('{ county(code: "01") { name } }')}`,
      {
        headers: id,
      },
    );
    expect(csrf.status).toBe(400);
    const body = (await csrf.json()) as { errors: unknown[]; extensions: unknown };
    expect(body.errors.length).toBeGreaterThan(0);
    expect(body.extensions).toEqual({ requestId: 'every-response' });

    const noQuery = await fetch(`${gw.url}/graphql`, {
      headers: { 'apollo-require-preflight': 'true', ...id },
    });
    expect(noQuery.status).toBe(400);
    expect(((await noQuery.json()) as { extensions: unknown }).extensions).toMatchObject({
      requestId: 'every-response',
    });
  });

  it('is echoed on the other routes too', async () => {
    const res = await fetch(`${gw.url}/health`, { headers: { 'x-request-id': 'probe-1' } });
    expect(res.headers.get('x-request-id')).toBe('probe-1');
  });

  it('tracing off: no OpenTelemetry provider, context manager or propagator is registered', () => {
    expect(setupTelemetry({ endpoint: undefined, serviceName: 'x' })).toBeUndefined();
    expect(setupTelemetry({ endpoint: loadConfig({}).gateway.OTEL_EXPORTER_OTLP_ENDPOINT })).toBeUndefined();
    // @opentelemetry/api keeps what is registered under this global symbol.
    const registered = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[
      Symbol.for('opentelemetry.js.api.1')
    ];
    for (const api of ['trace', 'context', 'propagation', 'diag'])
      expect(registered?.[api], api).toBeUndefined();
    // So no span was active during any upstream call of the requests above (nothing to export).
    expect(activeSpans.length).toBeGreaterThan(0);
    expect(activeSpans.every((s) => s === undefined)).toBe(true);
  });
});

describe('request ids in log lines', () => {
  // A fresh gateway per test: a circuit breaker opened by earlier failures would shorten the logs.
  // Offline mode with failing agencies: retries and failures write log lines while serving.
  const start = (logger: ReturnType<typeof captureLogger>['logger']) =>
    startGateway({
      logger,
      env: { UPSTREAM_MODE: 'offline', OFFLINE_FAULTS: 'smhi=500,jobtech=500', LOG_LEVEL: 'debug' },
    });

  it('every log line written while serving a request carries its request id', async () => {
    const log = captureLogger('debug');
    const gw = await start(log.logger);
    try {
      log.lines.length = 0; // start-up lines
      await gw.query(QUERY, { 'x-request-id': 'logged-1' });
      expect(log.lines.length).toBeGreaterThan(1);
      for (const line of log.lines)
        expect(line, JSON.stringify(line)).toMatchObject({ requestId: 'logged-1' });
    } finally {
      await gw.stop();
    }
  });

  it('concurrent requests keep their own ids in their log lines', async () => {
    const log = captureLogger('debug');
    const gw = await start(log.logger);
    try {
      log.lines.length = 0;
      await Promise.all([
        gw.query('{ county(code: "03") { municipalities { forecast(hours: 1) { time } } } }', {
          'x-request-id': 'A',
        }),
        gw.query('{ municipality(code: "1280") { jobAds(limit: 2) { total } } }', { 'x-request-id': 'B' }),
      ]);
      const byAgency = (agency: string) => log.lines.filter((l) => l['agency'] === agency);
      expect(byAgency('smhi').length).toBeGreaterThan(0);
      expect(byAgency('jobtech').length).toBeGreaterThan(0);
      for (const line of byAgency('smhi')) expect(line['requestId']).toBe('A');
      for (const line of byAgency('jobtech')) expect(line['requestId']).toBe('B');
      for (const line of log.lines) expect(['A', 'B']).toContain(line['requestId']);
    } finally {
      await gw.stop();
    }
  });

  it('lines written outside any request have no request id', () => {
    const outside = captureLogger('info');
    outside.logger.info({}, 'start-up');
    expect(outside.lines[0]).not.toHaveProperty('requestId');
  });
});

describe('request ids across a remote subgraph (no tracing)', () => {
  let subgraph: SubgraphServer;
  let gw: TracedGateway;
  const seen: IncomingHttpHeaders[] = [];
  const subgraphLog = captureLogger('debug');
  beforeAll(async () => {
    const runtime = smhi.create({
      config: loadConfig({}).subgraphs as never,
      cache: new Keyv(),
      logger: subgraphLog.logger,
      mode: 'snapshot',
      snapshot: createFileSnapshotStore('snapshot'),
      now: Date.now,
    });
    subgraph = await serveSubgraph(runtime, 0, '127.0.0.1', {
      aroundRequest: (req, _res, _id, handle) => {
        seen.push(req.headers);
        return handle();
      },
    });
    gw = await startGateway({ env: { SUBGRAPH_URLS: `smhi=${subgraph.url}` } });
  });
  afterAll(async () => {
    await gw?.stop();
    await subgraph?.stop();
  });

  it('forwards x-request-id (and no traceparent when tracing is off); the subgraph logs with it', async () => {
    seen.length = 0;
    // A point with no recording: the subgraph logs the failed upstream call.
    const answer = await gw.query(
      '{ place(latitude: 67.2, longitude: 20.1) { forecast(hours: 1) { time } } }',
      {
        'x-request-id': 'via-remote',
      },
    );
    expect(answer.headers.get('x-request-id')).toBe('via-remote');
    expect(seen.length).toBeGreaterThan(0);
    for (const headers of seen) {
      expect(headers['x-request-id']).toBe('via-remote');
      expect(headers['traceparent']).toBeUndefined();
    }
    expect(subgraphLog.lines.length).toBeGreaterThan(0);
    for (const line of subgraphLog.lines) expect(line['requestId']).toBe('via-remote');
  });
});

describe('the stand-alone subgraph server adopts an incoming x-request-id', () => {
  let server: SubgraphServer;
  const log = captureLogger('info');
  beforeAll(async () => {
    server = await serveSubgraph(
      {
        name: 'tiny',
        agency: 'tiny',
        schema: buildSubgraphSchema({
          typeDefs: parse(
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"]) type Query { hello: String }',
          ),
          resolvers: {
            Query: {
              hello: async () => {
                await new Promise((resolve) => setTimeout(resolve, 5));
                log.logger.info({ resolver: 'hello' }, 'resolving hello');
                return 'world';
              },
            },
          },
        }),
        contextFor: () => ({}),
        close: async () => {},
      },
      0,
    );
  });
  afterAll(() => server?.stop());

  const hello = (headers: Record<string, string>) =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ hello }' }),
    });

  it('echoes it and writes it in the log lines of that request', async () => {
    log.lines.length = 0;
    const [a, b] = await Promise.all([
      hello({ 'x-request-id': 'sub-a' }),
      hello({ 'x-request-id': 'sub-b' }),
    ]);
    expect(a.headers.get('x-request-id')).toBe('sub-a');
    expect(b.headers.get('x-request-id')).toBe('sub-b');
    expect(log.lines.map((l) => l['requestId']).sort()).toEqual(['sub-a', 'sub-b']);
  });

  it('generates one when none is sent', async () => {
    const res = await hello({});
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });
});
