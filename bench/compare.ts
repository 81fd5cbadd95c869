/**
 * npm run bench:compare — this gateway side by side with Hive Gateway on this machine, all offline
 * (the agency simulators: the same data for every target), under autocannon.
 *
 *   npm run bench:compare                                  # 5 rounds, 2 s per run, 10 connections
 *   npm run bench:compare -- --rounds 7 --duration 5
 *   npm run bench:compare -- --only default,hive_rust --queries readme,municipalities
 *
 * Options: --rounds N (5), --duration seconds per run (2), --connections N (10), --warmup seconds per
 * query and target before the first round, not counted (0.5), --only targets, --queries names,
 * --out file (bench/results/compare.json), --no-build (use dist/ as it is), --parallel-start (start
 * every target but the default gateway at once: quicker, but their times to ready are then not
 * comparable; the test uses it).
 *
 * Targets, each its own process on 127.0.0.1, started one after the other (so that each start-up
 * time is measured alone):
 *   limit        a bare node:http server answering the default gateway's answer as a fixed body
 *                (bench/limit-server.ts): the machine's limit
 *   default      this gateway as `npm run demo` runs it: the compiled build, in-process subgraphs
 *   nocache      the same with its whole-response cache off (RESPONSE_CACHE_OFF below)
 *   http         this gateway over the six subgraphs run as HTTP services (`npm run subgraph`, offline)
 *   hive         Hive Gateway's CLI over the same supergraph and the same HTTP subgraphs, with its
 *                defaults (JavaScript planner, in-flight deduplication of subgraph requests)
 *   hive_rust    the same with the Rust planner (`--hive-router-runtime`, @graphql-hive/router-runtime)
 *   hive_cached  the same as hive with Hive's response-cache plugin on (bench/hive-cached.config.ts)
 *
 * Rounds are interleaved: each round runs every query against every target, in an order of targets
 * rotated by one each round, so that a slow minute of the machine hurts all targets alike. Before
 * the first round every target's answer to every query is compared with the default gateway's
 * (`data` deep-equal, no `errors`); a target that answers a query differently is not measured on it.
 * Before each run the check is repeated, and during the run every response body must equal the
 * checked one byte for byte: a non-2xx or different answer is counted and never counted as
 * throughput. Prints medians and min–max of req/s, p50 and p99, the ratios, each process's RSS after
 * the run and its time to ready, and writes them to --out.
 *
 * Every child process is killed when the harness ends: normally, on failure, and on Ctrl-C.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, platform, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { README_QUERY } from '../test/helpers/readme-query.ts';
import { startFlags } from './start-command.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The environment that turns the gateway's whole-response cache off, for the `nocache` target.
 * Until the gateway knows the variable (it is not in gateway/src/config.ts), `nocache` runs the
 * default configuration and the report says so.
 */
const RESPONSE_CACHE_OFF: Record<string, string> = { RESPONSE_CACHE: 'off' };

const TARGETS = ['limit', 'default', 'nocache', 'http', 'hive', 'hive_rust', 'hive_cached'] as const;
type Target = (typeof TARGETS)[number];
const HIVE_TARGETS: readonly Target[] = ['hive', 'hive_rust', 'hive_cached'];

/** The queries, by name: the README query, entity-heavy ones, and one that touches every agency. */
const QUERIES: Record<string, { title: string; query: string }> = {
  readme: {
    title: 'the README query (Stockholm, its county, a 3-hour forecast)',
    query: README_QUERY,
  },
  municipalities: {
    title: 'all 290 municipalities with population',
    query: '{ municipalities { code name population(year: 2024) } }',
  },
  county: {
    title: "a county's municipalities with population (Stockholms län, 26)",
    query: '{ county(code: "01") { name municipalities { code name population(year: 2024) } } }',
  },
  weather_jobs: {
    title: 'current weather and job count (Stockholm)',
    query:
      '{ municipality(code: "0180") { name currentWeather { airTemperature measuredAt station { name } } jobAdCount } }',
  },
  at_a_glance: {
    title: 'a municipality at a glance (schema/examples/municipality-at-a-glance.graphql)',
    query: readFileSync(join(ROOT, 'schema/examples/municipality-at-a-glance.graphql'), 'utf8'),
  },
};

/** The ratios of median req/s the report gives for each query (issue 14's targets). */
const RATIOS: Record<string, [Target, Target]> = {
  default_vs_hive: ['default', 'hive'],
  http_vs_hive: ['http', 'hive'],
  default_vs_limit: ['default', 'limit'],
  default_vs_hive_rust: ['default', 'hive_rust'],
  nocache_vs_hive: ['nocache', 'hive'],
  nocache_vs_hive_rust: ['nocache', 'hive_rust'],
  default_vs_hive_cached: ['default', 'hive_cached'],
};

const USAGE = `Usage: npm run bench:compare -- [--rounds N>=1] [--duration seconds>0] [--connections N>=1]
  [--warmup seconds>=0] [--only ${TARGETS.join(',')}] [--queries ${Object.keys(QUERIES).join(',')}]
  [--out file] [--no-build] [--parallel-start]`;

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '0.5' },
    only: { type: 'string' },
    queries: { type: 'string' },
    out: { type: 'string', default: 'bench/results/compare.json' },
    'no-build': { type: 'boolean', default: false },
    'parallel-start': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
const rounds = Number(args.rounds);
const duration = Number(args.duration);
const connections = Number(args.connections);
const warmup = Number(args.warmup);
const list = (raw: string | undefined) =>
  raw
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const targets = (list(args.only) ?? [...TARGETS]) as Target[];
const queryNames = list(args.queries) ?? Object.keys(QUERIES);
const badTarget = targets.find((t) => !TARGETS.includes(t));
const badQuery = queryNames.find((q) => !(q in QUERIES));
if (
  args.help ||
  !Number.isInteger(rounds) ||
  rounds < 1 ||
  !(duration > 0) ||
  !Number.isInteger(connections) ||
  connections < 1 ||
  !(warmup >= 0) ||
  targets.length === 0 ||
  queryNames.length === 0 ||
  badTarget !== undefined ||
  badQuery !== undefined
) {
  if (badTarget !== undefined) console.error(`Unknown target "${badTarget}".`);
  if (badQuery !== undefined) console.error(`Unknown query "${badQuery}".`);
  console.error(USAGE);
  process.exit(args.help ? 0 : 2);
}
const outFile = resolve(args.out);

// ---------------------------------------------------------------------------------------------
// Child processes

interface Proc {
  name: string;
  child: ChildProcess;
  /** Origin, e.g. http://127.0.0.1:40123. */
  url: string;
  startedAt: number;
  readyMs?: number;
  rssReadyMb?: number | undefined;
  /** The last lines it wrote (stdout and stderr), for the message when it fails. */
  tail: string[];
}

const procs: Proc[] = [];
let stopping = false;
/** Set when a child exits while the harness still needs it; checked between runs. */
let crashed: Error | undefined;

/** Whatever a child inherits: nothing of this shell's gateway settings (CACHE_URL, UPSTREAM_MODE, …). */
const BASE_ENV: Record<string, string> = {
  PATH: process.env['PATH'] ?? '',
  ...(process.env['HOME'] ? { HOME: process.env['HOME'] } : {}),
  // Production mode for every target, as the container runs it (Dockerfile).
  NODE_ENV: 'production',
  // No per-request logging anywhere; warnings and errors still reach the tail shown on failure.
  LOG_LEVEL: 'warn',
};

function launch(name: string, args: string[], env: Record<string, string>, port: number): Proc {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...BASE_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = { name, child, url: `http://127.0.0.1:${port}`, startedAt: performance.now(), tail: [] };
  const keep = (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      proc.tail.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
      if (proc.tail.length > 20) proc.tail.shift();
    }
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  child.on('exit', (code, signal) => {
    if (!stopping) crashed ??= new Error(`${name} exited (${code ?? signal}):\n  ${proc.tail.join('\n  ')}`);
  });
  procs.push(proc);
  return proc;
}

/** Kills every child at once (Ctrl-C, failure, exit): SIGKILL, nothing to wait for. */
function killAll() {
  stopping = true;
  for (const { child } of procs)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Stops every child gracefully (SIGTERM), then kills what is still running after 5 s. */
async function stopAll() {
  stopping = true;
  await Promise.all(
    procs.map(
      ({ child }) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(force);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping every process the benchmark started`);
    killAll();
    process.exit(130);
  });
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Resident memory of a process in MB (Linux /proc; elsewhere ps). */
function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    if (platform() === 'linux') {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? undefined : Number(kb) / 1024;
    }
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// GraphQL over HTTP

interface Answer {
  status: number;
  text: string;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

/** One request id for all: our gateway echoes it in `extensions`, so that every body is byte-identical. */
const HEADERS = { 'content-type': 'application/json', 'x-request-id': 'bench' };

async function post(url: string, query: string, timeoutMs = 30_000): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
  return { status: res.status, text, body };
}

/** Waits until the process answers `{ __typename }`; records how long that took from its spawn. */
async function waitReady(proc: Proc, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (crashed) throw crashed;
    try {
      const answer = await post(proc.url, '{ __typename }', 2_000);
      if (answer.status === 200 && answer.body.data) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`${proc.name} was not ready after ${timeoutMs / 1000} s:\n  ${proc.tail.join('\n  ')}`);
    await new Promise((done) => setTimeout(done, 20));
  }
  proc.readyMs = performance.now() - proc.startedAt;
  proc.rssReadyMb = rssMb(proc.child.pid);
}

/** The first place where two JSON values differ, e.g. `municipality.forecast[2].time: "…" ≠ "…"`. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length)
      return `${path || '(root)'}: ${a.length} items ≠ ${b.length}`;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const diff = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
      );
      if (diff) return diff;
    }
  }
  const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v).slice(0, 80));
  return `${path || '(root)'}: ${show(a)} ≠ ${show(b)}`;
}

// ---------------------------------------------------------------------------------------------
// Starting the targets

function build() {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(join(ROOT, 'dist/gateway/src/main.js')))
    throw new Error('dist/ has no compiled gateway: run npm run build');
}

/** This gateway, compiled, offline; the per-client limits off: one load generator is one client. */
async function launchGateway(name: string, env: Record<string, string> = {}): Promise<Proc> {
  const port = await freePort();
  const proc = launch(
    name,
    [...startFlags(ROOT), 'dist/gateway/src/main.js', '--offline'],
    {
      HOST: '127.0.0.1',
      PORT: String(port),
      CLIENT_REQUESTS_PER_MINUTE: '0',
      CLIENT_COST_PER_MINUTE: '0',
      ...env,
    },
    port,
  );
  return proc;
}

/** The subgraphs the composed supergraph names (its `@join__graph` entries). */
const SUPERGRAPH = readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8');
const JOIN_GRAPH = /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g;
const subgraphNames = () => [...SUPERGRAPH.matchAll(JOIN_GRAPH)].map((m) => m[1]!);

/** Every subgraph as its own HTTP service (`npm run subgraph`), offline. */
async function launchSubgraphs(): Promise<Map<string, Proc>> {
  const services = new Map<string, Proc>();
  for (const name of subgraphNames()) {
    const port = await freePort();
    services.set(
      name,
      launch(
        `subgraph ${name}`,
        [...startFlags(ROOT), 'dist/subgraphs/serve.js', name, String(port)],
        { HOST: '127.0.0.1', UPSTREAM_MODE: 'offline' },
        port,
      ),
    );
  }
  return services;
}

/** schema/supergraph.graphql with every subgraph's URL pointing at its HTTP service, for Hive. */
function writeSupergraph(dir: string, services: Map<string, Proc>): string {
  const rewritten = SUPERGRAPH.replace(
    JOIN_GRAPH,
    (_whole: string, name: string) =>
      `@join__graph(name: "${name}", url: "${services.get(name)!.url}/graphql")`,
  );
  const file = join(dir, 'supergraph.graphql');
  writeFileSync(file, rewritten);
  return file;
}

const HIVE_BIN = join(ROOT, 'node_modules/@graphql-hive/gateway/dist/bin.js');
const packageVersion = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

/** Hive Gateway's CLI, one process (its default --fork 1), over the rewritten supergraph. */
async function launchHive(name: Target, supergraph: string): Promise<Proc> {
  const port = await freePort();
  const extra =
    name === 'hive_rust'
      ? ['--hive-router-runtime']
      : name === 'hive_cached'
        ? ['--config-path', 'bench/hive-cached.config.ts']
        : [];
  const proc = launch(
    name,
    [HIVE_BIN, 'supergraph', supergraph, '--host', '127.0.0.1', '--port', String(port), ...extra],
    {},
    port,
  );
  return proc;
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Run {
  rps: number;
  p50: number;
  p99: number;
  /** Responses with the expected body. */
  ok: number;
  non2xx: number;
  /** 2xx responses whose body differed from the checked answer. */
  wrong: number;
  /** Connection errors and timeouts. */
  errors: number;
}

/** The default gateway's answer to a query: every target must answer the same `data`. */
async function referenceAnswer(url: string, query: string): Promise<Answer> {
  const ref = await post(url, query);
  if (ref.status !== 200 || ref.body.errors)
    throw new Error(`the default gateway fails the query: ${JSON.stringify(ref.body.errors ?? ref.status)}`);
  return ref;
}

/**
 * Compares the target's answer with the reference; returns the body every response of the run must
 * equal, byte for byte. With `prime`, the target is asked once before, so that the answer checked is
 * the one it gives with its caches filled (the first check only; the runs keep them warm).
 */
async function check(
  target: Target,
  url: string,
  ref: Answer,
  query: string,
  prime: boolean,
): Promise<{ expected: string } | { reason: string }> {
  // The limit answers whatever it was given last: the reference, for this query.
  if (target === 'limit') await fetch(`${url}/body`, { method: 'PUT', body: ref.text });
  else if (prime) await post(url, query);
  const got = await post(url, query);
  if (got.status !== 200) return { reason: `HTTP ${got.status}: ${got.text.slice(0, 200)}` };
  if (got.body.errors) return { reason: `errors: ${JSON.stringify(got.body.errors).slice(0, 300)}` };
  const diff = firstDifference(got.body.data, ref.body.data);
  if (diff) return { reason: `data differs from the default gateway's at ${diff}` };
  return { expected: got.text };
}

async function measure(url: string, query: string, expected: string, seconds: number): Promise<Run> {
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ query }),
    connections,
    duration: seconds,
    expectBody: expected,
  });
  // A mismatch is counted on any status; the few non-2xx ones are then subtracted twice, which
  // can only lower the figure. Latency percentiles are autocannon's, over the 2xx responses.
  const ok = Math.max(0, result['2xx'] - result.mismatches);
  return {
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    non2xx: result.non2xx,
    wrong: result.mismatches,
    errors: result.errors,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const rotate = <T>(xs: readonly T[], by: number) => [
  ...xs.slice(by % xs.length),
  ...xs.slice(0, by % xs.length),
];
const loads = () => loadavg().map((n) => round(n, 2));

interface Summary {
  /** Median req/s of the runs (responses with the expected body only). */
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p50Min: number;
  p50Max: number;
  p99: number;
  p99Min: number;
  p99Max: number;
  runs: number;
  ok: number;
  non2xx: number;
  wrong: number;
  errors: number;
  /** Every check of its answer against the default gateway's passed. */
  correct: boolean;
  /** Why a check failed (the first failure). */
  reason?: string;
}

function summarize(runs: Run[], failed: string | undefined): Summary | { correct: false; reason: string } {
  if (runs.length === 0) return { correct: false, reason: failed ?? 'not measured' };
  const pick = (key: 'rps' | 'p50' | 'p99') => runs.map((r) => r[key]);
  const sum = (key: 'ok' | 'non2xx' | 'wrong' | 'errors') => runs.reduce((n, r) => n + r[key], 0);
  const stats = (key: 'rps' | 'p50' | 'p99') => ({
    [key]: round(median(pick(key))),
    [`${key}Min`]: round(Math.min(...pick(key))),
    [`${key}Max`]: round(Math.max(...pick(key))),
  });
  const summary = {
    ...stats('rps'),
    ...stats('p50'),
    ...stats('p99'),
    runs: runs.length,
    ok: sum('ok'),
    non2xx: sum('non2xx'),
    wrong: sum('wrong'),
    errors: sum('errors'),
    correct: failed === undefined && sum('wrong') === 0 && sum('non2xx') === 0,
    ...(failed ? { reason: failed } : {}),
  } as Summary;
  return summary;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const needsSubgraphs = targets.some((t) => t === 'http' || HIVE_TARGETS.includes(t));
  // Loaded here, not at the top: the gateway's config module loads every subgraph (seconds in tsx).
  const { gatewayEnv } = await import('../gateway/src/config.ts');
  const nocacheEffective = Object.keys(RESPONSE_CACHE_OFF).every((name) => name in gatewayEnv);
  const loadBefore = loads();
  console.log(
    `bench:compare on ${new Date(started).toISOString()}, Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadBefore.join(' / ')} (1/5/15 min)`,
  );
  console.log(
    `${rounds} interleaved rounds × ${queryNames.length} queries × ${targets.length} targets; autocannon ${duration} s × ${connections} connections per run, ${warmup} s warm-up`,
  );
  if (targets.includes('nocache') && !nocacheEffective)
    console.log(
      `note: the gateway has no ${Object.keys(RESPONSE_CACHE_OFF).join(', ')} yet, so nocache runs the default configuration`,
    );

  if (args['no-build']) {
    if (!existsSync(join(ROOT, 'dist/gateway/src/main.js')))
      throw new Error('--no-build, but dist/ has no compiled gateway: run npm run build');
  } else build();
  const tmp = mkdtempSync(join(tmpdir(), 'bench-compare-'));
  try {
    // The default gateway first and alone: its time to ready is one of the issue's figures.
    const running = new Map<Target, Proc>();
    const reference = await launchGateway('default');
    await waitReady(reference);
    running.set('default', reference);
    // The others one after the other (the subgraph services together), each timed alone; with
    // --parallel-start all at once, and waited for at the end.
    const starting: Proc[] = [];
    const whenStarted = async (...group: Proc[]) => {
      if (args['parallel-start']) starting.push(...group);
      else await Promise.all(group.map((proc) => waitReady(proc)));
    };
    if (targets.includes('limit')) {
      const port = await freePort();
      const limit = launch('limit', ['bench/limit-server.ts', String(port)], {}, port);
      running.set('limit', limit);
      await whenStarted(limit);
    }
    if (targets.includes('nocache')) {
      running.set('nocache', await launchGateway('nocache', RESPONSE_CACHE_OFF));
      await whenStarted(running.get('nocache')!);
    }
    const services = needsSubgraphs ? await launchSubgraphs() : new Map<string, Proc>();
    await whenStarted(...services.values());
    if (targets.includes('http')) {
      const urls = [...services].map(([name, proc]) => `${name}=${proc.url}/graphql`).join(',');
      running.set('http', await launchGateway('http', { SUBGRAPH_URLS: urls }));
      await whenStarted(running.get('http')!);
    }
    if (targets.some((t) => HIVE_TARGETS.includes(t))) {
      const supergraph = writeSupergraph(tmp, services);
      for (const name of HIVE_TARGETS) {
        if (!targets.includes(name)) continue;
        running.set(name, await launchHive(name, supergraph));
        await whenStarted(running.get(name)!);
      }
    }
    await Promise.all(starting.map((proc) => waitReady(proc)));
    for (const proc of procs)
      console.log(
        `  ${proc.name.padEnd(22)} ready in ${Math.round(proc.readyMs ?? 0)} ms, RSS ${round(proc.rssReadyMb ?? 0)} MB (pid ${proc.child.pid})`,
      );

    // Every answer checked before anything is measured.
    const failures = new Map<string, string>();
    const key = (q: string, t: Target) => `${q}\u0000${t}`;
    console.log('\nAnswers compared with the default gateway’s:');
    for (const q of queryNames) {
      const verdicts: string[] = [];
      const ref = await referenceAnswer(reference.url, QUERIES[q]!.query);
      for (const t of targets) {
        const result = await check(t, running.get(t)!.url, ref, QUERIES[q]!.query, true);
        if ('reason' in result) failures.set(key(q, t), result.reason);
        verdicts.push(`${t} ${'reason' in result ? 'DIFFERENT' : 'ok'}`);
      }
      console.log(`  ${q.padEnd(15)} ${verdicts.join(', ')}`);
      for (const t of targets)
        if (failures.has(key(q, t))) console.log(`    ${t}: ${failures.get(key(q, t))}`);
    }

    if (warmup > 0) {
      process.stdout.write(`\nWarm-up (${warmup} s per query and target, not counted) …`);
      for (const q of queryNames) {
        const ref = await referenceAnswer(reference.url, QUERIES[q]!.query);
        for (const t of targets) {
          if (failures.has(key(q, t))) continue;
          const result = await check(t, running.get(t)!.url, ref, QUERIES[q]!.query, false);
          if ('expected' in result)
            await measure(running.get(t)!.url, QUERIES[q]!.query, result.expected, warmup);
          if (crashed) throw crashed;
        }
      }
      console.log(' done');
    }

    const runs = new Map<string, Run[]>();
    /** The 1-minute load average as each round starts: how busy the machine was while measuring. */
    const loadRounds: number[] = [];
    console.log('');
    for (let r = 0; r < rounds; r++) {
      const order = rotate(targets, r);
      loadRounds.push(loads()[0]!);
      console.log(`Round ${r + 1}/${rounds} (order: ${order.join(', ')}; load average ${loadRounds.at(-1)})`);
      for (const q of queryNames) {
        const line: string[] = [];
        // Asked again each round: a target's answer is checked against the default's of the moment.
        const ref = await referenceAnswer(reference.url, QUERIES[q]!.query);
        for (const t of order) {
          if (failures.has(key(q, t))) continue;
          const url = running.get(t)!.url;
          const result = await check(t, url, ref, QUERIES[q]!.query, false);
          if ('reason' in result) {
            // The answer changed since the first check: this run does not count, and says why.
            failures.set(key(q, t), `round ${r + 1}: ${result.reason}`);
            line.push(`${t} DIFFERENT`);
            continue;
          }
          const run = await measure(url, QUERIES[q]!.query, result.expected, duration);
          if (crashed) throw crashed;
          runs.set(key(q, t), [...(runs.get(key(q, t)) ?? []), run]);
          const bad = run.non2xx + run.wrong + run.errors;
          line.push(`${t} ${Math.round(run.rps)}${bad ? ` (${bad} bad)` : ''}`);
        }
        console.log(`  ${q.padEnd(15)} req/s: ${line.join(', ')}`);
      }
    }

    // Memory after the load, before anything stops.
    const rssAfter = new Map(procs.map((p) => [p.name, rssMb(p.child.pid)]));
    const loadAfter = loads();

    const queries: Record<string, Record<string, ReturnType<typeof summarize>>> = {};
    const ratios: Record<string, Record<string, number | null>> = {};
    for (const q of queryNames) {
      const byTarget: Record<string, ReturnType<typeof summarize>> = {};
      for (const t of targets) byTarget[t] = summarize(runs.get(key(q, t)) ?? [], failures.get(key(q, t)));
      queries[q] = byTarget;
      ratios[q] = Object.fromEntries(
        Object.entries(RATIOS).map(([name, [a, b]]) => {
          const ra = byTarget[a];
          const rb = byTarget[b];
          return [
            name,
            ra && rb && 'rps' in ra && 'rps' in rb && rb.rps > 0 ? round(ra.rps / rb.rps, 3) : null,
          ];
        }),
      );
    }

    const processes: Record<string, { pid?: number; readyMs?: number; rssReadyMb?: number; rssMb?: number }> =
      {};
    for (const p of procs)
      processes[p.name] = {
        ...(p.child.pid !== undefined ? { pid: p.child.pid } : {}),
        ...(p.readyMs !== undefined ? { readyMs: Math.round(p.readyMs) } : {}),
        ...(p.rssReadyMb !== undefined ? { rssReadyMb: round(p.rssReadyMb) } : {}),
        ...(rssAfter.get(p.name) !== undefined ? { rssMb: round(rssAfter.get(p.name)!) } : {}),
      };
    const subgraphRss = [...services.values()].reduce((n, p) => n + (rssAfter.get(p.name) ?? 0), 0);

    // ----- the report
    const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '–' : n.toFixed(digits));
    for (const q of queryNames) {
      console.log(`\n${q}: ${QUERIES[q]!.title}`);
      console.log(
        `  ${'target'.padEnd(12)} ${'req/s (min–max)'.padEnd(24)} ${'p50 ms (min–max)'.padEnd(20)} ${'p99 ms (min–max)'.padEnd(20)} bad`,
      );
      for (const t of targets) {
        const s = queries[q]![t]!;
        if (!('rps' in s)) {
          console.log(`  ${t.padEnd(12)} not measured: ${s.reason}`);
          continue;
        }
        console.log(
          `  ${t.padEnd(12)} ${`${fmt(s.rps)} (${fmt(s.rpsMin)}–${fmt(s.rpsMax)})`.padEnd(24)} ${`${fmt(s.p50, 1)} (${fmt(s.p50Min, 1)}–${fmt(s.p50Max, 1)})`.padEnd(20)} ${`${fmt(s.p99, 1)} (${fmt(s.p99Min, 1)}–${fmt(s.p99Max, 1)})`.padEnd(20)} ${s.non2xx + s.wrong + s.errors}`,
        );
      }
    }
    console.log('\nRatios of median req/s:');
    console.log(`  ${'query'.padEnd(15)} ${Object.keys(RATIOS).join('  ')}`);
    for (const q of queryNames)
      console.log(
        `  ${q.padEnd(15)} ${Object.entries(ratios[q]!)
          .map(([name, v]) => (v === null ? '–' : v.toFixed(3)).padStart(name.length))
          .join('  ')}`,
      );
    console.log('\nProcesses: time to ready after spawn, RSS when ready and after the runs:');
    for (const p of procs)
      console.log(
        `  ${p.name.padEnd(22)} ${fmt(p.readyMs).padStart(6)} ms  ${fmt(p.rssReadyMb).padStart(5)} MB → ${fmt(rssAfter.get(p.name)).padStart(5)} MB`,
      );
    if (services.size > 0)
      console.log(`  (the ${services.size} subgraph services together: ${fmt(subgraphRss)} MB)`);
    console.log(
      `\nLoad average ${loadBefore.join(' / ')} before, ${loadAfter.join(' / ')} after; ${Math.round((Date.now() - started) / 1000)} s in all.`,
    );

    const report = {
      date: new Date(started).toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? null,
        memoryGb: round(totalmem() / 2 ** 30),
        node: process.version,
        loadavgBefore: loadBefore,
        loadavgAfter: loadAfter,
        loadavgRounds: loadRounds,
      },
      settings: {
        rounds,
        duration,
        connections,
        warmup,
        targets,
        queries: queryNames,
        parallelStart: args['parallel-start'],
      },
      versions: {
        '@graphql-hive/gateway': packageVersion('@graphql-hive/gateway'),
        '@graphql-hive/router-runtime': packageVersion('@graphql-hive/router-runtime'),
        '@apollo/gateway': packageVersion('@apollo/gateway'),
      },
      nocacheEffective,
      queries,
      ratios,
      rss: Object.fromEntries(
        [...running].map(([t, p]) => [
          t,
          rssAfter.get(p.name) === undefined ? null : round(rssAfter.get(p.name)!),
        ]),
      ),
      subgraphsRss: services.size > 0 ? round(subgraphRss) : null,
      readyMs: Object.fromEntries([...running].map(([t, p]) => [t, Math.round(p.readyMs ?? 0)])),
      processes,
      queryText: Object.fromEntries(queryNames.map((q) => [q, QUERIES[q]!.query])),
    };
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Written to ${outFile}`);
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  killAll();
  process.exit(1);
});
