/**
 * The whole-response cache: answers to operations whose every field is cacheable and public, kept
 * and served without executing them again, and identical operations in flight at the same moment
 * executed once.
 *
 * - **What is kept:** a query's answer with no errors, no stale agency, HTTP 200, whose cache policy
 *   (the smallest `@cacheControl` maxAge of the fields it selected) is above 0 and PUBLIC. An answer
 *   with a PRIVATE field (addresses: personal data) is never kept nor shared between requests.
 * - **For how long:** that maxAge, and never longer than the upstream answers it was built from stay
 *   fresh (`RequestTrace.freshUntil`: an SCB table's version check included), so a new data version
 *   is never served from an answer built on the old one. An agency's new data version seen by this
 *   process also drops every answer whose execution started before it.
 * - **Keyed by** the operation's document in normalised form (printed: whitespace, comments and the
 *   query's spelling do not matter; aliases and arguments do), the operation name, the variables
 *   (key order does not matter), the API schema (a reloaded supergraph starts afresh) and the data
 *   mode (live, offline and snapshot answers never meet, like the upstream cache's).
 * - **Where:** `kit/cache.ts` — Redis at CACHE_URL (shared by replicas) with this process's first
 *   level of frozen answers in front, or memory only; a Redis that fails is a miss.
 * - **Not for** a request with `x-upstream-stats: 1` (its figures describe an execution), mutations,
 *   and anything else above.
 *
 * A hit still goes through everything before execution: the per-client request and cost limits
 * (the full estimated cost is charged: what a client may ask must not depend on what other clients
 * asked before), the depth and cost analysis, the allow-list.
 *
 * Why our own plugin rather than `@apollo/server-plugin-response-cache` (5.0.0 runs on Apollo
 * Server 5): its lifetime is the cache policy alone, while an answer here must also expire with the
 * upstream entries it was built from (which only the kit's per-request trace knows); it stores JSON
 * text and parses every hit, keys by the raw query text, drops the offline markers an answer carries,
 * and has no notion of identical operations in flight.
 */
import { createHash, type Hash } from 'node:crypto';
import {
  type ApolloServerPlugin,
  type GraphQLRequestContext,
  type GraphQLRequestContextWillSendResponse,
  HeaderMap,
} from '@apollo/server';
import { type DocumentNode, type GraphQLSchema, print, printSchema } from 'graphql';
import type Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import { cacheGet, cacheSet, deepFreeze } from '../../kit/cache.ts';
import type { Logger } from '../../kit/logger.ts';
import { stableJson } from '../../kit/snapshot.ts';
import type { RequestTrace, UpstreamEvent } from '../../kit/upstream.ts';
import type { GatewayContext } from './datasources.ts';
import { type GzipAround, gzipAround } from './gzip-around.ts';

/** Options of the whole-response cache. */
export interface ResponseCacheOptions {
  /** Where answers are kept: a `createCache` cache (Redis at CACHE_URL behind memory, else memory). */
  store: Keyv;
  /** What every key of this process starts with: the data mode (`live`, `offline`, `snapshot`). */
  scope: string;
  logger: Logger;
  /** The gateway's clock (the upstreams' too: `RequestTrace.freshUntil` is on it). Default `Date.now`. */
  now?: () => number;
  /** Largest answer kept, in characters of JSON (RESPONSE_CACHE_MAX_BYTES; default 1 MiB). */
  maxBytes?: number;
  /** A store slower than this is a miss (default 250 ms). */
  timeoutMs?: number;
  /**
   * Bytes of sent hits kept for `replay` (RESPONSE_CACHE_REPLAY_BYTES; default 32 MiB; 0: no
   * replays, every hit goes through Apollo Server's pipeline).
   */
  replayBytes?: number;
}

/** One kept answer. */
interface StoredAnswer {
  /** `data` as JSON text: what is stored, and what an HTTP answer embeds as it is (`serialized`). */
  json: string;
  /** The answer's cache policy when it was built (sent again as Cache-Control, with `Age`). */
  maxAge: number;
  /** Agencies answered by their offline simulators (restored into `extensions.offline`). */
  offline: string[];
  /** When the execution that built it started, and until when it may be served (the gateway's clock). */
  startedAt: number;
  storedAt: number;
  expiresAt: number;
}

/** What a request's `x-response-cache` header says: served from the cache, from an identical request in flight, or executed. */
export type ResponseCacheOutcome = 'hit' | 'joined' | 'miss';

export const RESPONSE_CACHE_HEADER = 'x-response-cache';

/** What the server redoes for a replayed hit besides sending it: the client's charge and usage counts. */
export interface ReplayAccounting {
  /** The estimated cost the hit charged its client (charged again, to the replay's client). */
  cost: number;
  /** Counts one more identical request, that took `seconds`, in the usage insights. */
  count(seconds: number): void;
}

/** A hit as it was sent, to send again for a request identical to it (see `replay`). */
export interface Replay extends ReplayAccounting {
  /** Headers as sent (status 200), but `age` (each replay sends its own). */
  headers: ReadonlyArray<readonly [string, string]>;
  /** The body as sent, with `requestId` in place of the hit's request id, as UTF-8 bytes. */
  body(requestId: string): Buffer;
  /**
   * The same body gzip-compressed, but for its request id compressed once (see gzip-around.ts); or
   * undefined while that compression is under way: the first call starts it, on zlib's thread pool.
   */
  gzip(requestId: string): Buffer | undefined;
  /** The length of its body without the request id. */
  size: number;
  /** Bytes kept for it (its body without the request id, and its compressed parts once made). */
  bytes: number;
  /** Seconds since the answer was kept: the `age` header. */
  age(): number;
}

export interface ResponseCache {
  plugin: ApolloServerPlugin<GatewayContext>;
  /** Listens for upstream events: a new data version drops the answers built before it. */
  onUpstreamEvent(event: UpstreamEvent): void;
  /**
   * For a request whose answer the caller sends as Apollo Server's serialised body: a hit's `data`
   * is then not serialised again (its JSON text is kept) but spliced in by `serialized`. Call before
   * the request executes, with its context.
   */
  embedsJson(context: GatewayContext): void;
  /** The serialised body of a request marked by `embedsJson`, with a hit's `data` text in place. */
  serialized(context: GatewayContext, body: string): string;
  /**
   * Keeps a hit, as it was sent, under `key`: the caller's identity of the HTTP request (its body
   * text and the headers that shape the answer). Only a 200 answer served from the cache, whose body
   * holds `requestId` once, is kept. Bounded by `replayBytes`.
   */
  remember(
    key: string,
    context: GatewayContext,
    sent: { status: number; headers: Iterable<[string, string]>; body: string; requestId: string },
    accounting: ReplayAccounting,
  ): void;
  /**
   * The hit kept under `key`, while its answer may still be served (its lifetime, no newer data
   * version, the same API schema): sending it again is what Apollo Server's pipeline would send for
   * that request, but the request id, `age` and the accounting the caller redoes. Apollo Server's
   * request pipeline took more than half of a small hit's CPU.
   */
  replay(key: string): Replay | undefined;
  /** Forgets every kept hit (a new API schema). */
  forgetReplays(): void;
}

/**
 * What a hit's `data` is while Apollo Server serialises the answer of a request marked by
 * `embedsJson`: every plugin has read the real data by then (this one's `willSendResponse` is the
 * last to start). Serialising 290 municipalities' data again took 30 % of such a hit's CPU.
 */
const DATA_PLACEHOLDER = '\u0000sodg:response-cache:data\u0000';
const DATA_PLACEHOLDER_JSON = JSON.stringify(DATA_PLACEHOLDER);

const KEY_VERSION = 'v1';

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { store, scope, logger } = options;
  const now = options.now ?? Date.now;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 250;
  /** Per document and operation name: the hash fed with its printed text, and its key without variables. */
  const hashed = new WeakMap<DocumentNode, Map<string, { hash: Hash; noVariables: string }>>();
  const schemaIds = new WeakMap<GraphQLSchema, string>();
  /** The executions in flight whose answer identical requests wait for, by key. */
  const inFlight = new Map<string, Promise<StoredAnswer | undefined>>();
  /**
   * Keys whose last execution could not be shared (uncacheable, private, errors): identical requests
   * execute at once instead of waiting for one another. Forgotten after a minute.
   */
  const unshareable = new LRUCache<string, true>({ max: 10_000, ttl: 60_000 });
  /** Answers whose execution started before this moment were built on a superseded data version. */
  let supersededBefore = Number.NEGATIVE_INFINITY;
  /** Each kept answer's data, parsed once per process (frozen: shared by every hit). */
  const parsed = new WeakMap<StoredAnswer, Record<string, unknown>>();
  /**
   * Requests whose body the caller serialises with `serialized`, and the answer each was served, by
   * the request's trace: Apollo Server hands plugins a shallow copy of the context object.
   */
  const embedding = new WeakSet<RequestTrace>();
  const served = new WeakMap<RequestTrace, StoredAnswer>();
  /** Hits as sent, by the caller's request identity, each with the answer it sent. */
  const replayMaxBytes = Math.max(1, options.replayBytes ?? 32 * 1024 * 1024);
  const replays = new LRUCache<string, { replay: Replay; answer: StoredAnswer }>({
    maxSize: replayMaxBytes,
    sizeCalculation: (r, key) => key.length + r.replay.bytes,
  });
  const replaysOn = (options.replayBytes ?? 1) > 0;

  function dataOf(answer: StoredAnswer): Record<string, unknown> {
    let data = parsed.get(answer);
    if (!data) {
      data = deepFreeze(JSON.parse(answer.json) as Record<string, unknown>);
      parsed.set(answer, data);
    }
    return data;
  }

  function keyOf(ctx: GraphQLRequestContext<GatewayContext>): string | undefined {
    const { document, operation, schema } = ctx;
    if (!document || operation?.operation !== 'query') return undefined;
    let schemaId = schemaIds.get(schema);
    if (schemaId === undefined) {
      schemaId = createHash('sha256').update(printSchema(schema)).digest('base64url').slice(0, 16);
      schemaIds.set(schema, schemaId);
    }
    // The document's part of the hash once per parsed document (Apollo Server reuses them) and
    // operation name; a request adds its variables to a copy, or none at all when it has none.
    const name = operation.name?.value ?? ctx.request.operationName ?? '';
    let byName = hashed.get(document);
    if (!byName) {
      byName = new Map();
      hashed.set(document, byName);
    }
    let base = byName.get(name);
    if (!base) {
      const hash = createHash('sha256').update(print(document)).update('\0').update(name).update('\0');
      base = { hash, noVariables: hash.copy().update(stableJson({})).digest('base64url') };
      byName.set(name, base);
    }
    const variables = ctx.request.variables;
    const digest =
      !variables || Object.keys(variables).length === 0
        ? base.noVariables
        : base.hash.copy().update(stableJson(variables)).digest('base64url');
    return `${KEY_VERSION}:${scope}:${schemaId}:${digest}`;
  }

  function usable(answer: StoredAnswer | undefined): answer is StoredAnswer {
    return answer !== undefined && answer.expiresAt > now() && answer.startedAt >= supersededBefore;
  }

  function respond(
    ctx: GraphQLRequestContext<GatewayContext>,
    answer: StoredAnswer,
    how: ResponseCacheOutcome,
  ) {
    // The Cache-Control the answer had (Apollo's cache-control plugin writes it), and its age.
    ctx.overallCachePolicy.replace({ maxAge: answer.maxAge, scope: 'PUBLIC' });
    for (const agency of answer.offline) ctx.contextValue.trace.offline.add(agency);
    served.set(ctx.contextValue.trace, answer);
    const age = Math.max(0, Math.floor((now() - answer.storedAt) / 1000));
    return {
      http: {
        headers: new HeaderMap([
          ['age', String(age)],
          [RESPONSE_CACHE_HEADER, how],
        ]),
      },
      body: { kind: 'single' as const, singleResult: { data: dataOf(answer) } },
    };
  }

  /** The answer to keep and share (with its data), or why not (undefined). */
  function answerOf(
    ctx: GraphQLRequestContextWillSendResponse<GatewayContext>,
    startedAt: number,
  ): { answer: StoredAnswer; data: Record<string, unknown> } | undefined {
    const { response, contextValue } = ctx;
    if (response.body.kind !== 'single') return undefined;
    const { data, errors } = response.body.singleResult;
    if (!data || (errors && errors.length > 0)) return undefined;
    if (response.http.status !== undefined && response.http.status !== 200) return undefined;
    if (contextValue.trace.stale.size > 0) return undefined;
    const policy = ctx.overallCachePolicy.policyIfCacheable();
    if (policy?.scope !== 'PUBLIC') return undefined;
    if (startedAt < supersededBefore) return undefined;
    const at = now();
    const freshUntil = contextValue.trace.freshUntil ?? Number.POSITIVE_INFINITY;
    const answer: StoredAnswer = {
      json: JSON.stringify(data),
      maxAge: policy.maxAge,
      offline: [...contextValue.trace.offline],
      startedAt,
      storedAt: at,
      expiresAt: Math.min(at + policy.maxAge * 1000, freshUntil),
    };
    return { answer, data };
  }

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      const startedAt = now();
      let key: string | undefined;
      let settle: ((answer: StoredAnswer | undefined) => void) | undefined;
      return {
        async responseForOperation(ctx) {
          if (ctx.contextValue.wantsStats) return null;
          key = keyOf(ctx);
          if (!key) return null;
          const kept = await cacheGet<StoredAnswer>(store, key, timeoutMs, logger);
          if (usable(kept)) return respond(ctx, kept, 'hit');
          const running = unshareable.has(key) ? undefined : inFlight.get(key);
          if (running) {
            const shared = await running;
            // Not shareable after all (private, errors): this request executes on its own.
            if (shared) return respond(ctx, shared, 'joined');
            return null;
          }
          const leader = key;
          inFlight.set(
            leader,
            new Promise<StoredAnswer | undefined>((resolve) => {
              settle = (answer) => {
                inFlight.delete(leader);
                resolve(answer);
              };
            }),
          );
          return null;
        },
        async willSendResponse(ctx) {
          if (!key) return;
          if (ctx.response.http.headers.get(RESPONSE_CACHE_HEADER)) {
            // A hit or a joined answer: its JSON text is spliced into the body by `serialized`.
            if (embedding.has(ctx.contextValue.trace) && ctx.response.body.kind === 'single')
              ctx.response.body.singleResult.data = DATA_PLACEHOLDER as never;
            return;
          }
          const kept = answerOf(ctx, startedAt);
          ctx.response.http.headers.set(RESPONSE_CACHE_HEADER, 'miss');
          if (!kept) {
            settle?.(undefined);
            unshareable.set(key, true);
            return;
          }
          const { answer, data } = kept;
          // This process parses nothing for its own answer: the data object is the one it built.
          parsed.set(answer, deepFreeze(data));
          settle?.(answer);
          unshareable.delete(key);
          const ttlMs = answer.expiresAt - answer.storedAt;
          if (ttlMs < 1000) return;
          if (answer.json.length > maxBytes) return;
          // Not awaited: the process's own level is written at once, Redis in the background.
          void cacheSet(store, key, answer, ttlMs, timeoutMs, logger);
        },
      };
    },
  };

  return {
    plugin,
    onUpstreamEvent(event) {
      if (event.newVersion) supersededBefore = now();
    },
    embedsJson(context) {
      embedding.add(context.trace);
    },
    serialized(context, body) {
      const answer = served.get(context.trace);
      if (!answer || !embedding.has(context.trace)) return body;
      const at = body.indexOf(DATA_PLACEHOLDER_JSON);
      if (at < 0) return body;
      return body.slice(0, at) + answer.json + body.slice(at + DATA_PLACEHOLDER_JSON.length);
    },
    remember(key, context, sent, accounting) {
      const answer = served.get(context.trace);
      if (!replaysOn || !answer || sent.status !== 200) return;
      const headers: Array<[string, string]> = [];
      for (const [name, value] of sent.headers) if (name !== 'age') headers.push([name, value]);
      if (!headers.some(([name, value]) => name === RESPONSE_CACHE_HEADER && value === 'hit')) return;
      const id = `"requestId":${JSON.stringify(sent.requestId)}`;
      const at = sent.body.indexOf(id);
      if (at < 0 || sent.body.indexOf(id, at + id.length) >= 0) return;
      // Kept as bytes: a replay copies them rather than encoding a string of the body's size again
      // (a string with å, ä or ö is UTF-16 in V8, and every write transcoded it).
      const head = Buffer.from(sent.body.slice(0, at + '"requestId":'.length));
      const tail = Buffer.from(sent.body.slice(at + id.length));
      let gzipped: GzipAround | undefined;
      let compressing = false;
      const replay: Replay = {
        ...accounting,
        headers,
        body(requestId) {
          const quoted = JSON.stringify(requestId);
          const size = Buffer.byteLength(quoted);
          const out = Buffer.allocUnsafe(head.length + size + tail.length);
          head.copy(out, 0);
          out.write(quoted, head.length);
          tail.copy(out, head.length + size);
          return out;
        },
        gzip(requestId) {
          if (gzipped) return gzipped(Buffer.from(JSON.stringify(requestId)));
          if (!compressing) {
            compressing = true;
            gzipAround(head, tail).then(
              (wrap) => {
                // Counted in the bound: kept again as a new entry, whose size is measured anew. When
                // that would not fit, the plain replay stays and the middleware compresses it.
                const kept = replays.peek(key);
                if (kept?.replay !== replay || key.length + replay.bytes + wrap.bytes > replayMaxBytes)
                  return;
                gzipped = wrap;
                replay.bytes += wrap.bytes;
                replays.set(key, { ...kept });
              },
              // zlib does not fail on a buffer in memory; if it ever did, the middleware compresses.
              () => undefined,
            );
          }
          return undefined;
        },
        size: head.length + tail.length,
        bytes: head.length + tail.length,
        age: () => Math.max(0, Math.floor((now() - answer.storedAt) / 1000)),
      };
      replays.set(key, { replay, answer });
    },
    replay(key) {
      const kept = replays.get(key);
      if (!kept) return undefined;
      if (usable(kept.answer)) return kept.replay;
      replays.delete(key);
      return undefined;
    },
    forgetReplays() {
      replays.clear();
    },
  };
}
