import { readFileSync } from 'node:fs';
import {
  buildASTSchema,
  type GraphQLFormattedError,
  Kind,
  type OperationDefinitionNode,
  parse,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { createUsageInsights } from '../../gateway/src/usage/index.ts';
import { createTrace } from '../../kit/upstream.ts';

const SUPERGRAPH = readFileSync('schema/supergraph.graphql', 'utf8');
// The supergraph's types and fields are the API schema's (plus join/link machinery no operation reaches).
const schema = buildASTSchema(parse(SUPERGRAPH), { assumeValidSDL: true });

/** Runs one request through the plugin's hooks with a given response, as Apollo Server would. */
async function run(
  insights: ReturnType<typeof createUsageInsights>,
  query: string,
  result: { data: Record<string, unknown> | null; errors?: GraphQLFormattedError[] },
) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const listener = await insights.plugin.requestDidStart!({} as never);
  await listener!.didResolveOperation!({ schema, document, operation } as never);
  const trace = createTrace();
  await listener!.willSendResponse!({
    response: { body: { kind: 'single', singleResult: result } },
    contextValue: { trace },
  } as never);
  return trace;
}

const QUERY = '{ m: municipality(code: "0180") { name forecast(hours: 2) { time } } }';

describe('usage plugin', () => {
  it('counts a timed-out upstream as timedOut on the field the error path names', async () => {
    const insights = createUsageInsights({ supergraphSdl: SUPERGRAPH });
    await run(insights, QUERY, {
      data: { m: { name: 'Stockholm', forecast: null } },
      errors: [
        {
          message: 'smhi did not answer in time',
          path: ['m', 'forecast'],
          extensions: { code: 'UPSTREAM_TIMEOUT', agency: 'smhi' },
        },
      ],
    });
    const report = await insights.report();
    expect(report.subgraphs['smhi']?.fields['Municipality.forecast']).toEqual({
      requested: 1,
      failed: 0,
      timedOut: 1,
      empty: 0,
    });
    expect(report.subgraphs['lantmateriet']?.fields['Municipality.name']).toEqual({
      requested: 1,
      failed: 0,
      timedOut: 0,
      empty: 0,
    });
    expect(report.requests.byOutcome).toEqual({ partial: 1 });
    expect(report.errors).toEqual([{ code: 'UPSTREAM_TIMEOUT', agency: 'smhi', count: 1 }]);
  });

  it('follows list indices in error paths to the field', async () => {
    const insights = createUsageInsights({ supergraphSdl: SUPERGRAPH });
    await run(insights, '{ counties { municipalities { forecast(hours: 1) { time } } } }', {
      data: { counties: [] },
      errors: [
        {
          message: 'x',
          path: ['counties', 3, 'municipalities', 12, 'forecast'],
          extensions: { code: 'UPSTREAM_RATE_LIMITED', agency: 'smhi' },
        },
      ],
    });
    expect((await insights.report()).subgraphs['smhi']?.fields['Municipality.forecast']).toEqual({
      requested: 1,
      failed: 1,
      timedOut: 0,
      empty: 0,
    });
  });

  it('does not blame a field for bad input or for errors without a path', async () => {
    const insights = createUsageInsights({ supergraphSdl: SUPERGRAPH });
    await run(insights, QUERY, {
      data: null,
      errors: [
        { message: 'bad', path: ['m'], extensions: { code: 'BAD_USER_INPUT', agency: 'lantmateriet' } },
        { message: 'down', extensions: { code: 'UPSTREAM_UNAVAILABLE', agency: 'smhi' } },
      ],
    });
    const report = await insights.report();
    expect(report.subgraphs['lantmateriet']?.fields['Query.municipality']).toEqual({
      requested: 1,
      failed: 0,
      timedOut: 0,
      empty: 0,
    });
    expect(report.subgraphs['smhi']?.fields['Municipality.forecast']).toEqual({
      requested: 1,
      failed: 0,
      timedOut: 0,
      empty: 0,
    });
    expect(report.requests.byOutcome).toEqual({ error: 1 });
    expect(report.errors).toHaveLength(2);
  });

  it('repeater counts an identical request as the plugin counted the first, and only for clean answers', async () => {
    const answer = { data: { m: { name: 'Stockholm', forecast: [] } } };
    // Reference: the same request through the plugin three times.
    const reference = createUsageInsights({ supergraphSdl: SUPERGRAPH });
    for (let i = 0; i < 3; i++) await run(reference, QUERY, answer);
    // Once through the plugin, then twice as replays.
    const replayed = createUsageInsights({ supergraphSdl: SUPERGRAPH });
    const trace = await run(replayed, QUERY, answer);
    const repeat = replayed.repeater(trace);
    expect(repeat).toBeTypeOf('function');
    repeat!(0.001);
    repeat!(0.001);
    const [want, got] = [await reference.report(), await replayed.report()];
    expect(got.subgraphs).toEqual(want.subgraphs);
    expect(got.requests.total).toBe(3);
    expect(got.requests.byOutcome).toEqual(want.requests.byOutcome);
    expect(got.subgraphs['smhi']?.fields['Municipality.forecast']).toMatchObject({ requested: 3, empty: 3 });
    expect(got.timeline.at(-1)).toMatchObject({ requests: 3, subgraphs: want.timeline.at(-1)!.subgraphs });
    // An answer with errors is not repeatable: its replay would not be the same request.
    const partial = await run(replayed, QUERY, {
      data: { m: { name: 'Stockholm', forecast: null } },
      errors: [
        { message: 'x', path: ['m', 'forecast'], extensions: { code: 'UPSTREAM_TIMEOUT', agency: 'smhi' } },
      ],
    });
    expect(replayed.repeater(partial)).toBeUndefined();
  });

  it('never turns free text from an error into a label', async () => {
    const insights = createUsageInsights({ supergraphSdl: SUPERGRAPH });
    await run(insights, QUERY, {
      data: null,
      errors: [{ message: 'm', extensions: { code: 'made up code <script>', agency: 'Robert"); DROP' } }],
    });
    expect((await insights.report()).errors).toEqual([{ code: 'OTHER', agency: 'other', count: 1 }]);
    const text = await insights.registry.metrics();
    expect(text).not.toContain('DROP');
    expect(text).not.toContain('script');
  });

  it('summarises upstream latency per agency from the kit’s events', async () => {
    const insights = createUsageInsights({ supergraphSdl: SUPERGRAPH });
    insights.onUpstreamEvent({ agency: 'smhi', outcome: 'miss', attempts: 1, ms: 40 });
    insights.onUpstreamEvent({ agency: 'smhi', outcome: 'miss', attempts: 2, ms: 300 });
    insights.onUpstreamEvent({ agency: 'smhi', outcome: 'hit', attempts: 0 });
    insights.onUpstreamEvent({ agency: 'smhi', outcome: 'stale', attempts: 3, ms: 900 });
    insights.onUpstreamEvent({ agency: 'scb', outcome: 'hit', attempts: 0 });
    const { agencies } = await insights.report();
    expect(agencies['smhi']?.cache).toEqual({ hits: 1, misses: 2, stale: 1, errors: 0, hitRatio: 0.25 });
    expect(agencies['smhi']?.upstreamCalls).toBe(6);
    expect(agencies['smhi']?.latency).toMatchObject({ count: 3, meanMs: 413.33 });
    // 40 ms falls in (25, 50], 300 ms in (250, 500], 900 ms in (500, 1000]: the median is interpolated in (250, 500].
    expect(agencies['smhi']?.latency.p50Ms).toBe(375);
    expect(agencies['smhi']?.latency.buckets.find((b) => b.leMs === 50)?.count).toBe(1);
    expect(agencies['scb']).toMatchObject({
      cache: { hits: 1, hitRatio: 1 },
      upstreamCalls: 0,
      latency: { count: 0, p50Ms: null },
    });
  });

  it('takes ownership from the supergraph the server loads (and reloads)', async () => {
    const insights = createUsageInsights();
    const server = await insights.plugin.serverWillStart!({} as never);
    server!.schemaDidLoadOrUpdate!({ apiSchema: schema, coreSupergraphSdl: SUPERGRAPH });
    await run(insights, QUERY, { data: { m: null } });
    const report = await insights.report();
    expect(Object.keys(report.subgraphs).sort()).toEqual(['lantmateriet', 'smhi']);
  });
});
