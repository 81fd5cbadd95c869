import { readFileSync } from 'node:fs';
import { type ExecutionResult, execute, parse } from 'graphql';
import Keyv from 'keyv';
import { request } from 'undici';
import { silentLogger } from '../../kit/logger.ts';
import { type AgencySimulator, OfflineDispatcher, type SimRequest } from '../../kit/simulator.ts';
import type { SubgraphRuntime } from '../../kit/subgraph.ts';
import { createTrace } from '../../kit/upstream.ts';
import { createScbModule } from '../../subgraphs/scb/index.ts';
import { createScbSimulator } from '../../subgraphs/scb/simulator/index.ts';
import { type FakeClock, fakeClock } from '../kit/helpers.ts';

/** SCB's real base URL: the simulator's links then match the recorded ones character for character. */
export const SCB_REAL_BASE = 'https://statistikdatabasen.scb.se/api/v2';

/** A fixture of test/fixtures/scb (the real ones are byte-identical copies of shared/fixtures/recorded/scb). */
export function recorded(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`test/fixtures/scb/${name}`, 'utf8')) as Record<string, unknown>;
}

/** One request the simulator answered, and its status. */
export interface SimCall {
  method: string;
  path: string;
  query: string;
  body: unknown;
  at: number;
  status: number;
}

/** The SCB simulator behind an OfflineDispatcher, on a clock, with every answered request logged. */
export interface SimHarness {
  sim: AgencySimulator;
  dispatcher: OfflineDispatcher;
  calls: SimCall[];
  /** Sends one HTTP request through the dispatcher (as undici would for the client). */
  call(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: unknown; text: string }>;
}

export function simHarness(now: () => number, base = SCB_REAL_BASE): SimHarness {
  const sim = createScbSimulator({ config: { SCB_API_URL: base }, now });
  const calls: SimCall[] = [];
  const mount = sim.mounts[0]!;
  const original = mount.handle.bind(mount);
  // Logs every request with the status the simulator gave it (the 429s included).
  mount.handle = async (req: SimRequest) => {
    const res = await original(req);
    calls.push({
      method: req.method,
      path: req.path,
      query: req.url.search,
      body: req.body === undefined ? undefined : JSON.parse(req.body),
      at: req.now,
      status: res.status,
    });
    return res;
  };
  const dispatcher = new OfflineDispatcher({ simulators: [sim], now });
  return {
    sim,
    dispatcher,
    calls,
    async call(method, pathAndQuery, body) {
      const res = await request(`${base}${pathAndQuery}`, {
        method,
        dispatcher,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const text = await res.body.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = text;
      }
      return { status: res.statusCode, headers: res.headers, body: parsed, text };
    },
  };
}

/** The real SCB subgraph (client, limiter, loaders) over the simulator, on a fake clock. */
export interface SimSubgraph {
  runtime: SubgraphRuntime;
  clock: FakeClock;
  sim: SimHarness;
  run(query: string, variables?: Record<string, unknown>): Promise<ExecutionResult>;
  /** Data requests (POST …/data) the simulator answered. */
  dataCalls(): SimCall[];
}

export function simSubgraph(start?: number): SimSubgraph {
  const clock = fakeClock(start);
  const sim = simHarness(clock.now);
  const runtime = createScbModule({ sleep: clock.sleep }).create({
    config: { SCB_API_URL: SCB_REAL_BASE },
    cache: new Keyv(),
    logger: silentLogger,
    mode: 'offline',
    now: clock.now,
    dispatcher: sim.dispatcher,
  });
  return {
    runtime,
    clock,
    sim,
    async run(query, variables) {
      return execute({
        schema: runtime.schema,
        document: parse(query),
        variableValues: variables ?? {},
        contextValue: runtime.contextFor({ trace: createTrace() }),
      }) as Promise<ExecutionResult>;
    },
    dataCalls: () => sim.calls.filter((c) => c.path.endsWith('/data')),
  };
}

/** `_entities` for municipalities and counties, as the gateway sends it. */
export const entities = (selection: string) =>
  `query($r: [_Any!]!) { _entities(representations: $r) { ... on Municipality { code ${selection} } ... on County { code ${selection} } } }`;

export const reps = (codes: readonly string[], typename = 'Municipality') => ({
  r: codes.map((code) => ({ __typename: typename, code })),
});
