/**
 * Persisted queries. Apollo's automatic persisted queries (APQ: a client sends a query's SHA-256
 * hash, and the full query once when the gateway answers PERSISTED_QUERY_NOT_FOUND) keep their
 * hash → query store in the shared Redis when CACHE_URL is set, so a query registered on one replica
 * is known to all; otherwise in a bounded in-memory LRU. An optional manifest (Apollo's persisted
 * query manifest format) registers operations that clients send by id; with
 * PERSISTED_QUERIES_ONLY=true it is an allow-list: nothing else is served.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PersistedQueryOptions } from '@apollo/server';
import { type DocumentNode, parse, stripIgnoredCharacters } from 'graphql';
import { LRUCache } from 'lru-cache';
import { cacheGet, cacheSet, cacheState, closeCache, createCache } from '../../kit/cache.ts';
import { ConfigError } from '../../kit/config.ts';
import type { Logger } from '../../kit/logger.ts';
import { shorten } from './errors.ts';

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';
const OPERATION_TYPES = ['query', 'mutation', 'subscription'] as const;

/** One registered operation of a manifest. */
export interface ManifestOperation {
  /** What clients send as `extensions.persistedQuery.sha256Hash` (Apollo's tools: the body's SHA-256). */
  id: string;
  name: string;
  type: (typeof OPERATION_TYPES)[number];
  /** The GraphQL document (the operation and the fragments it uses). */
  body: string;
}

/** Apollo's persisted query manifest (`generate-persisted-query-manifest`, GraphOS). */
export interface PersistedQueryManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  operations: ManifestOperation[];
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Parses and checks a manifest; throws an Error saying what is wrong (which operation, which field).
 * Every body must be a GraphQL document and every id unique.
 */
export function parseManifest(text: string): PersistedQueryManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  const m = json as Partial<PersistedQueryManifest> | null;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('not a JSON object');
  if (m.format !== MANIFEST_FORMAT)
    throw new Error(`"format" is ${JSON.stringify(m.format)}; expected "${MANIFEST_FORMAT}"`);
  if (m.version !== 1) throw new Error(`"version" is ${JSON.stringify(m.version)}; expected 1`);
  if (!Array.isArray(m.operations)) throw new Error('"operations" is not an array');
  const ids = new Set<string>();
  const operations = m.operations.map((op: unknown, i): ManifestOperation => {
    const where = `operations[${i}]`;
    if (typeof op !== 'object' || op === null) throw new Error(`${where} is not an object`);
    const { id, name, type, body } = op as Record<string, unknown>;
    if (typeof id !== 'string' || id.trim() === '') throw new Error(`${where}.id is not a non-empty string`);
    const named = `${where} (id ${JSON.stringify(shorten(id))})`;
    if (ids.has(id)) throw new Error(`${named}: the id is used twice`);
    ids.add(id);
    if (typeof name !== 'string') throw new Error(`${named}.name is not a string`);
    if (!(OPERATION_TYPES as readonly unknown[]).includes(type))
      throw new Error(
        `${named}.type is ${JSON.stringify(type)}; expected one of ${OPERATION_TYPES.join(', ')}`,
      );
    if (typeof body !== 'string' || body.trim() === '')
      throw new Error(`${named}.body is not a non-empty string`);
    let document: DocumentNode;
    try {
      document = parse(body);
    } catch (err) {
      throw new Error(`${named}.body is not a GraphQL document: ${(err as Error).message}`);
    }
    if (!document.definitions.some((d) => d.kind === 'OperationDefinition'))
      throw new Error(`${named}.body has no operation`);
    return { id, name, type: type as ManifestOperation['type'], body };
  });
  return { format: MANIFEST_FORMAT, version: 1, operations };
}

/** Reads the manifest named by PERSISTED_QUERIES_MANIFEST; a missing or malformed file is a ConfigError. */
export function loadManifest(file: string): PersistedQueryManifest {
  const variable = 'PERSISTED_QUERIES_MANIFEST';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `${variable}=${JSON.stringify(file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); expected a persisted query manifest ("npm run persisted:manifest" writes one from schema/examples).`,
    ]);
  }
  try {
    return parseManifest(text);
  } catch (err) {
    throw new ConfigError([
      `${variable}=${JSON.stringify(file)} is not a persisted query manifest: ${(err as Error).message}. Expected {"format": "${MANIFEST_FORMAT}", "version": 1, "operations": [{"id", "name", "type", "body"}]}.`,
    ]);
  }
}

/** The gateway settings persisted queries read (a slice of GatewayConfig). */
export interface PersistedQueriesConfig {
  CACHE_URL?: string | undefined;
  PERSISTED_QUERIES_MANIFEST?: string | undefined;
  PERSISTED_QUERIES_ONLY?: boolean | undefined;
}

export interface PersistedQueriesOptions {
  config: PersistedQueriesConfig;
  logger: Logger;
  /** How long a registered APQ query is kept (seconds); default 1 day. */
  ttlSeconds?: number;
  /** Bound of the in-memory APQ store (characters of query text); default 16 M. */
  maxMemoryChars?: number;
  /** Redis key prefix of APQ entries; default `sodg:apq:` (entries are `sodg:apq:<sha256>`). */
  redisPrefix?: string;
  /** Longest wait for Redis (ms) before a lookup counts as a miss; default 500. */
  redisTimeoutMs?: number;
}

/** An HTTP answer decided before Apollo Server sees the request. */
export interface EarlyAnswer {
  status: number;
  body: { errors: Array<{ message: string; extensions: { code: 'OPERATION_NOT_ALLOWED' } }> };
}

export interface PersistedQueries {
  /** Apollo Server's `persistedQueries` option: the registered operations first, then APQ. */
  readonly apollo: PersistedQueryOptions;
  /** Operations registered from the manifest (0 without one). */
  readonly registered: number;
  /** Whether only registered operations are served (PERSISTED_QUERIES_ONLY). */
  readonly only: boolean;
  /**
   * Allow-list mode: the 403 answer for a request that is not a registered operation, else
   * undefined (also when the request carries neither a query nor a hash: Apollo answers that 400).
   */
  refusal(request: { method: string; body: unknown; search: string }): EarlyAnswer | undefined;
  /** Closes the Redis connection, if any. */
  close(): Promise<void>;
  /** Where hashes are kept: `memory`, or Redis `up`/`down` (kept in this process meanwhile). */
  state(): 'memory' | 'up' | 'down';
}

/** APQ keys are SHA-256 hashes: anything else is never looked up in (nor written to) the store. */
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Apollo Server prefixes every key it passes to the persisted query cache with this. */
const APOLLO_PREFIX = 'apq:';

interface Store {
  get(hash: string): Promise<string | undefined>;
  set(hash: string, query: string, ttlMs: number): Promise<void>;
  delete(hash: string): Promise<void>;
  close(): Promise<void>;
  /** `memory`, or Redis `up`/`down` (hashes kept in this process meanwhile). */
  state(): 'memory' | 'up' | 'down';
}

function memoryStore(maxChars: number): Store {
  const lru = new LRUCache<string, string>({
    maxSize: maxChars,
    sizeCalculation: (v) => Math.max(1, v.length),
  });
  return {
    get: async (hash) => lru.get(hash),
    async set(hash, query, ttlMs) {
      lru.set(hash, query, { ttl: ttlMs });
    },
    async delete(hash) {
      lru.delete(hash);
    },
    async close() {},
    state: () => 'memory',
  };
}

function redisStore(url: string, prefix: string, timeoutMs: number, logger: Logger): Store {
  // Keys exactly `<prefix><hash>` (`sodg:apq:<sha256>`), behind the same Redis guard as the upstream
  // cache: while Redis is down, hashes live in this process and nobody waits on Redis per request.
  const keyv = createCache({ url, prefix: prefix.replace(/:$/, ''), logger, what: 'persisted queries' });
  return {
    // A Redis that is down or slow is a miss: the client resends the full query and is served.
    get: (hash) => cacheGet<string>(keyv, hash, timeoutMs, logger),
    set: (hash, query, ttlMs) => cacheSet(keyv, hash, query, ttlMs, timeoutMs, logger),
    async delete(hash) {
      await keyv.delete(hash).catch(() => undefined);
    },
    close: () => closeCache(keyv),
    state: () => cacheState(keyv),
  };
}

/** The document of a request as Apollo Server will read it: POST body or GET search parameters. */
function requestParts(method: string, body: unknown, search: string): { query: unknown; hash: unknown } {
  let query: unknown;
  let extensions: unknown;
  if (method === 'GET') {
    const params = new URLSearchParams(search);
    query = params.get('query') ?? undefined;
    const raw = params.get('extensions');
    try {
      extensions = raw ? JSON.parse(raw) : undefined;
    } catch {
      extensions = undefined;
    }
  } else if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    ({ query, extensions } = body as { query?: unknown; extensions?: unknown });
  }
  const persisted =
    typeof extensions === 'object' && extensions !== null
      ? (extensions as { persistedQuery?: unknown }).persistedQuery
      : undefined;
  const hash =
    typeof persisted === 'object' && persisted !== null
      ? (persisted as { sha256Hash?: unknown }).sha256Hash
      : undefined;
  return { query, hash };
}

/** The same document, ignoring whitespace, commas and comments; undefined when it does not lex. */
function normalised(query: string): string | undefined {
  try {
    return stripIgnoredCharacters(query);
  } catch {
    return undefined;
  }
}

/**
 * Builds the persisted query support of one gateway from its configuration: reads the manifest
 * (a ConfigError naming PERSISTED_QUERIES_MANIFEST when it is missing or malformed) and opens the
 * APQ store (Redis at CACHE_URL, else memory).
 */
export function createPersistedQueries(options: PersistedQueriesOptions): PersistedQueries {
  const { config, logger } = options;
  const only = config.PERSISTED_QUERIES_ONLY === true;
  if (only && !config.PERSISTED_QUERIES_MANIFEST)
    throw new ConfigError([
      'PERSISTED_QUERIES_ONLY=true needs PERSISTED_QUERIES_MANIFEST: the manifest of the operations to serve (nothing else would be served).',
    ]);
  const manifest = config.PERSISTED_QUERIES_MANIFEST
    ? loadManifest(config.PERSISTED_QUERIES_MANIFEST)
    : undefined;
  // A registered body is found by its id and by its own SHA-256 (what APQ clients send), and a full
  // query matches a registered body byte for byte or up to whitespace and comments.
  const byHash = new Map<string, string>();
  const bodies = new Set<string>();
  for (const op of manifest?.operations ?? []) {
    byHash.set(op.id, op.body);
    byHash.set(sha256(op.body), op.body);
    bodies.add(sha256(op.body));
    const stripped = normalised(op.body);
    if (stripped !== undefined) bodies.add(sha256(stripped));
  }
  const ttlSeconds = options.ttlSeconds ?? 24 * 60 * 60;
  const store = config.CACHE_URL
    ? redisStore(config.CACHE_URL, options.redisPrefix ?? 'sodg:apq:', options.redisTimeoutMs ?? 500, logger)
    : memoryStore(options.maxMemoryChars ?? 16 * 1024 * 1024);
  const hashOf = (key: string) => (key.startsWith(APOLLO_PREFIX) ? key.slice(APOLLO_PREFIX.length) : key);

  const cache: NonNullable<PersistedQueryOptions['cache']> = {
    async get(key) {
      const hash = hashOf(key);
      const registered = byHash.get(hash);
      if (registered !== undefined) return registered;
      // Allow-list mode never serves what a client registered itself.
      if (only || !SHA256_HEX.test(hash)) return undefined;
      return store.get(hash);
    },
    async set(key, query, setOptions) {
      const hash = hashOf(key);
      if (only || !SHA256_HEX.test(hash) || byHash.has(hash)) return;
      await store.set(hash, query, (setOptions?.ttl ?? ttlSeconds) * 1000);
    },
    async delete(key) {
      const hash = hashOf(key);
      if (SHA256_HEX.test(hash)) await store.delete(hash);
    },
  };

  const refuse = (message: string): EarlyAnswer => ({
    status: 403,
    body: { errors: [{ message, extensions: { code: 'OPERATION_NOT_ALLOWED' } }] },
  });

  return {
    apollo: { cache, ttl: ttlSeconds },
    registered: manifest?.operations.length ?? 0,
    only,
    refusal({ method, body, search }) {
      if (!only) return undefined;
      const { query, hash } = requestParts(method, body, search);
      if (typeof query === 'string' && query !== '') {
        if (bodies.has(sha256(query))) return undefined;
        const stripped = normalised(query);
        if (stripped !== undefined && bodies.has(sha256(stripped))) return undefined;
        return refuse(
          'This gateway serves only registered operations (PERSISTED_QUERIES_ONLY): the document sent is not in its manifest. Send a registered operation, or its id in extensions.persistedQuery.sha256Hash.',
        );
      }
      if (hash !== undefined) {
        if (typeof hash === 'string' && byHash.has(hash)) return undefined;
        return refuse(
          `No registered operation has the id ${JSON.stringify(shorten(String(hash)))}: this gateway serves only the operations of its manifest (PERSISTED_QUERIES_ONLY).`,
        );
      }
      return undefined;
    },
    close: () => store.close(),
    state: () => store.state(),
  };
}
