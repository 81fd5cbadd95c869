/**
 * npm run bench:resilience — what the hardening does, measured (figures for the README):
 *
 * 1. A hanging agency (JobTech's simulator never answers): the latency of a query that needs it,
 *    for the first BREAKER_THRESHOLD requests (each waits out JobTech's deadline) and after the
 *    circuit breaker has opened (fails at once; the other agencies' fields are still answered).
 * 2. Fairness: client A floods JobTech's queue (its rate limit, 10 calls/s by default) with
 *    hundreds of distinct searches; client B then asks one search. B's latency is compared with
 *    B alone, and with how long A's flood takes to drain (what B would wait behind a plain FIFO).
 * 3. A 250-alias query: the upstream calls it causes (it is refused before execution).
 *
 * Everything runs on this machine against the agency simulators (no network). In part 2 the
 * gateway runs in live mode with the simulators as its dispatcher, so that the real rate limits
 * and queues apply (offline mode does not apply RATE_LIMITS).
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../gateway/src/config.ts';
import { createGatewayApp } from '../gateway/src/server.ts';
import { createLogger } from '../kit/logger.ts';
import { createOfflineMode } from '../kit/simulator.ts';
import { subgraphModules } from '../subgraphs/index.ts';

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: { upstream?: { calls: number } };
}

async function start(env: Record<string, string>, live = false) {
  const config = loadConfig({ LOG_LEVEL: 'error', UPSTREAM_MODE: live ? 'live' : 'offline', ...env });
  const offline = live
    ? createOfflineMode([...subgraphModules], { config: config.subgraphs, now: Date.now })
    : undefined;
  const app = await createGatewayApp({
    config,
    logger: createLogger('error'),
    ...(offline ? { dispatcher: offline.dispatcher } : {}),
  });
  const url = await app.listen(0, '127.0.0.1');
  const post = async (query: string, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upstream-stats': '1', ...headers },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as Answer;
    return { ms: performance.now() - started, status: res.status, body };
  };
  return {
    post,
    async stop() {
      await app.stop();
      await offline?.dispatcher.close();
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

async function hangingAgency() {
  const timeoutMs = 2_000;
  const threshold = 5;
  const gw = await start({
    OFFLINE_FAULTS: 'jobtech=timeout',
    UPSTREAM_TIMEOUTS: `jobtech=${timeoutMs}`,
    BREAKER_THRESHOLD: String(threshold),
    CLIENT_REQUESTS_PER_MINUTE: '0',
  });
  const query = '{ municipality(code: "0180") { name population(year: 2024) jobAdCount } }';
  const before: number[] = [];
  const after: number[] = [];
  let keptOthers = true;
  let codes = new Set<string>();
  for (let i = 0; i < threshold + 5; i++) {
    // A new search each time: a cached count would hide the hang.
    const { ms, body } = await gw.post(query.replace('jobAdCount', `jobAdCount(query: "q${i}")`));
    (i < threshold ? before : after).push(ms);
    const m = body.data?.['municipality'] as { population: number | null } | undefined;
    if (!m || m.population === null) keptOthers = false;
    codes = new Set([...codes, ...(body.errors ?? []).map((e) => String(e.extensions?.['code']))]);
  }
  await gw.stop();
  console.log(`\n1. JobTech hangs (UPSTREAM_TIMEOUTS=jobtech=${timeoutMs}, BREAKER_THRESHOLD=${threshold})`);
  console.log(`   first ${threshold} queries (breaker closed): median ${fmt(median(before))}`);
  console.log(`   next 5 queries (breaker open):          median ${fmt(median(after))}`);
  console.log(
    `   SCB population kept in every answer: ${keptOthers}; error codes: ${[...codes].sort().join(', ')}`,
  );
  return { before: median(before), after: median(after) };
}

async function fairness() {
  const gw = await start({ CLIENT_REQUESTS_PER_MINUTE: '0', CLIENT_COST_PER_MINUTE: '0' }, true);
  const search = (tag: string, n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `a${i}: jobAds(query: "${tag}${i}", limit: 1) { total }`).join(' ')} }`;
  // B alone, three times (distinct searches: no cache).
  const alone: number[] = [];
  for (let i = 0; i < 3; i++)
    alone.push((await gw.post(search(`alone${i}-`, 1), { 'x-api-key': 'team-b' })).ms);
  // A: 8 requests of 25 distinct searches = 200 JobTech calls, queued behind 10 calls/s. B asks
  // during the flood, once as another client and once (the peer) with A's own key, which puts it in
  // A's queue, as a first-come-first-served queue would.
  const during = async (key: string, tag: string) => {
    const flood = Promise.all(
      Array.from({ length: 8 }, (_, r) => gw.post(search(`${tag}flood${r}-`, 25), { 'x-api-key': 'team-a' })),
    );
    // B asks 0.5 s, 5 s and 10 s into the flood (the flood lasts about 20 s).
    const ms = await Promise.all(
      [500, 5_000, 10_000].map(async (at, i) => {
        await new Promise((resolve) => setTimeout(resolve, at));
        return (await gw.post(search(`${tag}during${i}-`, 1), { 'x-api-key': key })).ms;
      }),
    );
    const answers = await flood;
    if (answers.some((a) => a.status !== 200))
      throw new Error(`flood refused: ${JSON.stringify(answers[0]?.body.errors?.[0])}`);
    return { ms, failed: answers.flatMap((a) => a.body.errors ?? []).length };
  };
  const fair = await during('team-b', 'fair');
  const fifo = await during('team-a', 'fifo');
  await gw.stop();
  console.log(
    '\n2. Fairness: client A floods JobTech (8 requests × 25 searches = 200 calls; RATE_LIMITS jobtech=10/1)',
  );
  console.log(`   client B's one search, alone:            median ${fmt(median(alone))}`);
  const list = (xs: number[]) => xs.map(fmt).join(', ');
  console.log(`   client B's one search, sent 0.5 s, 5 s and 10 s into the flood: ${list(fair.ms)}`);
  console.log(
    `   the same searches sent with A's key (behind A's queue, as in a FIFO queue): ${list(fifo.ms)}`,
  );
  console.log(
    `   A's searches that failed (past the 20 s request deadline): ${fair.failed} and ${fifo.failed} of 200`,
  );
  return { alone: median(alone), fair: median(fair.ms), fifo: median(fifo.ms) };
}

async function aliases() {
  const gw = await start({ CLIENT_REQUESTS_PER_MINUTE: '0' });
  const query = `{ ${Array.from({ length: 250 }, (_, i) => `a${i}: jobAds(query: "x${i}", limit: 1) { total }`).join(' ')} }`;
  const { ms, status, body } = await gw.post(query);
  await gw.stop();
  const calls = body.extensions?.upstream?.calls ?? 0;
  console.log(
    `\n3. A 250-alias query: HTTP ${status}, ${String(body.errors?.[0]?.extensions?.['code'])}, ${calls} upstream calls, answered in ${fmt(ms)}`,
  );
}

console.log(`bench:resilience on ${new Date().toISOString()} (Node ${process.version})`);
await hangingAgency();
await fairness();
await aliases();
