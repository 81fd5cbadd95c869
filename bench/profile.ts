/**
 * CPU profile of the compiled gateway under load: where its time goes, by function (self time).
 *
 *   npm run build && npx tsx bench/profile.ts                 # offline mode, 10 s per query
 *   npx tsx bench/profile.ts --root /path/to/checkout --duration 20 --out /tmp/profile
 *   npx tsx bench/profile.ts --env RESPONSE_CACHE=off         # extra variables for the gateway
 *
 * Starts the compiled gateway under `node --cpu-prof` in offline mode (in `--root`, default this
 * checkout) from dist/'s separate modules rather than the single-file bundle `npm start` loads: the
 * same compiled code, but each function's file is then its own module's, not run.bundle.js. It runs
 * on a free port with the per-client limits off (one load generator is one client), warms each query
 * with one request, puts it under autocannon load (like bench/run.ts), then stops the gateway with
 * SIGTERM so that Node writes the profile, and prints the functions with the most self time, over
 * the whole run and per query. The `.cpuprofile` file stays in `--out` (default a temporary directory;
 * open it in Chrome DevTools).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort } from '../test/gateway/ports.ts';
import { README_QUERY } from '../test/helpers/readme-query.ts';
import { startFlags } from './start-command.ts';

/**
 * The queries the comparison in issue 14 measures, by name; "a municipality at a glance" is read from
 * the profiled checkout's examples (`--root`), so that it matches that checkout's schema.
 */
export function profileQueries(root: string): Array<readonly [string, string]> {
  return [
    ['readme', README_QUERY],
    ['municipalities-population', '{ municipalities { code name population } }'],
    ['at-a-glance', readFileSync(join(root, 'schema/examples/municipality-at-a-glance.graphql'), 'utf8')],
  ];
}

const { values: args } = parseArgs({
  options: {
    root: { type: 'string', default: process.cwd() },
    out: { type: 'string', default: join(tmpdir(), 'sodg-profile') },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    top: { type: 'string', default: '15' },
    env: { type: 'string', multiple: true, default: [] },
  },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name, file, line), largest first; `from`/`to` bound the samples (µs). */
export function selfTimes(
  profile: CpuProfile,
  root: string,
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): { total: number; rows: Array<{ fn: string; where: string; ms: number; share: number }> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) continue;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    // The interval until the next sample is this sample's (what DevTools counts as self time).
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const path = url.startsWith('file://') ? new URL(url).pathname : url;
    const inModules = path.lastIndexOf('/node_modules/');
    const file =
      inModules >= 0 ? path.slice(inModules + 1) : path.startsWith('/') ? relative(root, path) : path;
    const key = `${functionName || '(anonymous)'}\t${file ? `${file}:${lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + delta);
    total += delta;
  }
  const rows = [...self.entries()]
    .map(([key, us]) => {
      const [fn, where] = key.split('\t') as [string, string];
      return { fn, where, ms: us / 1000, share: total > 0 ? us / total : 0 };
    })
    .sort((a, b) => b.ms - a.ms);
  return { total: total / 1000, rows };
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the gateway did not get ready within 30 s');
}

async function main() {
  const root = resolve(args.root);
  const out = resolve(args.out);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const port = await freePort();
  const extra = Object.fromEntries(
    args.env.map((kv) => {
      const eq = kv.indexOf('=');
      return [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
  const child = spawn(
    process.execPath,
    [
      ...startFlags(root),
      '--cpu-prof',
      `--cpu-prof-dir=${out}`,
      '--input-type=module',
      '-e',
      "const { main } = await import('./dist/gateway/src/run.js'); await main();",
      '--',
      '--offline',
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        CLIENT_REQUESTS_PER_MINUTE: '0',
        CLIENT_COST_PER_MINUTE: '0',
        ...extra,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child);
  // Sample times are on the profiler's clock (µs since an arbitrary origin): mark each query's
  // window on our clock and map it later through the profile's start time.
  const windows: Array<{ name: string; from: number; to: number; rps: number; p99: number }> = [];
  const started = performance.now();
  for (const [name, query] of profileQueries(root)) {
    const body = JSON.stringify({ query });
    const warm = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const answer = (await warm.json()) as { errors?: Array<{ message: string }> };
    if (answer.errors) console.warn(`${name}: answers with errors: ${answer.errors[0]?.message}`);
    const from = performance.now() - started;
    const result = await autocannon({
      url: `${url}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: Number(args.connections),
      duration: Number(args.duration),
    });
    windows.push({
      name,
      from,
      to: performance.now() - started,
      rps: result.requests.average,
      p99: result.latency.p99,
    });
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  const file = readdirSync(out).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${out}`);
  const profile = JSON.parse(readFileSync(join(out, file), 'utf8')) as CpuProfile;
  const top = Number(args.top);
  const print = (title: string, from?: number, to?: number) => {
    const { total, rows } = selfTimes(profile, root, from, to);
    console.log(`\n${title} (${total.toFixed(0)} ms sampled)`);
    for (const r of rows.slice(0, top)) {
      console.log(
        `  ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(6)} ms  ${r.fn}  ${r.where}`,
      );
    }
  };
  // The profile's clock starts about when the process did; ours when the load began. Align on
  // the end: the profile ends at exit, a few ms after our last window.
  const offset = profile.endTime - (performance.now() - started) * 1000;
  for (const w of windows) {
    console.log(`${w.name}: ${w.rps.toFixed(0)} req/s, p99 ${w.p99} ms`);
  }
  print('Whole run: self time by function');
  for (const w of windows)
    print(`${w.name}: self time by function`, offset + w.from * 1000, offset + w.to * 1000);
  console.log(`\nProfile: ${join(out, file)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  });
}
