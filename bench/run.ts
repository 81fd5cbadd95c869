/**
 * npm run bench — load test of the gateway in snapshot mode (offline, replayed agency responses).
 *
 *   npm run bench                       # 10 s per run, 10 connections
 *   npm run bench -- --duration 30 --connections 50
 *
 * Runs, each against a fresh in-process gateway on a free port:
 * 1. cold: the README query's first request on an empty cache (time, upstream calls), then its second;
 * 2. cache off: autocannon with an upstream cache that stores nothing and the whole-response cache
 *    off (RESPONSE_CACHE=off), so every query executes and goes "upstream" (snapshot reads;
 *    single-flight still merges identical concurrent calls);
 * 3. warm: autocannon with the normal upstream cache, primed by one request, first with the
 *    whole-response cache off (every query executes: the engine's own speed), then on (the default);
 * 4. entity-heavy queries (all 290 municipalities; a county's municipalities joined with SCB
 *    population, batched into one upstream call): one request cold, one warm.
 * 5. compressed answers: autocannon on a warm 20 kB answer (the 290 municipalities, their counties) for
 *    clients that accept nothing, gzip, or Brotli only (replayed hits: gzip is made once per answer,
 *    Brotli each time by the middleware); each encoding's answer is decoded and checked first.
 * Prints requests/s, p50/p99 latency and upstream calls per query. Every response is compared with
 * the expected body, so a fast wrong answer does not count as throughput.
 */
import { request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import Keyv from 'keyv';
import { loadConfig } from '../gateway/src/config.ts';
import { createGatewayApp } from '../gateway/src/server.ts';
import { createLogger } from '../kit/logger.ts';
import type { UpstreamEvent } from '../kit/upstream.ts';
import { README_QUERY } from '../test/helpers/readme-query.ts';

/** Entity-heavy queries the offline snapshot can answer. */
const ENTITY_QUERIES = [
  ['All 290 municipalities (Lantmäteriet, embedded)', '{ municipalities { code name county { name } } }'],
  [
    "County 01's 26 municipalities with SCB population (one batched SCB request)",
    '{ county(code: "01") { name municipalities { code name population(year: 2024) } } }',
  ],
] as const;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
if (!Number.isFinite(duration) || duration <= 0 || !Number.isInteger(connections) || connections < 1) {
  console.error('Usage: npm run bench -- [--duration seconds>0] [--connections integer>=1]');
  process.exit(2);
}

interface GraphQLBody {
  data?: unknown;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: { upstream?: { calls: number; cacheHits: number } };
}

interface Bench {
  url: string;
  events: UpstreamEvent[];
  stop(): Promise<void>;
}

/** A cache that stores nothing: every lookup misses. */
function noCache(): Keyv {
  const store = {
    get: () => undefined,
    set() {
      return this;
    },
    delete: () => false,
    clear: () => undefined,
    has: () => false,
  } as unknown as Map<string, unknown>;
  return new Keyv({ store });
}

/**
 * A fresh gateway; without `cache` it builds its own from the config, as in production (in-memory
 * LRU). `responseCache`: RESPONSE_CACHE (default on, as in production).
 */
async function startGateway(cache?: Keyv, responseCache: 'on' | 'off' = 'on'): Promise<Bench> {
  // One load generator is one client: the per-client limits are off here, so that the figures are
  // the gateway's own throughput (bench/resilience.ts measures what the limits do).
  const config = loadConfig({
    UPSTREAM_MODE: 'snapshot',
    LOG_LEVEL: 'error',
    CLIENT_REQUESTS_PER_MINUTE: '0',
    CLIENT_COST_PER_MINUTE: '0',
    RESPONSE_CACHE: responseCache,
  });
  const events: UpstreamEvent[] = [];
  const app = await createGatewayApp({
    config,
    logger: createLogger('error'),
    ...(cache ? { cache } : {}),
    onUpstreamEvent: (event) => events.push(event),
  });
  const url = await app.listen(0, '127.0.0.1');
  return { url, events, stop: () => app.stop() };
}

const BENCH_REQUEST_ID = 'bench';

async function post(
  bench: Bench,
  query: string,
  stats = true,
): Promise<{ ms: number; body: GraphQLBody; text: string }> {
  const started = performance.now();
  const res = await fetch(`${bench.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      // One request id for all: every answer carries it, and load runs compare bodies byte for byte.
      'x-request-id': BENCH_REQUEST_ID,
      ...(stats ? { 'x-upstream-stats': '1' } : {}),
    },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  return { ms, body: JSON.parse(text) as GraphQLBody, text };
}

/** Upstream HTTP requests (or snapshot reads) the events record: one per attempt of a miss or error. */
const upstreamCalls = (events: UpstreamEvent[]) =>
  events.filter((e) => e.outcome !== 'hit').reduce((n, e) => n + e.attempts, 0);

interface LoadResult {
  label: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  callsPerQuery: number;
  failures: number;
}

async function load(bench: Bench, label: string, query: string): Promise<LoadResult> {
  // The body every request must get back, byte for byte (no stats header: it is the same for all).
  const expected = await post(bench, query, false);
  if (expected.body.errors) throw new Error(`${label}: the query fails: ${expected.body.errors[0]?.message}`);
  const before = upstreamCalls(bench.events);
  const result = await autocannon({
    url: `${bench.url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': BENCH_REQUEST_ID },
    body: JSON.stringify({ query }),
    connections,
    duration,
    expectBody: expected.text,
  });
  const requests = result.requests.total;
  return {
    label,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests,
    callsPerQuery: requests > 0 ? (upstreamCalls(bench.events) - before) / requests : 0,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
  };
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** The 20 kB answer section 5 sends compressed (the 290 municipalities and their counties). */
const LARGE_ANSWER = ENTITY_QUERIES[0][1];

/**
 * Load with one Accept-Encoding: the answer is fetched and decoded once and must be the expected
 * text (autocannon cannot decode, so under load only the status is checked), then autocannon.
 */
async function loadEncoded(bench: Bench, encoding: 'identity' | 'gzip' | 'br', expected: string) {
  const headers = {
    'content-type': 'application/json',
    'x-request-id': BENCH_REQUEST_ID,
    'accept-encoding': encoding,
  };
  const body = JSON.stringify({ query: LARGE_ANSWER });
  // node:http rather than fetch, which decodes by itself: the bytes sent are what is measured.
  const raw = await new Promise<{ encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
    const req = request(`${bench.url}/graphql`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  const text =
    raw.encoding === 'gzip'
      ? gunzipSync(raw.bytes).toString('utf8')
      : raw.encoding === 'br'
        ? brotliDecompressSync(raw.bytes).toString('utf8')
        : raw.bytes.toString('utf8');
  if (text !== expected) throw new Error(`${encoding}: the answer decoded is not the expected one`);
  const result = await autocannon({
    url: `${bench.url}/graphql`,
    method: 'POST',
    headers,
    body,
    connections,
    duration,
  });
  return {
    sent: raw.encoding ?? 'identity',
    bytes: raw.bytes.length,
    requestsPerSecond: result.requests.average,
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

async function main() {
  console.log(
    `Gateway benchmark, snapshot mode, Node ${process.version}; autocannon ${duration} s × ${connections} connections`,
  );
  // The load generator shares the machine with the gateway: note how busy the machine was.
  console.log(
    `Machine: ${availableParallelism()} CPUs, load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' / ')} (1/5/15 min)\n`,
  );
  console.log(`README query: ${README_QUERY}\n`);

  // 1. Cold: the very first request (query planning, empty cache), then the same again.
  let bench = await startGateway();
  const first = await post(bench, README_QUERY);
  const second = await post(bench, README_QUERY);
  if (first.body.errors) throw new Error(`README query failed: ${first.body.errors[0]?.message}`);
  console.log('Single requests (fresh gateway):');
  console.log(
    `  first request  (cold cache): ${fmt(first.ms)} ms, upstream calls ${first.body.extensions?.upstream?.calls}, cache hits ${first.body.extensions?.upstream?.cacheHits}`,
  );
  console.log(
    `  second request (warm cache): ${fmt(second.ms)} ms, upstream calls ${second.body.extensions?.upstream?.calls}, cache hits ${second.body.extensions?.upstream?.cacheHits}\n`,
  );
  await bench.stop();

  // 2. Cache off: every query executes and misses the upstream cache.
  const results: LoadResult[] = [];
  bench = await startGateway(noCache(), 'off');
  results.push(await load(bench, 'cold (cache off)', README_QUERY));
  await bench.stop();

  // 3. Warm upstream cache: every query executes (whole-response cache off), then the default.
  bench = await startGateway(undefined, 'off');
  results.push(await load(bench, 'warm, resp. off', README_QUERY));
  await bench.stop();
  bench = await startGateway();
  results.push(await load(bench, 'warm cache', README_QUERY));

  console.log('Load (README query):');
  console.log('  run               req/s     p50 ms   p99 ms   requests   upstream calls/query   failures');
  for (const r of results) {
    console.log(
      `  ${r.label.padEnd(16)} ${fmt(r.requestsPerSecond).padStart(8)} ${fmt(r.p50).padStart(9)} ${fmt(r.p99).padStart(8)} ${String(r.requests).padStart(10)} ${fmt(r.callsPerQuery, 4).padStart(22)} ${String(r.failures).padStart(10)}`,
    );
  }

  console.log(
    `  (cache off: identical concurrent queries share one upstream call (single-flight), so about 1 in ${connections}\n   queries reaches the upstream; in snapshot mode "upstream" is a file read, live it is an HTTP round trip.\n   warm, resp. off: every query executes, its upstream answers from the cache (RESPONSE_CACHE=off);\n   warm cache: the default, repeated queries answered by the whole-response cache.)`,
  );

  // 4. Many entities in one query: cold (empty cache) and warm, one request each.
  await bench.stop();
  for (const [title, query] of ENTITY_QUERIES) {
    bench = await startGateway();
    console.log(`\n${title}: ${query}`);
    for (const label of ['cold', 'warm']) {
      const run = await post(bench, query);
      const errors = run.body.errors ?? [];
      console.log(
        `  ${label}: ${fmt(run.ms)} ms, ${JSON.stringify(run.body.data ?? null).length} bytes of data, upstream calls ${run.body.extensions?.upstream?.calls ?? '?'}, cache hits ${run.body.extensions?.upstream?.cacheHits ?? '?'}, errors ${errors.length}${errors[0] ? ` (first: ${errors[0].message.slice(0, 140)})` : ''}`,
      );
    }
    await bench.stop();
  }

  // 5. Compressed answers. The first hit after the miss goes through the pipeline and is kept for
  // replays; a few more requests let the gzip made once be ready before the load.
  bench = await startGateway();
  const { text: expected, body: answer } = await post(bench, LARGE_ANSWER, false);
  if (answer.errors) throw new Error(`compressed answers: the query fails: ${answer.errors[0]?.message}`);
  for (let i = 0; i < 3; i++) await loadEncodedWarmUp(bench);
  console.log(`\nCompressed answers (warm; ${LARGE_ANSWER}, ${Buffer.byteLength(expected)} bytes as it is):`);
  console.log('  accepted   sent       bytes     req/s   ÷ identity   p99 ms   failures');
  let identity = 0;
  for (const encoding of ['identity', 'gzip', 'br'] as const) {
    const r = await loadEncoded(bench, encoding, expected);
    if (encoding === 'identity') identity = r.requestsPerSecond;
    console.log(
      `  ${encoding.padEnd(10)} ${r.sent.padEnd(8)} ${String(r.bytes).padStart(7)} ${fmt(r.requestsPerSecond).padStart(9)} ${fmt(r.requestsPerSecond / identity, 2).padStart(12)} ${fmt(r.p99).padStart(8)} ${String(r.failures).padStart(10)}`,
    );
  }
  console.log(
    '  (gzip: a replayed hit is compressed once, then only its request id per request; br: clients\n   that accept Brotli only get it from the middleware, compressed for each request.)',
  );
  await bench.stop();
}

/** One request that accepts gzip: after the miss, the hit kept for replays, then its gzip made. */
async function loadEncodedWarmUp(bench: Bench) {
  await fetch(`${bench.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': BENCH_REQUEST_ID,
      'accept-encoding': 'gzip',
    },
    body: JSON.stringify({ query: LARGE_ANSWER }),
  }).then((res) => res.arrayBuffer());
  await new Promise((resolve) => setTimeout(resolve, 50));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
