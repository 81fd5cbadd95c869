import { readFileSync } from 'node:fs';
import { type ExecutionResult, execute, parse } from 'graphql';
import Keyv from 'keyv';
import { MockAgent } from 'undici';
import { silentLogger } from '../../kit/logger.ts';
import type { SubgraphRuntime } from '../../kit/subgraph.ts';
import { createTrace } from '../../kit/upstream.ts';
import { createScbModule } from '../../subgraphs/scb/index.ts';
import { type FakeClock, fakeClock } from '../kit/helpers.ts';

export const SCB_ORIGIN = 'https://scb.test';
export const SCB_BASE = `${SCB_ORIGIN}/api/v2`;

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`test/fixtures/scb/${name}`, 'utf8')) as Record<string, unknown>;
}

/** Metadata the mock SCB serves: TAB6471 recorded; TAB638 and TAB3554 synthetic (built from v1 recordings). */
export const METADATA: Record<string, string> = {
  TAB638: 'v2_TAB638_metadata_synthetic.json',
  TAB6471: 'v2_TAB6471_metadata.json',
  TAB3554: 'v2_TAB3554_metadata_synthetic.json',
};

/** `GET /tables/{id}` answers the mock serves (SYNTHETIC, see test/fixtures/scb/README.md). */
export const TABLE_INFO: Record<string, string> = {
  TAB638: 'v2_TAB638_table_synthetic.json',
  TAB6471: 'v2_TAB6471_table_synthetic.json',
  TAB3554: 'v2_TAB3554_table_synthetic.json',
};

interface Selection {
  variableCode: string;
  valueCodes: string[];
}

/** SYNTHETIC value of a cell: a deterministic number from its codes (not an SCB figure). */
export function syntheticValue(codes: string[]): number {
  let h = 7;
  for (const ch of codes.join('|')) h = (h * 31 + ch.charCodeAt(0)) % 1_000_003;
  return 1000 + h;
}

/**
 * A json-stat2 data answer shaped like the recorded TAB638 response (dimensions in selection order,
 * eliminated variables absent), built from the table's metadata and the POSTed selection, with
 * SYNTHETIC values from `syntheticValue`.
 */
export function dataAnswer(table: string, selection: Selection[]): Record<string, unknown> {
  const meta = fixture(METADATA[table]!) as {
    label: string;
    dimension: Record<string, { label: string; category: { label: Record<string, string>; unit?: unknown } }>;
    role: unknown;
  };
  const recorded = fixture('v2_TAB638_data_riket_POST.jsonstat2.json');
  const dimension: Record<string, unknown> = {};
  for (const s of selection) {
    const md = meta.dimension[s.variableCode]!;
    dimension[s.variableCode] = {
      label: md.label,
      category: {
        index: Object.fromEntries(s.valueCodes.map((c, i) => [c, i])),
        label: Object.fromEntries(s.valueCodes.map((c) => [c, md.category.label[c] ?? c])),
        ...(md.category.unit ? { unit: md.category.unit } : {}),
      },
      extension: { elimination: false, show: 'value' },
    };
  }
  const sizes = selection.map((s) => s.valueCodes.length);
  const total = sizes.reduce((a, b) => a * b, 1);
  const value: number[] = [];
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    const codes: string[] = new Array(selection.length);
    for (let i = selection.length - 1; i >= 0; i--) {
      codes[i] = selection[i]!.valueCodes[rest % sizes[i]!]!;
      rest = Math.floor(rest / sizes[i]!);
    }
    value.push(syntheticValue(codes));
  }
  return {
    ...recorded,
    label: meta.label,
    role: meta.role,
    id: selection.map((s) => s.variableCode),
    size: sizes,
    dimension,
    value,
  };
}

export interface MockScb {
  agent: MockAgent;
  /** Every request the mock answered: method, path, body, and the time (by `now`) it arrived. */
  calls: Array<{ method: string; path: string; body: unknown; at: number }>;
  dataCalls(): Array<{ path: string; body: { selection: Selection[] } }>;
}

/**
 * A mock SCB over MockAgent (network refused): `/config` (given or recorded), metadata of TAB638,
 * TAB6471 and TAB3554, and data answered from the POSTed selection. `dataReply` overrides data answers.
 */
export function mockScb(
  options: {
    config?: Record<string, unknown> | number;
    now?: () => number;
    /** Overrides `updated` of `/tables/{id}` and of the metadata (a new SCB publication). */
    updated?: (table: string) => string | undefined;
    dataReply?: (
      body: { selection: Selection[] },
      table: string,
    ) => { status: number; body?: unknown; headers?: Record<string, string> } | undefined;
  } = {},
): MockScb {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const calls: MockScb['calls'] = [];
  const now = options.now ?? Date.now;
  const json = { headers: { 'content-type': 'application/json' } };
  const pool = agent.get(SCB_ORIGIN);
  pool
    .intercept({ path: (p) => p.startsWith('/api/v2/'), method: (m) => m === 'GET' || m === 'POST' })
    .reply((req) => {
      const url = new URL(req.path, SCB_ORIGIN);
      const body = typeof req.body === 'string' ? (JSON.parse(req.body) as unknown) : undefined;
      calls.push({ method: req.method, path: req.path, body, at: now() });
      if (url.pathname === '/api/v2/config') {
        if (typeof options.config === 'number') return { statusCode: options.config, data: '' };
        return {
          statusCode: 200,
          data: JSON.stringify(options.config ?? fixture('v2_config__pxweb.json')),
          responseOptions: json,
        };
      }
      const stamp = (table: string, doc: Record<string, unknown>) => {
        const updated = options.updated?.(table);
        return JSON.stringify(updated === undefined ? doc : { ...doc, updated });
      };
      const info = /^\/api\/v2\/tables\/([^/]+)$/.exec(url.pathname);
      if (info) {
        const file = TABLE_INFO[info[1]!];
        return file
          ? { statusCode: 200, data: stamp(info[1]!, fixture(file)), responseOptions: json }
          : { statusCode: 404, data: '' };
      }
      const meta = /^\/api\/v2\/tables\/([^/]+)\/metadata$/.exec(url.pathname);
      if (meta) {
        const file = METADATA[meta[1]!];
        return file
          ? { statusCode: 200, data: stamp(meta[1]!, fixture(file)), responseOptions: json }
          : { statusCode: 404, data: '' };
      }
      const data = /^\/api\/v2\/tables\/([^/]+)\/data$/.exec(url.pathname);
      if (data && req.method === 'POST') {
        const sel = body as { selection: Selection[] };
        const custom = options.dataReply?.(sel, data[1]!);
        if (custom)
          return {
            statusCode: custom.status,
            data: custom.body === undefined ? '' : JSON.stringify(custom.body),
            responseOptions: { headers: { 'content-type': 'application/json', ...custom.headers } },
          };
        return {
          statusCode: 200,
          data: JSON.stringify(dataAnswer(data[1]!, sel.selection)),
          responseOptions: json,
        };
      }
      if (url.pathname === '/api/v2/tables') {
        return {
          statusCode: 200,
          data: JSON.stringify(fixture('v2_tables_search_befolkning.json')),
          responseOptions: json,
        };
      }
      return { statusCode: 404, data: '' };
    })
    .persist();
  return {
    agent,
    calls,
    dataCalls: () =>
      calls
        .filter((c) => c.method === 'POST')
        .map((c) => ({ path: c.path, body: c.body as { selection: Selection[] } })),
  };
}

export interface ScbHarness {
  runtime: SubgraphRuntime;
  /** The fake clock the subgraph, its rate limiter and its retries run on (sleep advances it). */
  clock: FakeClock;
  scb: MockScb;
  /** Runs one GraphQL request against the SCB subgraph (a fresh per-request context each time). */
  run(query: string, variables?: Record<string, unknown>): Promise<ExecutionResult>;
}

/** The real SCB subgraph (module, resolvers, loaders, client, kit upstream) over the mock SCB, on a fake clock. */
export function scbHarness(
  options: Parameters<typeof mockScb>[0] & {
    env?: Record<string, string>;
    /** The shared Redis (what the gateway passes from CACHE_URL and CACHE_PREFIX). */
    redis?: { url: string; prefix: string };
  } = {},
): ScbHarness {
  const clock = fakeClock();
  const scb = mockScb({ ...options, now: clock.now });
  const module = createScbModule({ sleep: clock.sleep });
  const runtime = module.create({
    config: { SCB_API_URL: SCB_BASE, ...options.env },
    cache: new Keyv(),
    logger: silentLogger,
    mode: 'live',
    now: clock.now,
    dispatcher: scb.agent,
    ...(options.redis ? { redis: options.redis } : {}),
  });
  return {
    runtime,
    clock,
    scb,
    async run(query, variables) {
      return execute({
        schema: runtime.schema,
        document: parse(query),
        variableValues: variables ?? {},
        contextValue: runtime.contextFor({ trace: createTrace() }),
      }) as Promise<ExecutionResult>;
    },
  };
}

/** `_entities` for municipalities/counties, as the gateway sends it. */
export const entitiesQuery = (selection: string) =>
  `query($r: [_Any!]!) { _entities(representations: $r) { ... on Municipality { code ${selection} } ... on County { code ${selection} } } }`;
