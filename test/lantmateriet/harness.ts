import { readFileSync } from 'node:fs';
import { execute, type GraphQLFormattedError, parse } from 'graphql';
import Keyv from 'keyv';
import { type Dispatcher, MockAgent } from 'undici';
import { readEnv } from '../../kit/config.ts';
import { createLogger, type Logger } from '../../kit/logger.ts';
import type { SnapshotStore } from '../../kit/snapshot.ts';
import type { SubgraphRuntime } from '../../kit/subgraph.ts';
import { createTrace, type RequestTrace, type UpstreamEvent, type UpstreamMode } from '../../kit/upstream.ts';
import { lantmateriet, lantmaterietEnv } from '../../subgraphs/lantmateriet/index.ts';

export const API = 'https://api.lantmateriet.se';
export const TOKEN_ORIGIN = 'https://apimanager.lantmateriet.se';
export const ORTNAMN = '/distribution/produkter/ortnamn/v2.2';
export const MARKHOJD = '/distribution/produkter/markhojd/v1';
export const ADRESS = '/distribution/produkter/belagenhetsadress/v4.2';
export const ADMIN = '/ogc-features/v1/administrativ-indelning';

/** Obviously fake credentials; the tests look for them wherever they must not appear. */
export const SECRETS = {
  LM_CONSUMER_KEY: 'ck-TEST-7f3a9b',
  LM_CONSUMER_SECRET: 'cs-TEST-SECRET-51e2d8',
  LM_USERNAME: 'systemkonto-TEST-a1',
  LM_PASSWORD: 'pw-TEST-SECRET-c4d9',
} as const;
export const BASIC_ONLY = { LM_USERNAME: SECRETS.LM_USERNAME, LM_PASSWORD: SECRETS.LM_PASSWORD };
export const OAUTH_ONLY = {
  LM_CONSUMER_KEY: SECRETS.LM_CONSUMER_KEY,
  LM_CONSUMER_SECRET: SECRETS.LM_CONSUMER_SECRET,
};
export const basicHeader = `Basic ${Buffer.from(`${SECRETS.LM_USERNAME}:${SECRETS.LM_PASSWORD}`).toString('base64')}`;
export const clientHeader = `Basic ${Buffer.from(`${SECRETS.LM_CONSUMER_KEY}:${SECRETS.LM_CONSUMER_SECRET}`).toString('base64')}`;

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(`test/fixtures/lantmateriet/${name}`, 'utf8'));
}

export function offlineAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

/** One request the mock upstream saw. */
export interface SeenRequest {
  method: string;
  path: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

export function seen(opts: { method: string; path: string; headers?: unknown; body?: unknown }): SeenRequest {
  const raw = (opts.headers ?? {}) as Record<string, string>;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) headers[k.toLowerCase()] = String(v);
  let body: unknown = opts.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // form-encoded token request: keep the text
    }
  }
  return { method: opts.method, path: opts.path, url: new URL(opts.path, API), headers, body };
}

/** Log lines written by a real logger (so redaction is part of what is tested). */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger('debug', (line) => lines.push(line)), lines };
}

export interface Harness {
  runtime: SubgraphRuntime;
  events: UpstreamEvent[];
  /** Runs one operation with a fresh per-request context; returns the formatted result. */
  run(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{
    data?: Record<string, unknown> | null;
    errors?: GraphQLFormattedError[];
    trace: RequestTrace;
  }>;
  close(): Promise<void>;
}

/** The Lantmäteriet subgraph alone (no gateway), with injected env, dispatcher, clock and logger. */
export function createHarness(options: {
  env?: Record<string, string>;
  mode?: UpstreamMode;
  /** A MockAgent, or an OfflineDispatcher with the simulator (offline mode). */
  dispatcher?: Dispatcher;
  now?: () => number;
  logger?: Logger;
  snapshot?: SnapshotStore;
  cache?: Keyv;
}): Harness {
  const events: UpstreamEvent[] = [];
  const runtime = lantmateriet.create({
    config: readEnv(lantmaterietEnv, options.env ?? {}),
    cache: options.cache ?? new Keyv(),
    logger: options.logger ?? createLogger('silent'),
    mode: options.mode ?? 'live',
    snapshot: options.snapshot,
    now: options.now ?? Date.now,
    dispatcher: options.dispatcher,
    onUpstreamEvent: (e) => events.push(e),
  });
  return {
    runtime,
    events,
    async run(query, variables) {
      const trace = createTrace();
      const result = await execute({
        schema: runtime.schema,
        document: parse(query),
        variableValues: variables ?? {},
        contextValue: runtime.contextFor({ trace }),
      });
      const out: {
        data?: Record<string, unknown> | null;
        errors?: GraphQLFormattedError[];
        trace: RequestTrace;
      } = { data: result.data as Record<string, unknown> | null, trace };
      if (result.errors) out.errors = result.errors.map((e) => e.toJSON());
      return out;
    },
    close: () => runtime.close(),
  };
}
