import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import {
  type DocumentNode,
  defaultFieldResolver,
  GraphQLError,
  type GraphQLSchema,
  getNullableType,
  isListType,
  isObjectType,
} from 'graphql';
import type Keyv from 'keyv';
import type { Dispatcher } from 'undici';
import type { BreakerOptions, BreakerSnapshot } from './breaker.ts';
import type { EnvSpec, EnvValues } from './config.ts';
import type { FieldCosts } from './cost.ts';
import { toGraphQLError, UpstreamError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { RateLimiter } from './ratelimit.ts';
import {
  connectRedis,
  createRedisRateLimiter,
  type RedisRateLimitOptions,
  rateLimitKey,
  type SharedRateLimiter,
} from './ratelimit-redis.ts';
import type { AgencySimulator, SimulatorDeps } from './simulator.ts';
import type { SnapshotStore } from './snapshot.ts';
import {
  createUpstream,
  type RequestTrace,
  type Upstream,
  type UpstreamEvent,
  type UpstreamMode,
  type UpstreamOptions,
} from './upstream.ts';

/** What the gateway (or a stand-alone subgraph server) shares with every subgraph for one GraphQL request. */
export interface SharedRequestContext {
  trace: RequestTrace;
}

/** Everything a subgraph's factory receives: no module singletons, fakes in tests. */
export interface SubgraphDeps<S extends EnvSpec = EnvSpec> {
  config: EnvValues<S>;
  cache: Keyv;
  logger: Logger;
  mode: UpstreamMode;
  snapshot?: SnapshotStore | undefined;
  now: () => number;
  /** Replaces every upstream's dispatcher (tests pass an undici MockAgent). */
  dispatcher?: Dispatcher | undefined;
  onUpstreamEvent?: ((event: UpstreamEvent) => void) | undefined;
  /** Shared rate limiters keyed by agency (lets replicas plug in a Redis-backed one). */
  rateLimiters?: Partial<Record<string, RateLimiter>>;
  /** Largest upstream response body, compressed or decompressed (`UPSTREAM_MAX_BYTES`; kit default 32 MiB). */
  maxBodyBytes?: number | undefined;
  /** Most calls one GraphQL request may make to one agency (`MAX_UPSTREAM_CALLS`). */
  maxCallsPerRequest?: number | undefined;
  /** Whole-call deadline per agency in ms, retries included (`UPSTREAM_TIMEOUTS`), overriding the subgraph's. */
  timeouts?: Readonly<Record<string, number>> | undefined;
  /** Circuit breaker settings for every upstream (`BREAKER_THRESHOLD`, `BREAKER_OPEN_MS`). */
  breaker?: BreakerOptions | undefined;
  /** Most list items one GraphQL request may build, counted while it runs (`MAX_RESPONSE_ITEMS`). */
  maxResponseItems?: number | undefined;
  /**
   * The Redis shared by every replica (`CACHE_URL`, `CACHE_PREFIX`): rate limits an agency publishes
   * per client IP are counted there for all replicas together (`kit.sharedRateLimiter`).
   */
  redis?: { url: string; prefix: string } | undefined;
  /** The User-Agent every upstream sends (UPSTREAM_USER_AGENT). */
  userAgent?: string | undefined;
}

/** A running subgraph: a federated schema and a per-request context factory. */
export interface SubgraphRuntime {
  readonly name: string;
  readonly agency: string;
  readonly schema: GraphQLSchema;
  /** The per-request context; the same shared object always yields the same context (loaders live per request). */
  contextFor(shared: SharedRequestContext): unknown;
  /** The circuit breaker of each upstream API this subgraph calls. */
  health?(): Array<{ agency: string; api: string } & BreakerSnapshot>;
  close(): Promise<void>;
}

/** One agency subgraph: its name, SDL, environment and factory. Listed in `subgraphs/index.ts`. */
export interface SubgraphModule {
  /** Lower-case id used in URLs, the subgraph list and `extensions.agency`, e.g. `smhi`. */
  readonly name: string;
  /** Display name of the agency, e.g. `SMHI`. */
  readonly agency: string;
  /** Licence and attribution line for the README and schema descriptions. */
  readonly attribution: string;
  readonly typeDefs: DocumentNode;
  /** Environment variables the subgraph reads (validated at start-up). */
  readonly env: EnvSpec;
  create(deps: SubgraphDeps): SubgraphRuntime;
  /**
   * Offline mode (`UPSTREAM_MODE=offline`): a simulator of every upstream API this subgraph calls,
   * mounted at the configured base URLs and plugged in as the upstreams' dispatcher.
   */
  readonly simulator?: ((deps: SimulatorDeps) => AgencySimulator) | undefined;
  /** What this subgraph's fields cost (list sizes, upstream calls), keyed by `Type.field`. */
  readonly cost?: FieldCosts | undefined;
}

/** Helpers handed to a subgraph's own factory. */
export interface SubgraphKit<S extends EnvSpec> extends SubgraphDeps<S> {
  /**
   * An upstream with the kit's defaults, mode, cache, snapshot, dispatcher, limits and breaker
   * filled in. `logger` replaces the kit's (e.g. one that drops query strings holding personal data);
   * `neverRecord` keeps this API's answers out of recordings (record mode calls it live, saves nothing).
   */
  upstream(
    options: Omit<UpstreamOptions, 'cache' | 'logger' | 'mode' | 'snapshot' | 'now'> & {
      logger?: Logger;
      neverRecord?: boolean;
    },
  ): Upstream;
  /**
   * A sliding-window limiter whose log lives in the shared Redis (one limit for all replicas), keyed
   * `<prefix>:ratelimit:<name>:<live|offline|snapshot>`; undefined without Redis (use a local one).
   * The kit owns the connection and closes it with the subgraph.
   */
  sharedRateLimiter(
    name: string,
    limit: Omit<RedisRateLimitOptions, 'key' | 'logger'>,
  ): SharedRateLimiter | undefined;
}

export interface DefineSubgraph<S extends EnvSpec, Ctx> {
  name: string;
  agency: string;
  attribution: string;
  typeDefs: DocumentNode;
  env: S;
  /** What this subgraph's fields cost (see `SubgraphModule.cost`). */
  cost?: FieldCosts;
  /** The offline simulator of this subgraph's upstream APIs (see `SubgraphModule.simulator`). */
  simulator?: (deps: SimulatorDeps<EnvValues<S>>) => AgencySimulator;
  /** Builds the resolvers and the per-request context from the kit. */
  setup(kit: SubgraphKit<S>): {
    /** The resolver map; typed by the subgraph with its generated `Resolvers` type. */
    resolvers: object;
    context: (shared: SharedRequestContext) => Ctx;
    close?: () => Promise<void>;
  };
}

/**
 * Defines a subgraph once; the result runs in-process in the gateway or as its own HTTP service.
 * Every resolver is wrapped so that whatever it throws reaches clients as a GraphQLError with
 * `extensions.code` from the fixed set and `extensions.agency`.
 */
export function createSubgraph<S extends EnvSpec, Ctx>(def: DefineSubgraph<S, Ctx>): SubgraphModule {
  return {
    name: def.name,
    agency: def.agency,
    attribution: def.attribution,
    typeDefs: def.typeDefs,
    env: def.env,
    ...(def.simulator ? { simulator: def.simulator as (deps: SimulatorDeps) => AgencySimulator } : {}),
    ...(def.cost ? { cost: def.cost } : {}),
    create(deps) {
      const upstreams: Upstream[] = [];
      const redisClients: Array<{ close(): Promise<void> }> = [];
      const kit: SubgraphKit<S> = {
        ...(deps as SubgraphDeps<S>),
        sharedRateLimiter(name, limit) {
          if (!deps.redis) return undefined;
          const client = connectRedis(deps.redis.url, deps.logger);
          redisClients.push(client);
          return createRedisRateLimiter(client, {
            ...limit,
            key: rateLimitKey(deps.redis.prefix, name, deps.mode),
            logger: deps.logger,
          });
        },
        upstream({ neverRecord, logger, ...options }) {
          const up = createUpstream({
            ...options,
            cache: deps.cache,
            logger: logger ?? deps.logger,
            mode: neverRecord && deps.mode === 'record' ? 'live' : deps.mode,
            snapshot: deps.snapshot,
            now: deps.now,
            ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
            ...(deps.maxBodyBytes ? { maxBodyBytes: deps.maxBodyBytes } : {}),
            ...(deps.userAgent ? { userAgent: deps.userAgent } : {}),
            ...(deps.maxCallsPerRequest ? { maxCallsPerRequest: deps.maxCallsPerRequest } : {}),
            ...(deps.timeouts?.[options.agency] ? { totalTimeoutMs: deps.timeouts[options.agency] } : {}),
            ...(deps.breaker && options.breaker !== false
              ? { breaker: { ...deps.breaker, ...options.breaker } }
              : {}),
            ...(deps.onUpstreamEvent ? { onEvent: deps.onUpstreamEvent } : {}),
            ...(deps.rateLimiters?.[options.agency]
              ? { rateLimiter: deps.rateLimiters[options.agency] }
              : {}),
          });
          upstreams.push(up);
          return up;
        },
      };
      const { resolvers, context, close } = def.setup(kit);
      const schema = buildSubgraphSchema([
        {
          typeDefs: def.typeDefs,
          resolvers: wrapResolvers(resolvers as GraphQLResolverMap<Ctx>, def.name, deps.logger),
        },
      ]);
      const contexts = new WeakMap<SharedRequestContext, Ctx>();
      const sharedOf = new WeakMap<object, SharedRequestContext>();
      if (deps.maxResponseItems !== undefined) {
        countListItems(schema, deps.maxResponseItems, (ctx) =>
          typeof ctx === 'object' && ctx !== null ? sharedOf.get(ctx)?.trace : undefined,
        );
      }
      return {
        name: def.name,
        agency: def.agency,
        schema,
        contextFor(shared) {
          let ctx = contexts.get(shared);
          if (ctx === undefined) {
            ctx = context(shared);
            contexts.set(shared, ctx);
            if (typeof ctx === 'object' && ctx !== null) sharedOf.set(ctx, shared);
          }
          return ctx;
        },
        health() {
          return upstreams.map((u) => ({ agency: u.agency, api: u.baseUrl, ...u.health() }));
        },
        async close() {
          await close?.();
          await Promise.all(upstreams.map((u) => u.close()));
          await Promise.all(redisClients.map((c) => c.close()));
        },
      };
    },
  };
}

type AnyFn = (...args: unknown[]) => unknown;

/**
 * Counts the items of every list the schema's resolvers build into the request's trace, and
 * refuses lists once a request has built `max` of them (RESPONSE_TOO_LARGE on that field; the rest
 * of the answer is kept). The cost analysis refuses what it can foresee before execution; this
 * holds whatever it could not (lists longer than estimated, embedded data nested many times).
 */
function countListItems(
  schema: GraphQLSchema,
  max: number,
  traceOf: (context: unknown) => RequestTrace | undefined,
): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type))) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const where = `${type.name}.${field.name}`;
      field.resolve = (source, args, context, info) => {
        const trace = traceOf(context);
        if (!trace) return resolve(source, args, context, info);
        trace.items ??= { count: 0 };
        const items = trace.items;
        if (items.count >= max) throw tooLarge(max, where);
        const charge = (value: unknown) => {
          if (Array.isArray(value)) {
            items.count += value.length;
            if (items.count > max) throw tooLarge(max, where);
          }
          return value;
        };
        const value = resolve(source, args, context, info);
        return value && typeof (value as Promise<unknown>).then === 'function'
          ? (value as Promise<unknown>).then(charge)
          : charge(value);
      };
    }
  }
}

function tooLarge(max: number, where: string): GraphQLError {
  return new GraphQLError(
    `The answer is too large: this request built more than ${max} list items (MAX_RESPONSE_ITEMS), so ${where} and the lists after it were left out. Ask for fewer items (limit, a county instead of all municipalities) or split the query.`,
    { extensions: { code: 'RESPONSE_TOO_LARGE', limit: max } },
  );
}

function wrapResolvers<Ctx>(
  resolvers: GraphQLResolverMap<Ctx>,
  agency: string,
  logger: Logger,
): GraphQLResolverMap<Ctx> {
  const wrapped: Record<string, unknown> = {};
  for (const [typeName, fields] of Object.entries(resolvers)) {
    if (typeof fields !== 'object' || fields === null || !isPlainObject(fields)) {
      wrapped[typeName] = fields; // scalars and enums
      continue;
    }
    const out: Record<string, unknown> = {};
    for (const [field, resolver] of Object.entries(fields as Record<string, unknown>)) {
      if (field === '__resolveReference' && typeof resolver === 'function')
        out[field] = ownEntity(wrapFn(resolver as AnyFn, agency, logger));
      else if (typeof resolver === 'function') out[field] = wrapFn(resolver as AnyFn, agency, logger);
      else if (
        resolver &&
        typeof resolver === 'object' &&
        'resolve' in resolver &&
        typeof resolver.resolve === 'function'
      ) {
        out[field] = { ...resolver, resolve: wrapFn(resolver.resolve as AnyFn, agency, logger) };
      } else out[field] = resolver;
    }
    wrapped[typeName] = out;
  }
  return wrapped as GraphQLResolverMap<Ctx>;
}

function wrapFn(fn: AnyFn, agency: string, logger: Logger): AnyFn {
  const fail = (err: unknown): never => {
    if (!(err instanceof GraphQLError) && !(err instanceof UpstreamError)) {
      // A bug of ours: log it in full, show the client only a code.
      logger.error({ err, agency, stack: (err as Error)?.stack }, 'resolver failed');
    }
    throw toGraphQLError(err, agency);
  };
  return function wrappedResolver(this: unknown, ...args: unknown[]) {
    try {
      const result = fn.apply(this, args);
      if (result && typeof (result as Promise<unknown>).then === 'function')
        return (result as Promise<unknown>).catch(fail);
      return result;
    } catch (err) {
      return fail(err);
    }
  };
}

/**
 * `@apollo/subgraph` marks each entity `__resolveReference` returns with its `__typename`
 * (`Object.defineProperty`), which fails on a frozen object: a cached upstream answer, shared by every
 * reader (`kit/cache.ts`). Such an entity is handed over as a shallow copy of its own.
 */
function ownEntity(fn: AnyFn): AnyFn {
  const own = (value: unknown) =>
    value !== null && typeof value === 'object' && Object.isFrozen(value) ? { ...value } : value;
  return function resolveReference(this: unknown, ...args: unknown[]) {
    const result = fn.apply(this, args);
    return result && typeof (result as Promise<unknown>).then === 'function'
      ? (result as Promise<unknown>).then(own)
      : own(result);
  };
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
