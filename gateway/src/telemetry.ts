/**
 * OpenTelemetry tracing, with the standard SDK packages. Off unless an OTLP endpoint (or, in tests,
 * an exporter) is given: then nothing is registered and no span of ours is created.
 *
 * When on, one trace per GraphQL request:
 *   POST /graphql (ours, SERVER; continues an incoming `traceparent`)
 *   └ gateway.request → gateway.plan, gateway.execute → gateway.fetch (one per subgraph fetch;
 *     @apollo/gateway's own spans, emitted through @opentelemetry/api once a provider is
 *     registered; the fetch span covers the whole in-process subgraph execution)
 *       └ upstream <agency> (ours, CLIENT; one per agency call, made from the kit's UpstreamEvent)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import {
  type Attributes,
  context,
  DiagLogLevel,
  diag,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Logger, withLogContext } from '../../kit/logger.ts';
import type { UpstreamEvent } from '../../kit/upstream.ts';

const requireHere = createRequire(import.meta.url);
/**
 * The OpenTelemetry SDK and OTLP exporter (about 60 ms to load), only when tracing is on: a gateway
 * without OTEL_EXPORTER_OTLP_ENDPOINT never loads them. These are CommonJS packages, so `require`
 * gives the very modules an `import` would (a test's InMemorySpanExporter included).
 */
function sdk() {
  return {
    ...(requireHere('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base')),
    ...(requireHere('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node')),
    ...(requireHere(
      '@opentelemetry/exporter-trace-otlp-http',
    ) as typeof import('@opentelemetry/exporter-trace-otlp-http')),
    ...(requireHere('@opentelemetry/resources') as typeof import('@opentelemetry/resources')),
  };
}

/** `service.name` when OTEL_SERVICE_NAME is not set. */
export const DEFAULT_SERVICE_NAME = 'sweden-open-data-graph';

/** Longest wait for the last spans to be exported at shutdown. */
const SHUTDOWN_TIMEOUT_MS = 3_000;

/** Name of our tracer (the instrumentation scope of the request and upstream spans). */
const TRACER_NAME = 'sweden-open-data-graph';

/** Options of `setupTelemetry`. */
export interface TelemetryOptions {
  /**
   * OTLP/HTTP base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT), e.g. `http://localhost:4318`; spans go to
   * `<endpoint>/v1/traces` in batches. Default unset: no tracing.
   */
  endpoint?: string | undefined;
  /** `service.name` of the spans (OTEL_SERVICE_NAME); default `sweden-open-data-graph`. */
  serviceName?: string | undefined;
  /** Exports every span as it ends to this exporter instead of OTLP (tests: InMemorySpanExporter). */
  exporter?: SpanExporter | undefined;
  /** Where the SDK's problems (a collector that is down) are logged, at most once a minute; default nowhere. */
  logger?: Logger | undefined;
}

/** Tracing of one process. Create it once: it registers the global tracer provider. */
export interface Telemetry {
  /** Our tracer, for the request and upstream spans. */
  readonly tracer: Tracer;
  /**
   * Runs `fn` (the handling of one GraphQL HTTP request) in a SERVER span that continues the
   * request's `traceparent`, with the trace id added to every log line written meanwhile.
   */
  traceRequest<T>(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    fn: () => Promise<T>,
  ): Promise<T>;
  /** Records one upstream call (the kit's `onUpstreamEvent`) as a CLIENT span under the active span. */
  onUpstreamEvent(event: UpstreamEvent): void;
  /** Exports what is still buffered and stops; waits at most 3 s and never fails. */
  shutdown(): Promise<void>;
}

/**
 * Registers an OpenTelemetry tracer provider (with the AsyncLocalStorage context manager and the W3C
 * trace-context propagator) when an endpoint or exporter is given; otherwise registers nothing
 * and returns undefined, so that tracing costs nothing. Call once per process: @apollo/gateway's
 * tracer binds to the first provider registered.
 */
export function setupTelemetry(options: TelemetryOptions): Telemetry | undefined {
  const { endpoint, exporter, logger } = options;
  if (!endpoint && !exporter) return undefined;
  const {
    BatchSpanProcessor,
    SimpleSpanProcessor,
    NodeTracerProvider,
    OTLPTraceExporter,
    defaultResource,
    resourceFromAttributes,
  } = sdk();
  let processor: SpanProcessor;
  if (exporter) processor = new SimpleSpanProcessor(exporter);
  else {
    processor = new BatchSpanProcessor(
      new OTLPTraceExporter({ url: `${endpoint!.replace(/\/+$/, '')}/v1/traces` }),
    );
  }
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({ 'service.name': options.serviceName ?? DEFAULT_SERVICE_NAME }),
    ),
    spanProcessors: [processor],
  });
  provider.register();
  // The SDK reports failed exports (a collector that is down) through its diagnostic logger.
  const problems = logger ? rateLimitedDiag(logger) : undefined;
  if (problems) diag.setLogger(problems, DiagLogLevel.WARN);
  const tracer = provider.getTracer(TRACER_NAME);

  return {
    tracer,
    traceRequest(req, res, requestId, fn) {
      const method = req.method ?? 'GET';
      // Continues the caller's trace when it sent a valid `traceparent`; a root span otherwise.
      const parent = propagation.extract(ROOT_CONTEXT, req.headers);
      const path = pathOf(req.url);
      return tracer.startActiveSpan(
        `${method} ${path}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': method,
            'url.path': path,
            'http.route': path,
            'request.id': requestId,
          },
        },
        parent,
        async (span) => {
          try {
            return await withLogContext({ traceId: span.spanContext().traceId }, fn);
          } catch (err) {
            // The type only: a message can quote URLs or input.
            span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.name ?? 'Error' });
            throw err;
          } finally {
            span.setAttribute('http.response.status_code', res.statusCode);
            if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
          }
        },
      );
    },
    onUpstreamEvent(event) {
      const end = Date.now();
      const attributes: Attributes = {
        'upstream.agency': event.agency,
        'upstream.outcome': event.outcome,
        'upstream.cache': event.outcome === 'hit' || event.outcome === 'stale' ? event.outcome : 'miss',
        'upstream.attempts': event.attempts,
      };
      if (event.method) attributes['http.request.method'] = event.method;
      const url = safeUrl(event.url);
      if (url) {
        attributes['url.full'] = url.href;
        attributes['server.address'] = url.hostname;
      }
      if (event.errorKind) {
        attributes['upstream.error_kind'] = event.errorKind;
        attributes['error.type'] = event.errorKind;
      }
      // The event comes at the end of the call; the active context is the caller's (the subgraph
      // fetch that asked for it), carried through awaits by AsyncLocalStorage.
      const span = tracer.startSpan(
        `upstream ${event.agency}`,
        { kind: SpanKind.CLIENT, startTime: end - (event.ms ?? 0), attributes },
        context.active(),
      );
      if (event.outcome === 'error')
        span.setStatus({ code: SpanStatusCode.ERROR, message: event.errorKind ?? 'upstream error' });
      span.end(end);
    },
    async shutdown() {
      // A collector that is down or hangs must not hold up (or fail) a clean shutdown.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        provider.shutdown().catch((err: unknown) => problems?.error(String((err as Error)?.message ?? err))),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

/** The path of a request target, without its query string (which can hold the query itself). */
function pathOf(target: string | undefined): string {
  const path = (target ?? '/').split('?')[0] ?? '/';
  return path === '' ? '/' : path;
}

/** Origin and path only: no credentials, query string or fragment ever reach an attribute. */
function safeUrl(url: string | undefined): URL | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u;
  } catch {
    return undefined;
  }
}

/** The SDK's own problems (a collector that is down) as warnings, at most one a minute. */
function rateLimitedDiag(logger: Logger) {
  let last = Number.NEGATIVE_INFINITY;
  const warn = (message: string) => {
    const now = Date.now();
    if (now - last < 60_000) return;
    last = now;
    logger.warn(
      { otel: message },
      'tracing: the OpenTelemetry SDK reported a problem (repeats muted for a minute)',
    );
  };
  const ignore = () => {};
  return { error: warn, warn, info: ignore, debug: ignore, verbose: ignore };
}
