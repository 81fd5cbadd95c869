/**
 * OpenTelemetry spans of the real gateway (snapshot and offline mode), recorded by an in-memory
 * exporter: one trace per request, from our HTTP span through @apollo/gateway's spans to one span
 * per upstream call. The provider is registered once for this file (@apollo/gateway's tracer binds
 * to the first one), and the exporter is emptied before each test.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import Keyv from 'keyv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { setupTelemetry, type Telemetry } from '../../gateway/src/telemetry.ts';
import { silentLogger } from '../../kit/logger.ts';
import { type SubgraphServer, serveSubgraph } from '../../kit/serve.ts';
import { createFileSnapshotStore } from '../../kit/snapshot.ts';
import { smhi } from '../../subgraphs/smhi/index.ts';
import { captureLogger, eventually, startGateway, type TracedGateway, traceOf } from './helpers.ts';

/** SMHI, SCB and JobTech for Stockholm (all recorded in the snapshot); JobTech's search term goes in a query string. */
const QUERY =
  '{ municipality(code: "0180") { name population(year: 2024) forecast(hours: 3) { validAt } jobAds(query: "sjuksköterska", limit: 3) { total } } }';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;

beforeAll(() => {
  telemetry = setupTelemetry({ exporter, serviceName: 'sodg-test' })!;
});
afterAll(() => telemetry.shutdown());
beforeEach(() => exporter.reset());

/** The HTTP request span of the request whose id is `requestId`, once it has ended. */
function requestSpan(requestId: string): Promise<ReadableSpan> {
  return eventually(
    () =>
      exporter
        .getFinishedSpans()
        .find((s) => s.kind === SpanKind.SERVER && s.attributes['request.id'] === requestId),
    `the request span of ${requestId}`,
  );
}

const upstreamSpans = (spans: readonly ReadableSpan[]) => spans.filter((s) => s.name.startsWith('upstream '));

describe('tracing a gateway request (snapshot mode)', () => {
  let gw: TracedGateway;
  beforeAll(async () => {
    // The whole-response cache off: these tests follow a repeated query down to the agencies' cache.
    gw = await startGateway({
      telemetry,
      env: { JOBTECH_API_KEY: 'sekret-jobtech-key', RESPONSE_CACHE: 'off' },
    });
  });
  afterAll(() => gw?.stop());

  it('one trace: the request span, the gateway fetch spans and an upstream span per agency call', async () => {
    const answer = await gw.query(QUERY);
    expect(answer.body.errors).toBeUndefined();
    const requestId = answer.headers.get('x-request-id')!;
    const root = await requestSpan(requestId);
    expect(root.name).toBe('POST /graphql');
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.path': '/graphql',
      'http.route': '/graphql',
      'http.response.status_code': 200,
      'request.id': requestId,
    });
    expect(root.resource.attributes['service.name']).toBe('sodg-test');

    const t = traceOf(exporter.getFinishedSpans(), root.spanContext().traceId);
    const names = t.spans.map((s) => s.name);
    // @apollo/gateway's own spans, not duplicated.
    expect(names.filter((n) => n === 'gateway.request')).toHaveLength(1);
    expect(t.parentOf(t.spans.find((s) => s.name === 'gateway.request')!)).toBe(root);
    const fetches = t.spans.filter((s) => s.name === 'gateway.fetch');
    expect(fetches.map((s) => s.attributes['service']).sort()).toEqual(
      expect.arrayContaining(['jobtech', 'scb', 'smhi']),
    );

    const upstream = upstreamSpans(t.spans);
    expect(new Set(upstream.map((s) => s.attributes['upstream.agency']))).toEqual(
      new Set(['jobtech', 'scb', 'smhi']),
    );
    // A fresh cache: every agency is called (a second call to the same URL in one request may hit).
    for (const agency of ['jobtech', 'scb', 'smhi']) {
      const misses = upstream.filter(
        (s) => s.attributes['upstream.agency'] === agency && s.attributes['upstream.outcome'] === 'miss',
      );
      expect(misses.length, agency).toBeGreaterThan(0);
      for (const span of misses) {
        expect(span.attributes).toMatchObject({ 'upstream.cache': 'miss', 'upstream.attempts': 1 });
        expect(span.attributes['http.request.method']).toMatch(/^(GET|POST)$/);
        expect(span.attributes['url.full']).toMatch(/^https:\/\/[^?#]+$/);
      }
    }
    for (const span of upstream) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.name).toBe(`upstream ${span.attributes['upstream.agency']}`);
      expect(span.attributes['upstream.outcome']).toMatch(/^(miss|hit)$/);
      // A client's own cache (SCB's) reports hits without a URL.
      if (span.attributes['url.full'] !== undefined)
        expect(span.attributes['url.full']).toMatch(/^https:\/\/[^?#]+$/);
      expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
      // Parent: the fetch of the agency's own subgraph, under the execution, under the request.
      const parent = t.parentOf(span)!;
      expect(parent.name).toBe('gateway.fetch');
      expect(parent.attributes['service']).toBe(span.attributes['upstream.agency']);
      expect(t.ancestry(span).slice(-3)).toEqual(['gateway.execute', 'gateway.request', 'POST /graphql']);
      // Within its parent's time.
      expect(hrMs(span.startTime)).toBeGreaterThanOrEqual(hrMs(parent.startTime) - 1);
      expect(hrMs(span.endTime)).toBeLessThanOrEqual(hrMs(parent.endTime) + 1);
    }
  });

  it('marks cache hits: the same query again makes hit spans with no attempts', async () => {
    await gw.query(QUERY); // warm (the previous test may have run alone)
    exporter.reset();
    const answer = await gw.query(QUERY);
    const root = await requestSpan(answer.headers.get('x-request-id')!);
    const upstream = upstreamSpans(traceOf(exporter.getFinishedSpans(), root.spanContext().traceId).spans);
    expect(upstream.length).toBeGreaterThanOrEqual(3);
    for (const span of upstream) {
      expect(span.attributes).toMatchObject({
        'upstream.outcome': 'hit',
        'upstream.cache': 'hit',
        'upstream.attempts': 0,
      });
    }
  });

  it('continues an incoming traceparent, whose trace id becomes the request id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const answer = await gw.query(QUERY, { traceparent: `00-${traceId}-${callerSpan}-01` });
    expect(answer.headers.get('x-request-id')).toBe(traceId);
    expect(answer.body.extensions?.['requestId']).toBe(traceId);
    const root = await requestSpan(traceId);
    expect(root.spanContext().traceId).toBe(traceId);
    expect(root.parentSpanContext).toMatchObject({ traceId, spanId: callerSpan, isRemote: true });
    const t = traceOf(exporter.getFinishedSpans(), traceId);
    expect(t.spans.some((s) => s.name === 'gateway.fetch')).toBe(true);
    expect(upstreamSpans(t.spans).length).toBeGreaterThan(0);
    // Nothing of this request landed in another trace.
    expect(exporter.getFinishedSpans().every((s) => s.spanContext().traceId === traceId)).toBe(true);
  });

  it('an x-request-id is kept next to the traceparent, and both are on the request span', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const answer = await gw.query('{ municipality(code: "0180") { forecast(hours: 1) { time } } }', {
      traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      'x-request-id': 'client-42',
    });
    expect(answer.headers.get('x-request-id')).toBe('client-42');
    const root = await requestSpan('client-42');
    expect(root.spanContext().traceId).toBe(traceId);
  });

  it('puts no secret, query string or query text in any attribute', async () => {
    await gw.query(QUERY, { 'x-upstream-stats': '1' });
    await gw.query(
      '{ place(latitude: 59.3293, longitude: 18.0686) { municipality { jobAds(query: "utvecklare", limit: 2) { total } } } }',
    );
    const spans = exporter.getFinishedSpans();
    expect(upstreamSpans(spans).length).toBeGreaterThan(0);
    for (const span of spans) {
      const values = [
        ...Object.values(span.attributes),
        ...Object.values(span.resource.attributes),
        span.name,
      ].map(String);
      for (const value of values) {
        expect(value).not.toMatch(/\?|sekret|sjuksk|utvecklare|municipality\(|59\.3293/);
      }
    }
  });
});

describe('tracing failures (offline mode with injected faults)', () => {
  let gw: TracedGateway;
  beforeAll(async () => {
    gw = await startGateway({ telemetry, env: { UPSTREAM_MODE: 'offline', OFFLINE_FAULTS: 'jobtech=500' } });
  });
  afterAll(() => gw?.stop());

  it('a failing agency: an error span with its kind and attempts; the others succeed in the same trace', async () => {
    const answer = await gw.query(
      '{ municipality(code: "0180") { jobAds(limit: 1) { total } forecast(hours: 1) { time } } }',
    );
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ agency: 'jobtech' });
    const root = await requestSpan(answer.headers.get('x-request-id')!);
    const upstream = upstreamSpans(traceOf(exporter.getFinishedSpans(), root.spanContext().traceId).spans);
    const jobtech = upstream.filter((s) => s.attributes['upstream.agency'] === 'jobtech');
    expect(jobtech.length).toBeGreaterThan(0);
    for (const span of jobtech) {
      expect(span.attributes).toMatchObject({
        'upstream.outcome': 'error',
        'upstream.error_kind': 'HTTP_STATUS',
        'error.type': 'HTTP_STATUS',
      });
      // Retried: the first attempt and the retries.
      expect(span.attributes['upstream.attempts']).toBeGreaterThan(1);
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP_STATUS' });
    }
    const smhiSpans = upstream.filter((s) => s.attributes['upstream.agency'] === 'smhi');
    expect(smhiSpans.map((s) => s.attributes['upstream.outcome'])).toContain('miss');
  });
});

describe('tracing through a remote subgraph (smhi over HTTP)', () => {
  let subgraph: SubgraphServer;
  let gw: TracedGateway;
  beforeAll(async () => {
    const runtime = smhi.create({
      config: loadConfig({}).subgraphs as never,
      cache: new Keyv(),
      logger: silentLogger,
      mode: 'snapshot',
      snapshot: createFileSnapshotStore('snapshot'),
      now: Date.now,
      onUpstreamEvent: telemetry.onUpstreamEvent,
    });
    subgraph = await serveSubgraph(runtime, 0, '127.0.0.1', {
      aroundRequest: (req, res, requestId, handle) => telemetry.traceRequest(req, res, requestId, handle),
    });
    gw = await startGateway({ telemetry, env: { SUBGRAPH_URLS: `smhi=${subgraph.url}` } });
  });
  afterAll(async () => {
    await gw?.stop();
    await subgraph?.stop();
  });

  it('the subgraph continues the gateway trace (traceparent) and adopts its request id', async () => {
    const answer = await gw.query('{ municipality(code: "0180") { name forecast(hours: 2) { time } } }');
    expect(answer.body.errors).toBeUndefined();
    const requestId = answer.headers.get('x-request-id')!;
    const root = await requestSpan(requestId);
    const spans = await eventually(() => {
      const all = traceOf(exporter.getFinishedSpans(), root.spanContext().traceId);
      return upstreamSpans(all.spans).length > 0 ? all : undefined;
    }, 'the subgraph spans');
    const servers = spans.spans.filter((s) => s.kind === SpanKind.SERVER);
    // The gateway's and the subgraph's, with the same request id.
    expect(servers).toHaveLength(2);
    expect(servers.every((s) => s.attributes['request.id'] === requestId)).toBe(true);
    const upstream = upstreamSpans(spans.spans);
    expect(upstream.map((s) => s.attributes['upstream.agency'])).toEqual(['smhi']);
    expect(spans.ancestry(upstream[0]!)).toEqual([
      'upstream smhi',
      'POST /graphql', // the subgraph's server span
      'gateway.fetch',
      'gateway.execute',
      'gateway.request',
      'POST /graphql', // the gateway's
    ]);
    expect(spans.parentOf(spans.parentOf(upstream[0]!)!)!.attributes['service']).toBe('smhi');
  });
});

describe('the request span (unit)', () => {
  it('has the path without its query string, and its trace id is in the log lines written inside', async () => {
    const { logger, lines } = captureLogger('info');
    const req = { method: 'GET', url: '/graphql?query=%7B%20secret%20%7D', headers: {} } as IncomingMessage;
    const res = { statusCode: 503 } as ServerResponse;
    await telemetry.traceRequest(req, res, 'unit-1', async () => {
      logger.info({}, 'inside');
    });
    const span = exporter.getFinishedSpans().find((s) => s.attributes['request.id'] === 'unit-1')!;
    expect(span.name).toBe('GET /graphql');
    expect(span.attributes).toMatchObject({ 'url.path': '/graphql', 'http.response.status_code': 503 });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(lines[0]).toMatchObject({ msg: 'inside', traceId: span.spanContext().traceId });
  });
});

describe('upstream spans from events (unit)', () => {
  it('a stale answer: parented to the active span, started ms before the end, URL without credentials or query', () => {
    telemetry.tracer.startActiveSpan('caller', (caller) => {
      telemetry.onUpstreamEvent({
        agency: 'smhi',
        outcome: 'stale',
        ms: 1500,
        attempts: 3,
        errorKind: 'TIMEOUT',
        method: 'GET',
        url: 'https://user:pw@smhi.test/api/data.json?key=secret-value#frag',
      });
      caller.end();
    });
    const span = exporter.getFinishedSpans().find((s) => s.name === 'upstream smhi')!;
    const caller = exporter.getFinishedSpans().find((s) => s.name === 'caller')!;
    expect(span.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(span.attributes).toEqual({
      'upstream.agency': 'smhi',
      'upstream.outcome': 'stale',
      'upstream.cache': 'stale',
      'upstream.attempts': 3,
      'upstream.error_kind': 'TIMEOUT',
      'error.type': 'TIMEOUT',
      'http.request.method': 'GET',
      'url.full': 'https://smhi.test/api/data.json',
      'server.address': 'smhi.test',
    });
    // Served, so not an error span; its duration is the event's.
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(hrMs(span.duration)).toBeCloseTo(1500, -1);
  });
});

/** An HrTime in milliseconds. */
function hrMs([s, ns]: [number, number]): number {
  return s * 1000 + ns / 1e6;
}
