import {
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
  RemoteGraphQLDataSource,
} from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { context as otelContext, propagation } from '@opentelemetry/api';
import { type DocumentNode, type ExecutionResult, execute, GraphQLError, parse } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import { Agent, Headers, Response, fetch as undiciFetch } from 'undici';
import { type CachePolicy, cachePolicyOf } from '../../kit/cache-policy.ts';
import type { SharedRequestContext, SubgraphRuntime } from '../../kit/subgraph.ts';
import { createTrace, EXECUTION_HEADERS, noteFreshUntil, type RequestTrace } from '../../kit/upstream.ts';

/** The gateway's per-request context. */
export interface GatewayContext extends SharedRequestContext {
  trace: RequestTrace;
  /** Client asked for upstream statistics in `extensions.upstream` (header `x-upstream-stats: 1`). */
  wantsStats: boolean;
  /** The operation's estimated cost (set by the cost plugin once the operation is known). */
  cost?: import('./cost.ts').CostReport;
  /** The request id (`x-request-id`), forwarded to remote subgraphs; unset outside HTTP requests. */
  requestId?: string;
  /** Who sent the request (`key:…` or `ip:…`, see clients.ts), for per-client limits and fair queues. */
  client?: string;
  /** A unique id of this execution (not the client-chosen request id), sent to remote subgraphs. */
  executionId?: string;
}

/** How in-process subgraphs execute their part of an operation (`SUBGRAPH_EXECUTOR`). */
export type SubgraphExecutor = 'jit' | 'graphql-js';

let jit: typeof import('graphql-jit') | undefined;
let loadingJit: Promise<void> | undefined;
/**
 * Loads graphql-jit (with fast-json-stringify and ajv, ~50 ms) once, in the background: the gateway
 * is ready without waiting for it, and fetches run with graphql-js until it is there.
 */
export function preloadJit(): Promise<void> {
  loadingJit ??= import('graphql-jit').then((m) => {
    jit = m;
  });
  return loadingJit;
}

interface Prepared {
  document: DocumentNode;
  policy: CachePolicy;
  /** The operation compiled by graphql-jit; `null` when it could not be (graphql-js runs it). */
  compiled?: CompiledQuery | null;
}

/**
 * Executes a subgraph fetch in this process: no HTTP hop, no serialisation of the request.
 * The subgraph's per-request context is derived from the gateway context, so loaders are shared by
 * all fetches of one GraphQL request and discarded with it.
 *
 * With the `jit` executor each subgraph operation is compiled once into a JavaScript function
 * (graphql-jit: no per-field argument coercion, no generic completion walk), which runs entity
 * fetches of hundreds of representations about 1.35× as fast as graphql-js's `execute` (issue 14's
 * 290-municipality query, profiled). The query texts come from the gateway's planner, so there are
 * as many compiled operations as planned fetches, bounded by the same 500-entry cache as the parsed
 * documents. An operation graphql-jit cannot compile runs with graphql-js, as does every fetch
 * before graphql-jit has loaded.
 */
export class InProcessDataSource implements GraphQLDataSource {
  private readonly documents = new LRUCache<string, Prepared>({ max: 500 });

  private readonly executor: SubgraphExecutor;

  constructor(
    readonly runtime: SubgraphRuntime,
    private readonly options: {
      /** Default `jit`. */
      executor?: SubgraphExecutor;
      /** graphql-jit refused or failed to compile an operation (it then runs with graphql-js). */
      onCompileError?: (error: unknown) => void;
      /** Each fetch, with the executor that ran it (the gateway counts them in /metrics). */
      onFetch?: (executor: SubgraphExecutor) => void;
    } = {},
  ) {
    this.executor = options.executor ?? 'jit';
    if (this.executor === 'jit') void preloadJit();
  }

  async process(options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    const query = request.query ?? '';
    let prepared = this.documents.get(query);
    if (!prepared) {
      const parsed = parse(query);
      prepared = { document: parsed, policy: cachePolicyOf(this.runtime.schema, parsed) };
      this.documents.set(query, prepared);
    }
    if (prepared.compiled === undefined && this.executor === 'jit' && jit)
      prepared.compiled = this.compile(prepared.document, request.operationName);
    const { document, policy, compiled } = prepared;
    // What Apollo Server's cache-control plugin does for HTTP subgraphs, from the static hints.
    if ('incomingRequestContext' in options) {
      options.incomingRequestContext.overallCachePolicy?.restrict(policy);
    }
    const shared = (context as Partial<GatewayContext>).trace
      ? (context as GatewayContext)
      : { trace: createTrace() };
    const contextValue = this.runtime.contextFor(shared);
    const variableValues = request.variables ?? {};
    this.options.onFetch?.(compiled ? 'jit' : 'graphql-js');
    const result: ExecutionResult = compiled
      ? await compiled.query(undefined, contextValue, variableValues)
      : await execute({
          schema: this.runtime.schema,
          document,
          variableValues,
          operationName: request.operationName ?? null,
          contextValue,
        });
    const response: GatewayGraphQLResponse = { data: result.data as Record<string, unknown> | null };
    if (result.errors) response.errors = result.errors.map((e) => e.toJSON() as never);
    return response;
  }

  private compile(document: DocumentNode, operationName: string | undefined): CompiledQuery | null {
    try {
      const compiled = jit!.compileQuery(this.runtime.schema, document, operationName, {
        // Stacks of resolver errors are never sent to clients; capturing one per error is waste.
        disablingCapturingStackErrors: true,
      });
      if (jit!.isCompiledQuery(compiled)) return compiled;
      this.options.onCompileError?.(compiled.errors?.[0] ?? compiled);
    } catch (err) {
      this.options.onCompileError?.(err);
    }
    return null;
  }
}

/** Options of the remote data source. */
export interface RemoteOptions {
  name: string;
  url: string;
  /** Whole-call timeout in ms. */
  timeoutMs: number;
  /** Shared keep-alive dispatcher for all remote subgraphs. */
  dispatcher: Agent;
  /** Identical fetches in flight share one HTTP call (`sharedFetches`; default true). */
  dedup?: boolean;
  /** The gateway's clock, for the subgraph's `freshForMs` (default `Date.now`). */
  now?: () => number;
}

/** The fetch function a remote data source calls (undici's, with our dispatcher and timeout). */
export type SubgraphFetch = (
  url: string,
  init: { method?: string; body?: unknown; headers?: unknown },
) => Promise<Response>;

/**
 * On a Response the caller did not fetch itself but shared with an identical fetch in flight: its
 * subgraph work was counted by the request that made the call.
 */
export const JOINED_HEADER = 'x-sodg-joined';

/** A query sent by the gateway: `{"query":"query …` or `{"query":"{…` (a mutation is never shared). */
const SHAREABLE_BODY = /^\{"query":"(?:query\b|\{)/;

/**
 * Identical subgraph fetches in flight at the same moment share one HTTP call: the same URL and the
 * same body (the subgraph operation and its variables, entity representations included). Apollo's
 * RemoteGraphQLDataSource deduplicates GETs only, and the gateway fetches with POST. The fetch that
 * was first sends its own headers (request id, execution id, client, deadline); the others wait for
 * its answer. Never merged: mutations, and answers the subgraph marks `private` (personal data) —
 * a request that joined such a fetch makes its own call. Every caller gets a Response of its own
 * (its own parse: the gateway merges entities into the objects it is given).
 */
export function sharedFetches(fetcher: SubgraphFetch): SubgraphFetch {
  const inFlight = new Map<
    string,
    Promise<{ status: number; statusText: string; headers: Array<[string, string]>; body: string }>
  >();
  return async (url, init) => {
    const body = init.body;
    if ((init.method ?? 'GET') !== 'POST' || typeof body !== 'string' || !SHAREABLE_BODY.test(body))
      return fetcher(url, init);
    const key = `${url}\n${body}`;
    let shared = inFlight.get(key);
    const joined = shared !== undefined;
    if (!shared) {
      shared = fetcher(url, init)
        .then(async (res) => ({
          status: res.status,
          statusText: res.statusText,
          // Decoded already: the copy must not claim an encoding or a length it does not have.
          headers: [...res.headers].filter(
            ([name]) => name !== 'content-encoding' && name !== 'content-length',
          ),
          body: await res.text(),
        }))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, shared);
    }
    const answer = await shared;
    const headers = new Headers(answer.headers);
    if (joined) {
      if (/\bprivate\b/i.test(headers.get('cache-control') ?? '')) return fetcher(url, init);
      headers.set(JOINED_HEADER, '1');
    }
    return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers });
  };
}

/**
 * Calls a subgraph over HTTP through undici (keep-alive, bounded connections, timeouts). The
 * subgraph's `extensions.upstream` (stale markers, call counts) is merged into the gateway request.
 * No retries: a mutation must never be replayed, and the subgraph retries its own upstreams.
 */
export class UndiciRemoteDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(private readonly options: RemoteOptions) {
    const fetch: SubgraphFetch = (input, init) =>
      undiciFetch(input, {
        ...(init as object),
        dispatcher: options.dispatcher,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    super({
      url: options.url,
      fetcher: (options.dedup === false ? fetch : sharedFetches(fetch)) as never,
    });
  }

  /**
   * Forwards the request id, so the subgraph's log lines carry it, and, when tracing, the active
   * span as `traceparent` (the propagator registered by the telemetry; none otherwise).
   */
  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = options.request.http?.headers;
    if (!headers) return;
    const context = options.context as Partial<GatewayContext> | undefined;
    if (context?.requestId) headers.set('x-request-id', context.requestId);
    // The subgraph shares this request's budgets across its fetches, keeps its deadline and queues
    // its agency calls in this client's turn.
    if (context?.executionId) headers.set(EXECUTION_HEADERS.id, context.executionId);
    if (context?.client) headers.set(EXECUTION_HEADERS.client, context.client);
    if (context?.trace?.deadline !== undefined)
      headers.set(EXECUTION_HEADERS.deadlineMs, String(Math.max(1, context.trace.deadline - Date.now())));
    propagation.inject(otelContext.active(), headers, {
      set: (carrier, key, value) => carrier.set(key, value),
    });
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
    const response = await super.process(options);
    const upstream = response.extensions?.['upstream'] as
      | { stale?: string[]; calls?: number; cacheHits?: number; offline?: string[]; freshForMs?: number }
      | undefined;
    const trace = (options.context as Partial<GatewayContext>).trace;
    if (upstream && trace) {
      // What the answer is made of holds for every request that got it; the work only for the one
      // that asked (a request that joined an identical fetch made no call).
      for (const agency of upstream.stale ?? []) trace.stale.add(agency);
      for (const agency of upstream.offline ?? []) trace.offline.add(agency);
      if (typeof upstream.freshForMs === 'number')
        noteFreshUntil(trace, (this.options.now ?? Date.now)() + upstream.freshForMs);
      if (!response.http?.headers.get(JOINED_HEADER)) {
        trace.upstreamCalls += upstream.calls ?? 0;
        trace.cacheHits += upstream.cacheHits ?? 0;
      }
    }
    return response;
  }

  override didEncounterError(error: Error): void {
    if (
      error instanceof GraphQLError &&
      error.extensions['code'] &&
      error.extensions['code'] !== 'INTERNAL_SERVER_ERROR'
    )
      throw error;
    const timeout = error.name === 'TimeoutError' || /timeout|aborted/i.test(error.message);
    throw new GraphQLError(
      timeout
        ? `Subgraph "${this.options.name}" did not answer within ${this.options.timeoutMs} ms`
        : `Subgraph "${this.options.name}" could not be reached`,
      {
        extensions: {
          code: timeout ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
          agency: this.options.name,
        },
      },
    );
  }
}

/** The dispatcher shared by remote subgraph calls. */
export function createSubgraphAgent(): Agent {
  return new Agent({ connections: 32, keepAliveTimeout: 30_000, connect: { timeout: 5_000 } });
}
