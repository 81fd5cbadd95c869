import { readFileSync } from 'node:fs';
import { execute, parse } from 'graphql';
import Keyv from 'keyv';
import type { Interceptable, MockAgent } from 'undici';
import { readEnv } from '../../kit/config.ts';
import { type Logger, silentLogger } from '../../kit/logger.ts';
import type { SubgraphRuntime } from '../../kit/subgraph.ts';
import { createTrace, type RequestTrace } from '../../kit/upstream.ts';
import { jobtech, jobtechEnv } from '../../subgraphs/jobtech/index.ts';

export const ORIGIN = 'https://jobsearch.test';
export const JSON_HEADERS = { 'content-type': 'application/json' };

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`test/fixtures/jobtech/${name}`, 'utf8')) as T;
}

/** The jobtech subgraph alone, live mode against a MockAgent. */
export function createRuntime(
  agent: MockAgent,
  env: Record<string, string> = {},
  logger: Logger = silentLogger,
): SubgraphRuntime {
  return jobtech.create({
    config: readEnv(jobtechEnv, { JOBTECH_SEARCH_URL: ORIGIN, ...env }),
    cache: new Keyv(),
    logger,
    mode: 'live',
    now: Date.now,
    dispatcher: agent,
  });
}

/** Runs one GraphQL request against the subgraph schema with a fresh per-request context. */
export async function run(
  runtime: SubgraphRuntime,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{
  data: Record<string, unknown> | null;
  errors: Array<{ message: string; code: unknown; agency: unknown }>;
  trace: RequestTrace;
}> {
  const trace = createTrace();
  const result = await execute({
    schema: runtime.schema,
    document: parse(query),
    variableValues: variables,
    contextValue: runtime.contextFor({ trace }),
  });
  return {
    data: (result.data as Record<string, unknown> | null | undefined) ?? null,
    errors: (result.errors ?? []).map((e) => ({
      message: e.message,
      code: e.extensions['code'],
      agency: e.extensions['agency'],
    })),
    trace,
  };
}

/** One request the mock upstream answered: path with query string, and request headers. */
export interface Seen {
  path: string;
  headers: Record<string, string>;
}

/** Intercepts GETs on `pathname` (`times` of them) and records each request it answers. */
export function intercept(
  pool: Interceptable,
  pathname: string,
  status: number,
  body: unknown,
  seen: Seen[],
  times = 1,
): void {
  pool
    .intercept({ method: 'GET', path: (p: string) => new URL(p, ORIGIN).pathname === pathname })
    .reply(
      status,
      (opts) => {
        seen.push({ path: String(opts.path), headers: normaliseHeaders(opts.headers) });
        return body as object;
      },
      { headers: JSON_HEADERS },
    )
    .times(times);
}

function normaliseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2)
      out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
  } else if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = String(v);
  }
  return out;
}
