import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { Counter, Gauge, Histogram, type MetricValue, Registry } from 'prom-client';
import type { RequestTrace, UpstreamEvent } from '../../../kit/upstream.ts';
import type { GatewayContext } from '../datasources.ts';
import { insightsRoutes } from './insights-page.ts';
import { type FieldOwners, fieldOwners } from './ownership.ts';
import { type SupplyReport, supplyReport } from './supply.ts';
import { type OperationFields, operationFields } from './walk.ts';

/** Request duration buckets, seconds. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Upstream round-trip buckets, seconds. */
const UPSTREAM_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Label values that may come from a response (agency names): anything else is reported as "other". */
const SAFE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const UNKNOWN = 'unknown';

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;

/** What `createUsageInsights` returns: wire `plugin`, `onUpstreamEvent` and `routes` into the gateway. */
export interface UsageInsights {
  /** Counts requested fields per subgraph, errors per field, request durations. */
  readonly plugin: ApolloServerPlugin<GatewayContext>;
  /** Collector for the kit's upstream events (cache hits, calls, latency per agency). */
  onUpstreamEvent(event: UpstreamEvent): void;
  /** `GET /usage` (JSON) and `GET /metrics` (Prometheus text). */
  readonly routes: Route[];
  /** This instance's Prometheus registry (never the global one). */
  readonly registry: Registry;
  /** The JSON served at /usage. */
  report(): Promise<UsageReport>;
  /**
   * For a request answered without errors: a function that counts one more identical request (same
   * operation, same answer) as this one was counted, that took `seconds`; undefined otherwise. The
   * server calls it for a replayed response-cache hit, which does not go through the plugin.
   */
  repeater(trace: RequestTrace): ((seconds: number) => void) | undefined;
}

/** Options of the usage collector. */
export interface UsageOptions {
  /** Clock for `since` in the report; default `Date.now`. */
  now?: () => number;
  /** Field ownership when no supergraph is loaded through the server (tests); default: from the gateway. */
  supergraphSdl?: string;
}

/** Latency summary in milliseconds, estimated from histogram buckets like PromQL's histogram_quantile. */
export interface LatencySummary {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  /** Cumulative counts per upper bound (ms); the last bound is `+Inf`. */
  buckets: Array<{ leMs: number | '+Inf'; count: number }>;
}

export interface FieldUsage {
  requested: number;
  /** Upstream failures other than timeouts attributed to this field (codes UPSTREAM_*). */
  failed: number;
  timedOut: number;
  /**
   * Answers where the field came back null or an empty list without an error: "no such thing" —
   * demand the data did not meet (counted for root fields and their direct children).
   */
  empty: number;
}

/** One minute of traffic (the last 24 hours are kept). */
export interface UsageMinute {
  /** Start of the minute, ISO 8601. */
  minute: string;
  requests: number;
  /** Operations that selected a field of each subgraph. */
  subgraphs: Record<string, number>;
  /** Operations that selected a field of each type (`Municipality`, `ForecastStep`, …). */
  types: Record<string, number>;
  /** HTTP calls sent to each agency. */
  upstreamCalls: Record<string, number>;
}

export interface UsageReport {
  since: string;
  note: string;
  requests: { total: number; byOutcome: Record<string, number>; latency: LatencySummary };
  subgraphs: Record<string, { requests: number; fields: Record<string, FieldUsage> }>;
  agencies: Record<
    string,
    {
      cache: { hits: number; misses: number; stale: number; errors: number; hitRatio: number | null };
      upstreamCalls: number;
      latency: LatencySummary;
    }
  >;
  errors: Array<{ code: string; agency: string; count: number }>;
  /** Requests per minute over the last 24 hours (minutes without traffic left out). */
  timeline: UsageMinute[];
  /** Supply next to demand: each agency's catalogued datasets, which the graph serves, how often those fields are asked for. */
  supply: SupplyReport;
}

/**
 * The demand signal for agencies: which subgraphs and `Type.field`s are asked for, how often their
 * upstream failed or timed out, cache behaviour and latency per agency. Records no personal data:
 * no addresses, headers, variable values, argument values, aliases, operation names or query text,
 * only schema coordinates, subgraph/agency names and error codes.
 */
export function createUsageInsights(options: UsageOptions = {}): UsageInsights {
  const now = options.now ?? Date.now;
  const since = new Date(now()).toISOString();
  let owners: FieldOwners = options.supergraphSdl ? fieldOwners(options.supergraphSdl) : new Map();

  const registry = new Registry();
  const requests = new Counter({
    name: 'gateway_requests_total',
    help: 'GraphQL requests by outcome: ok (no errors), partial (data and errors), error (no data)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: 'gateway_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to sending its response, by outcome',
    labelNames: ['outcome'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const subgraphRequests = new Counter({
    name: 'gateway_subgraph_requests_total',
    help: 'GraphQL operations that selected at least one field owned by the subgraph',
    labelNames: ['subgraph'] as const,
    registers: [registry],
    collect: () => flushRequested(),
  });
  const fieldRequests = new Counter({
    name: 'gateway_field_requests_total',
    help: 'GraphQL operations that selected the field (schema coordinate Type.field), per owning subgraph',
    labelNames: ['subgraph', 'coordinate'] as const,
    registers: [registry],
    collect: () => flushRequested(),
  });
  const fieldErrors = new Counter({
    name: 'gateway_field_upstream_errors_total',
    help: 'Errors with an UPSTREAM_* code at the field, per owning subgraph and code (UPSTREAM_TIMEOUT = timed out)',
    labelNames: ['subgraph', 'coordinate', 'code'] as const,
    registers: [registry],
  });
  const responseErrors = new Counter({
    name: 'gateway_response_errors_total',
    help: 'Errors in GraphQL responses by extensions.code and extensions.agency ("none" when absent)',
    labelNames: ['code', 'agency'] as const,
    registers: [registry],
  });
  const upstreamRequests = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'Upstream lookups per agency by outcome: hit (fresh cache), miss (fetched), stale (served stale after a failure), error',
    labelNames: ['agency', 'outcome'] as const,
    registers: [registry],
  });
  const upstreamCalls = new Counter({
    name: 'gateway_upstream_calls_total',
    help: 'HTTP requests actually sent to the agency (retries included; cache hits excluded)',
    labelNames: ['agency'] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'gateway_upstream_duration_seconds',
    help: 'Upstream round-trip time per agency including retries (misses and errors), by outcome',
    labelNames: ['agency', 'outcome'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'gateway_upstream_cache_hit_ratio',
    help: 'Fresh cache hits / all upstream lookups per agency since start',
    labelNames: ['agency'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [agency, c] of Object.entries(await cacheCounts())) {
        const ratio = hitRatio(c);
        if (ratio !== null) this.set({ agency }, ratio);
      }
    },
  });

  async function cacheCounts() {
    const out: Record<string, { hits: number; misses: number; stale: number; errors: number }> = {};
    for (const v of (await upstreamRequests.get()).values) {
      const agency = String(v.labels['agency']);
      const c = out[agency] ?? { hits: 0, misses: 0, stale: 0, errors: 0 };
      out[agency] = c;
      const outcome = v.labels['outcome'];
      if (outcome === 'hit') c.hits += v.value;
      else if (outcome === 'miss') c.misses += v.value;
      else if (outcome === 'stale') c.stale += v.value;
      else c.errors += v.value;
    }
    return out;
  }

  const fieldEmpty = new Counter({
    name: 'gateway_field_empty_total',
    help: 'Answers where the field was null or an empty list without an error ("no such thing": unmet demand)',
    labelNames: ['subgraph', 'coordinate'] as const,
    registers: [registry],
  });

  /** Per-minute traffic of the last 24 hours, oldest first (bounded: 1 440 entries). */
  const minutes = new Map<
    number,
    {
      requests: number;
      subgraphs: Map<string, number>;
      types: Map<string, number>;
      calls: Map<string, number>;
    }
  >();
  const MINUTE_MS = 60_000;
  const KEEP_MINUTES = 24 * 60;
  const minuteNow = () => {
    const key = Math.floor(now() / MINUTE_MS) * MINUTE_MS;
    let m = minutes.get(key);
    if (!m) {
      m = { requests: 0, subgraphs: new Map(), types: new Map(), calls: new Map() };
      minutes.set(key, m);
      for (const old of minutes.keys()) {
        if (old > key - KEEP_MINUTES * MINUTE_MS) break;
        minutes.delete(old);
      }
    }
    return m;
  };

  /**
   * The empty fields of an answer without errors, by answer object: a cached answer is served as
   * the same frozen object, so its walk is done once, not per hit.
   */
  const emptyOf = new WeakMap<
    object,
    { fields: OperationFields; labels: Array<{ subgraph: string; coordinate: string }> }
  >();

  /** Root fields, and their direct children, that came back null or [] without an error there. */
  function recordEmpty(
    data: Record<string, unknown> | null | undefined,
    errors: readonly GraphQLFormattedError[] | undefined,
    fields: OperationFields | undefined,
  ) {
    if (!data || !fields) return;
    const clean = !errors || errors.length === 0;
    const known = clean ? emptyOf.get(data) : undefined;
    if (known && known.fields === fields) {
      for (const labels of known.labels) fieldEmpty.inc(labels);
      return;
    }
    const failedPaths = clean
      ? []
      : errors.map((e) => (e.path ?? []).filter((p) => typeof p === 'string').join('.'));
    const labels: Array<{ subgraph: string; coordinate: string }> = [];
    const isEmpty = (v: unknown) => v === null || (Array.isArray(v) && v.length === 0);
    const count = (path: string) => {
      if (failedPaths.some((f) => f === path || f.startsWith(`${path}.`))) return;
      for (const coordinate of fields.byPath.get(path) ?? [])
        for (const subgraph of fields.subgraphs.get(coordinate) ?? ownersOf(coordinate))
          labels.push({ subgraph, coordinate });
    };
    for (const [key, value] of Object.entries(data)) {
      if (isEmpty(value)) count(key);
      else if (value && typeof value === 'object' && !Array.isArray(value))
        for (const [child, v] of Object.entries(value as Record<string, unknown>))
          if (isEmpty(v)) count(`${key}.${child}`);
    }
    for (const l of labels) fieldEmpty.inc(l);
    if (clean && Object.isFrozen(data)) emptyOf.set(data, { fields, labels });
  }

  /** An operation's fields with what each request of it counts, worked out once per operation. */
  interface Walked {
    owners: FieldOwners;
    schema: GraphQLSchema;
    fields: OperationFields;
    /** The labels of gateway_field_requests_total it adds one to. */
    fieldLabels: Array<{ subgraph: string; coordinate: string }>;
    /** The subgraphs it touches, and the types it selects fields of. */
    subgraphs: string[];
    types: string[];
  }
  const walked = new WeakMap<OperationDefinitionNode, Walked>();

  /**
   * Requests per operation not yet added to the field and subgraph counters: a request adds one
   * here, and the counters catch up when read (/metrics, /usage). Incrementing a labelled
   * prom-client counter per field and request was 5 % of the CPU of a cached answer.
   */
  const pendingRequested = new Map<Walked, number>();
  function flushRequested() {
    for (const [op, n] of pendingRequested) {
      for (const labels of op.fieldLabels) fieldRequests.inc(labels, n);
      for (const subgraph of op.subgraphs) subgraphRequests.inc({ subgraph }, n);
    }
    pendingRequested.clear();
  }
  const ownersOf = (coordinate: string): readonly string[] => {
    const list = owners.get(coordinate);
    return list && list.length > 0 ? list : [UNKNOWN];
  };

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async serverWillStart() {
      return {
        schemaDidLoadOrUpdate({ coreSupergraphSdl }) {
          if (coreSupergraphSdl) owners = fieldOwners(coreSupergraphSdl);
        },
      };
    },
    async requestDidStart() {
      const started = performance.now();
      let walkedOp: Walked | undefined;
      return {
        async didResolveOperation({ schema, document, operation }) {
          if (!operation) return;
          // Apollo Server reuses parsed documents, so a repeated operation is walked once per schema.
          let op = walked.get(operation);
          if (!op || op.owners !== owners || op.schema !== schema) {
            const walkedFields = operationFields(schema, document, operation, ownersOf);
            const fieldLabels: Walked['fieldLabels'] = [];
            const touched = new Set<string>();
            for (const [coordinate, subgraphs] of walkedFields.subgraphs)
              for (const subgraph of subgraphs) {
                fieldLabels.push({ subgraph, coordinate });
                touched.add(subgraph);
              }
            op = {
              owners,
              schema,
              fields: walkedFields,
              fieldLabels,
              subgraphs: [...touched],
              types: [...new Set([...walkedFields.subgraphs.keys()].map((c) => c.slice(0, c.indexOf('.'))))],
            };
            walked.set(operation, op);
          }
          walkedOp = op;
          countOperation(op);
        },
        async willSendResponse({ response, contextValue }) {
          let outcome = 'ok';
          if (response.body.kind === 'single') {
            const { data, errors } = response.body.singleResult;
            if (errors && errors.length > 0) outcome = data ? 'partial' : 'error';
            for (const error of errors ?? []) recordError(error, walkedOp?.fields);
            recordEmpty(data, errors, walkedOp?.fields);
            if (outcome === 'ok' && data && walkedOp)
              answered.set(contextValue.trace, { op: walkedOp, data });
          }
          countAnswer(outcome, (performance.now() - started) / 1000);
        },
      };
    },
  };

  /** What a request counts once its operation is known. */
  function countOperation(op: Walked) {
    pendingRequested.set(op, (pendingRequested.get(op) ?? 0) + 1);
    const minute = minuteNow();
    for (const subgraph of op.subgraphs)
      minute.subgraphs.set(subgraph, (minute.subgraphs.get(subgraph) ?? 0) + 1);
    for (const type of op.types) minute.types.set(type, (minute.types.get(type) ?? 0) + 1);
  }

  /** What a request counts once answered. */
  function countAnswer(outcome: string, seconds: number) {
    requests.inc({ outcome });
    minuteNow().requests += 1;
    requestDuration.observe({ outcome }, seconds);
  }

  /** Requests answered without errors: their operation and data, for `repeater`. */
  const answered = new WeakMap<RequestTrace, { op: Walked; data: Record<string, unknown> }>();
  function repeater(trace: RequestTrace) {
    const seen = answered.get(trace);
    if (!seen) return undefined;
    const { op, data } = seen;
    return (seconds: number) => {
      countOperation(op);
      recordEmpty(data, undefined, op.fields);
      countAnswer('ok', seconds);
    };
  }

  function recordError(error: GraphQLFormattedError, fields: OperationFields | undefined) {
    const code = safeCode(error.extensions?.['code']);
    const agencyValue = error.extensions?.['agency'];
    const agency = typeof agencyValue === 'string' ? safeName(agencyValue) : 'none';
    responseErrors.inc({ code, agency });
    if (!code.startsWith('UPSTREAM_') || !fields || !error.path) return;
    const key = error.path.filter((p) => typeof p === 'string').join('.');
    for (const coordinate of fields.byPath.get(key) ?? []) {
      // A field several subgraphs can resolve: blame the one the error names, if it is an owner.
      const blamed = ownersOf(coordinate).includes(agency)
        ? [agency]
        : [...(fields.subgraphs.get(coordinate) ?? [UNKNOWN])];
      for (const subgraph of blamed) fieldErrors.inc({ subgraph, coordinate, code });
    }
  }

  function onUpstreamEvent(event: UpstreamEvent) {
    const agency = safeName(event.agency);
    upstreamRequests.inc({ agency, outcome: event.outcome });
    if (event.attempts > 0) {
      upstreamCalls.inc({ agency }, event.attempts);
      const minute = minuteNow();
      minute.calls.set(agency, (minute.calls.get(agency) ?? 0) + event.attempts);
    }
    if (event.ms !== undefined && event.outcome !== 'hit')
      upstreamDuration.observe({ agency, outcome: event.outcome }, event.ms / 1000);
  }

  async function report(): Promise<UsageReport> {
    const byOutcome: Record<string, number> = {};
    let total = 0;
    for (const v of (await requests.get()).values) {
      byOutcome[String(v.labels['outcome'])] = v.value;
      total += v.value;
    }
    const subgraphs: UsageReport['subgraphs'] = {};
    const subgraphEntry = (name: string) => (subgraphs[name] ??= { requests: 0, fields: {} });
    for (const v of (await subgraphRequests.get()).values)
      subgraphEntry(String(v.labels['subgraph'])).requests = v.value;
    const fieldEntry = (subgraph: string, coordinate: string) =>
      (subgraphEntry(subgraph).fields[coordinate] ??= { requested: 0, failed: 0, timedOut: 0, empty: 0 });
    for (const v of (await fieldRequests.get()).values)
      fieldEntry(String(v.labels['subgraph']), String(v.labels['coordinate'])).requested = v.value;
    for (const v of (await fieldErrors.get()).values) {
      const f = fieldEntry(String(v.labels['subgraph']), String(v.labels['coordinate']));
      if (v.labels['code'] === 'UPSTREAM_TIMEOUT') f.timedOut += v.value;
      else f.failed += v.value;
    }
    for (const v of (await fieldEmpty.get()).values)
      fieldEntry(String(v.labels['subgraph']), String(v.labels['coordinate'])).empty += v.value;

    const agencies: UsageReport['agencies'] = {};
    const calls = new Map(
      (await upstreamCalls.get()).values.map((v) => [String(v.labels['agency']), v.value]),
    );
    const latencies = await histogramByLabel(upstreamDuration, 'agency');
    for (const [agency, cache] of Object.entries(await cacheCounts())) {
      agencies[agency] = {
        cache: { ...cache, hitRatio: hitRatio(cache) },
        upstreamCalls: calls.get(agency) ?? 0,
        latency: latencies.get(agency) ?? summarize([], 0, 0),
      };
    }
    const errors = (await responseErrors.get()).values.map((v) => ({
      code: String(v.labels['code']),
      agency: String(v.labels['agency']),
      count: v.value,
    }));
    const requestedByCoordinate = new Map<string, number>();
    for (const sub of Object.values(subgraphs)) {
      for (const [coordinate, f] of Object.entries(sub.fields))
        requestedByCoordinate.set(coordinate, (requestedByCoordinate.get(coordinate) ?? 0) + f.requested);
    }
    const supply = supplyReport(
      (coordinate) => requestedByCoordinate.get(coordinate) ?? 0,
      subgraphs['catalog']?.requests ?? 0,
    );
    return {
      since,
      note: 'Counts since `since`. p50Ms/p95Ms are estimated from the histogram buckets (as Prometheus histogram_quantile does), meanMs is exact. No personal data: only schema coordinates, subgraph and agency names, error codes and timings.',
      requests: {
        total,
        byOutcome,
        latency: (await histogramByLabel(requestDuration, undefined)).get('') ?? summarize([], 0, 0),
      },
      subgraphs,
      agencies,
      errors,
      timeline: [...minutes].map(([start, m]) => ({
        minute: new Date(start).toISOString(),
        requests: m.requests,
        subgraphs: Object.fromEntries(m.subgraphs),
        types: Object.fromEntries(m.types),
        upstreamCalls: Object.fromEntries(m.calls),
      })),
      supply,
    };
  }

  const routes: Route[] = [
    ...insightsRoutes(report),
    async (req, res, url) => {
      if (url.pathname !== '/usage' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      const body = JSON.stringify(await report(), null, 2);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
    async (req, res, url) => {
      if (url.pathname !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  ];

  return { plugin, onUpstreamEvent, routes, registry, report, repeater };
}

function hitRatio(c: { hits: number; misses: number; stale: number; errors: number }): number | null {
  const all = c.hits + c.misses + c.stale + c.errors;
  return all === 0 ? null : c.hits / all;
}

function safeName(value: string): string {
  return SAFE_NAME.test(value) ? value : 'other';
}

function safeCode(value: unknown): string {
  return typeof value === 'string' && /^[A-Z][A-Z_]{0,39}$/.test(value) ? value : 'OTHER';
}

/** Sums a histogram's series over every label but `label` (all of them when undefined → key ''). */
async function histogramByLabel(
  histogram: Histogram<string>,
  label: string | undefined,
): Promise<Map<string, LatencySummary>> {
  const groups = new Map<string, { buckets: Map<number, number>; sum: number; count: number }>();
  const group = (v: MetricValue<string>) => {
    const key = label === undefined ? '' : String(v.labels[label]);
    let g = groups.get(key);
    if (!g) {
      g = { buckets: new Map(), sum: 0, count: 0 };
      groups.set(key, g);
    }
    return g;
  };
  for (const v of (await histogram.get()).values) {
    const name = (v as MetricValue<string> & { metricName?: string }).metricName ?? '';
    const g = group(v);
    if (name.endsWith('_bucket')) {
      const le = v.labels['le'];
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      g.buckets.set(bound, (g.buckets.get(bound) ?? 0) + v.value);
    } else if (name.endsWith('_sum')) g.sum += v.value;
    else if (name.endsWith('_count')) g.count += v.value;
  }
  const out = new Map<string, LatencySummary>();
  for (const [key, g] of groups) {
    const buckets = [...g.buckets.entries()].sort((a, b) => a[0] - b[0]);
    out.set(key, summarize(buckets, g.sum, g.count));
  }
  return out;
}

/** `buckets`: cumulative counts per upper bound in seconds. */
function summarize(buckets: Array<[number, number]>, sumSeconds: number, count: number): LatencySummary {
  const quantile = (q: number): number | null => {
    if (count === 0) return null;
    const rank = q * count;
    let lowerBound = 0;
    let lowerCount = 0;
    for (const [bound, cumulative] of buckets) {
      if (cumulative >= rank) {
        // Past the last finite bound there is nothing to interpolate to: report that bound.
        if (!Number.isFinite(bound)) return round(lowerBound * 1000);
        const inBucket = cumulative - lowerCount;
        const fraction = inBucket === 0 ? 0 : (rank - lowerCount) / inBucket;
        return round((lowerBound + (bound - lowerBound) * fraction) * 1000);
      }
      lowerBound = bound;
      lowerCount = cumulative;
    }
    return null;
  };
  return {
    count,
    meanMs: count === 0 ? null : round((sumSeconds / count) * 1000),
    p50Ms: quantile(0.5),
    p95Ms: quantile(0.95),
    buckets: buckets.map(([bound, c]) => ({
      leMs: Number.isFinite(bound) ? round(bound * 1000) : '+Inf',
      count: c,
    })),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
