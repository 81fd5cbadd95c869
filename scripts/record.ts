/**
 * npm run record — refreshes the offline snapshot from the live agency APIs (needs internet).
 *
 * Starts the gateway in-process in `record` mode (every upstream call goes live and its response is
 * saved into SNAPSHOT_DIR, default `snapshot/`, without request headers), then runs the README
 * query and every example in `schema/examples/*.graphql`. Afterwards `UPSTREAM_MODE=snapshot`
 * (`npm run demo`, the tests) answers those queries offline.
 *
 * The cache is a fresh in-memory one whatever CACHE_URL says: a hit from a shared Redis would skip
 * the live call and so the recording. Exit code 0 when every query answered without an upstream
 * error, 1 when some upstream failed (its responses were not recorded), 2 on a bad configuration.
 * Review new recordings like code before committing them: no tokens, no personal data.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Keyv from 'keyv';
import type { Dispatcher } from 'undici';
import { loadConfig } from '../gateway/src/config.ts';
import { DEFAULT_EXAMPLES_DIR, loadExamples } from '../gateway/src/explorer/examples.ts';
import { createGatewayApp } from '../gateway/src/server.ts';
import { ConfigError } from '../kit/config.ts';
import { createLogger, type Logger } from '../kit/logger.ts';
import type { UpstreamEvent } from '../kit/upstream.ts';

/** The query the README opens with; always recorded. */
export const README_QUERY =
  '{ municipality(code: "0180") { name county { name } forecast(hours: 3) { validAt airTemperature windSpeed } } }';

export interface RecordOptions {
  /** The environment (`process.env`); UPSTREAM_MODE is forced to `record`. */
  env: Record<string, string | undefined>;
  /** Where the example operations are (default `schema/examples/`). */
  examplesDir?: string;
  /** Replaces every upstream's dispatcher (tests: an undici MockAgent). */
  dispatcher?: Dispatcher;
  logger?: Logger;
}

export interface RecordedQuery {
  name: string;
  /** Upstream calls the query caused (each one recorded when it succeeded). */
  upstreamCalls: number;
  /** Errors in the answer, as `CODE agency: message`. */
  errors: string[];
}

export interface RecordReport {
  snapshotDir: string;
  queries: RecordedQuery[];
  /** Upstream responses saved (successes and 404s). */
  recorded: number;
  /** Upstream calls that failed (not saved). */
  failed: number;
}

interface GraphQLBody {
  errors?: Array<{ message: string; extensions?: { code?: string; agency?: string } }>;
  extensions?: { upstream?: { calls?: number } };
}

/** Runs the README query and every example against a gateway in record mode. */
export async function recordSnapshot(options: RecordOptions): Promise<RecordReport> {
  const config = loadConfig({ ...options.env, UPSTREAM_MODE: 'record' });
  const logger = options.logger ?? createLogger(config.gateway.LOG_LEVEL);
  const queries: Array<{ name: string; query: string; variables: Record<string, unknown> }> = [
    { name: 'README query', query: README_QUERY, variables: {} },
    ...loadExamples(options.examplesDir ?? DEFAULT_EXAMPLES_DIR).map((e) => ({
      name: `${e.name}.graphql`,
      query: e.query,
      variables: e.variables,
    })),
  ];
  const events: UpstreamEvent[] = [];
  const app = await createGatewayApp({
    config,
    logger,
    cache: new Keyv(),
    onUpstreamEvent: (event) => events.push(event),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const report: RecordReport = {
    snapshotDir: config.gateway.SNAPSHOT_DIR,
    queries: [],
    recorded: 0,
    failed: 0,
  };
  try {
    const url = await app.listen(0, '127.0.0.1');
    for (const q of queries) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-upstream-stats': '1' },
        body: JSON.stringify({ query: q.query, variables: q.variables }),
      });
      const body = (await res.json()) as GraphQLBody;
      report.queries.push({
        name: q.name,
        upstreamCalls: body.extensions?.upstream?.calls ?? 0,
        errors: (body.errors ?? []).map(
          (e) =>
            `${e.extensions?.code ?? 'ERROR'}${e.extensions?.agency ? ` ${e.extensions.agency}` : ''}: ${e.message}`,
        ),
      });
    }
  } finally {
    await app.stop();
  }
  report.recorded = events.filter((e) => e.outcome === 'miss').length;
  report.failed = events.filter((e) => e.outcome === 'error' || e.outcome === 'stale').length;
  return report;
}

async function main() {
  let report: RecordReport;
  try {
    report = await recordSnapshot({ env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  for (const q of report.queries) {
    console.log(`${q.errors.length === 0 ? 'ok  ' : 'FAIL'} ${q.name}: ${q.upstreamCalls} upstream call(s)`);
    for (const e of q.errors) console.log(`       ${e}`);
  }
  console.log(
    `\nRecorded ${report.recorded} upstream response(s) into ${report.snapshotDir}/; ${report.failed} upstream call(s) failed and were not recorded.`,
  );
  if (report.failed > 0 || report.queries.some((q) => q.errors.length > 0)) process.exit(1);
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(resolve(invokedPath)).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
