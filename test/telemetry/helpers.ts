import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import Keyv from 'keyv';
import { loadConfig } from '../../gateway/src/config.ts';
import { createGatewayApp, type GatewayApp, type GatewayDeps } from '../../gateway/src/server.ts';
import { createLogger, type Logger, silentLogger } from '../../kit/logger.ts';

/** A logger that keeps every line it writes, parsed. */
export function captureLogger(level: 'debug' | 'info' = 'debug'): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  return { logger: createLogger(level, (line) => lines.push(JSON.parse(line))), lines };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    extensions?: Record<string, unknown>;
  };
}

export interface TracedGateway {
  app: GatewayApp;
  url: string;
  /** POSTs a query to /graphql. */
  query(query: string, headers?: Record<string, string>): Promise<Answer>;
  stop(): Promise<void>;
}

/**
 * The real gateway on a free port (snapshot mode unless `env` says otherwise) with the telemetry,
 * logger and upstream listener given: what `startTestGateway` does, plus those three.
 */
export async function startGateway(
  options: {
    env?: Record<string, string>;
    telemetry?: GatewayDeps['telemetry'];
    logger?: Logger;
    onUpstreamEvent?: GatewayDeps['onUpstreamEvent'];
  } = {},
): Promise<TracedGateway> {
  const config = loadConfig({ UPSTREAM_MODE: 'snapshot', LOG_LEVEL: 'silent', ...options.env });
  const app = await createGatewayApp({
    config,
    logger: options.logger ?? silentLogger,
    cache: new Keyv(),
    telemetry: options.telemetry,
    ...(options.onUpstreamEvent ? { onUpstreamEvent: options.onUpstreamEvent } : {}),
  });
  const url = await app.listen(0, '127.0.0.1');
  return {
    app,
    url,
    async query(query, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
    },
    stop: () => app.stop(),
  };
}

/** Waits until `check` holds (spans end just after the response is written). */
export async function eventually<T>(check: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The spans of one trace, with helpers to walk parents. */
export function traceOf(spans: readonly ReadableSpan[], traceId: string) {
  const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
  const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
  return {
    spans: inTrace,
    parentOf: (span: ReadableSpan) =>
      span.parentSpanContext ? byId.get(span.parentSpanContext.spanId) : undefined,
    /** Names from the span up to the root, e.g. ['upstream smhi', 'gateway.fetch', …, 'POST /graphql']. */
    ancestry(span: ReadableSpan): string[] {
      const names: string[] = [];
      for (let s: ReadableSpan | undefined = span; s; ) {
        names.push(s.name);
        s = s.parentSpanContext ? byId.get(s.parentSpanContext.spanId) : undefined;
      }
      return names;
    },
  };
}
