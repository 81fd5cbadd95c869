/**
 * OTLP/HTTP export to a collector (a local fake one): from the configuration the entry file reads
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME), in process and through `npm start`'s entry point.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { diag } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { DEFAULT_SERVICE_NAME, setupTelemetry } from '../../gateway/src/telemetry.ts';
import { freePort } from '../gateway/ports.ts';
import { captureLogger, eventually, startGateway } from './helpers.ts';

interface ExportedSpan {
  service: string;
  name: string;
  traceId: string;
  attributes: Record<string, unknown>;
}

/** A fake OpenTelemetry collector: keeps the spans of every OTLP/HTTP JSON export it receives. */
async function startCollector(): Promise<{
  url: string;
  paths: string[];
  spans: ExportedSpan[];
  server: Server;
}> {
  const paths: string[] = [];
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url}`);
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const body = JSON.parse(raw.toString('utf8')) as {
        resourceSpans: Array<{
          resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
          scopeSpans: Array<{
            spans: Array<{
              name: string;
              traceId: string;
              attributes: Array<{ key: string; value: Record<string, unknown> }>;
            }>;
          }>;
        }>;
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans)
            spans.push({
              service,
              name: s.name,
              traceId: s.traceId,
              attributes: Object.fromEntries(s.attributes.map((a) => [a.key, Object.values(a.value)[0]])),
            });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, paths, spans, server };
}

describe('OTLP export configured from the environment', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(() => new Promise<void>((resolve) => collector.server.close(() => resolve())));

  it('defaults the service name', () => {
    expect(loadConfig({}).gateway.OTEL_SERVICE_NAME).toBe(DEFAULT_SERVICE_NAME);
    expect(DEFAULT_SERVICE_NAME).toBe('sweden-open-data-graph');
    expect(loadConfig({}).gateway.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318" is not allowed/,
    );
  });

  it('sends the spans of a request to <endpoint>/v1/traces under OTEL_SERVICE_NAME', async () => {
    const { gateway: g } = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/`,
      OTEL_SERVICE_NAME: 'sodg-otlp-test',
    });
    const telemetry = setupTelemetry({
      endpoint: g.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: g.OTEL_SERVICE_NAME,
    })!;
    const gw = await startGateway({ telemetry });
    try {
      const answer = await gw.query('{ municipality(code: "0180") { forecast(hours: 1) { time } } }');
      expect(answer.body.errors).toBeUndefined();
    } finally {
      await gw.stop();
      await telemetry.shutdown(); // flushes the batch
    }
    expect(collector.paths.every((p) => p === 'POST /v1/traces')).toBe(true);
    const names = collector.spans.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['POST /graphql', 'gateway.request', 'gateway.fetch', 'upstream smhi']),
    );
    expect(new Set(collector.spans.map((s) => s.service))).toEqual(new Set(['sodg-otlp-test']));
    expect(new Set(collector.spans.map((s) => s.traceId)).size).toBe(1);
    const upstream = collector.spans.find((s) => s.name === 'upstream smhi')!;
    expect(upstream.attributes).toMatchObject({ 'upstream.agency': 'smhi', 'upstream.outcome': 'miss' });
  });
});

describe('a collector that is down or refuses the spans', () => {
  it('a refusal is logged as one warning; serving and shutdown go on', async () => {
    const refusing = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(400, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const { logger, lines } = captureLogger('info');
    const telemetry = setupTelemetry({
      endpoint: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`,
      logger,
    })!;
    try {
      for (let i = 0; i < 3; i++)
        telemetry.onUpstreamEvent({ agency: 'smhi', outcome: 'miss', ms: 5, attempts: 1 });
      await telemetry.shutdown();
      const warnings = lines.filter((l) => l['level'] === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.['msg']).toMatch(/^tracing: /);
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it("the SDK's problems are logged as warnings, at most one a minute", () => {
    diag.disable(); // earlier tests of this file set a diagnostic logger; production sets one
    const { logger, lines } = captureLogger('info');
    const telemetry = setupTelemetry({ endpoint: 'http://127.0.0.1:9', logger })!;
    // What the batch processor does with a failed export (via the SDK's global error handler).
    diag.error('export failed: connect ECONNREFUSED');
    diag.error('export failed again');
    diag.info('not a problem');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', otel: 'export failed: connect ECONNREFUSED' });
    return telemetry.shutdown();
  });

  it('a collector that is down does not hold up shutdown', async () => {
    const telemetry = setupTelemetry({ endpoint: `http://127.0.0.1:${await freePort()}` })!;
    telemetry.onUpstreamEvent({ agency: 'smhi', outcome: 'miss', ms: 5, attempts: 1 });
    const started = Date.now();
    await telemetry.shutdown();
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe('npm start with OTEL_EXPORTER_OTLP_ENDPOINT', { timeout: 60_000 }, () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await new Promise<void>((resolve) => collector.server.close(() => resolve()));
  });

  it('exports the spans of a request, the last ones at shutdown, and exits 0', async () => {
    const port = await freePort();
    // tsx as a loader in this one process, not its CLI: the CLI runs the gateway in a child and, on a
    // busy runner, SIGKILLs it when the child does not confirm the relayed SIGTERM within 30 ms
    // (exit 143 instead of the graceful 0; seen in CI).
    child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts'], {
      env: {
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        UPSTREAM_MODE: 'snapshot',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_SERVICE_NAME: 'sodg-process-test',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exit = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    // Logged right after "gateway ready".
    await eventually(
      () => (stderr.includes('tracing: sending OpenTelemetry spans over OTLP/HTTP') ? true : undefined),
      'the gateway to start and say it traces',
      50_000,
    );
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'proc-1' },
      body: JSON.stringify({ query: '{ municipality(code: "0180") { forecast(hours: 1) { time } } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('proc-1');
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const request = collector.spans.find((s) => s.name === 'POST /graphql');
    expect(request?.service).toBe('sodg-process-test');
    expect(request?.attributes['request.id']).toBe('proc-1');
    expect(collector.spans.some((s) => s.name === 'upstream smhi' && s.traceId === request?.traceId)).toBe(
      true,
    );
    // The request's log lines carry its id (stderr is the log).
    const lines = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l['requestId'] !== undefined).every((l) => l['requestId'] === 'proc-1')).toBe(
      true,
    );
  });
});
