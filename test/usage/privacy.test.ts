import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageReport } from '../../gateway/src/usage/index.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

/** Values a client sends that must never show up in the usage report or the metrics. */
const VARIABLE = 'VAR-secret-7f3a91';
const LITERAL = 'LIT-secret-c0ffee';
const OPERATION = 'SecretOperation4242';
const ALIAS = 'aliasSecret8675';
const CLIENT_IP = '198.51.100.23';
const USER_AGENT = 'UA-secret-browser/1.0';
const PARSE_ERROR_TEXT = 'PARSE-secret-d00d';

describe('usage insights hold no personal data', () => {
  let gw: TestGateway;
  let report: string;
  let metrics: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    const headers = { 'x-forwarded-for': CLIENT_IP, 'user-agent': USER_AGENT, 'x-real-ip': CLIENT_IP };
    // A variable value and a string literal that both end up in error messages (unknown codes).
    const withSecrets = await gw.query(
      `query ${OPERATION}($code: String!) {
        ${ALIAS}: municipality(code: $code) { name }
        county(code: "${LITERAL}") { name }
        stockholm: municipality(code: "0180") { name forecast(hours: 1) { time } }
      }`,
      { code: VARIABLE },
      headers,
    );
    expect(withSecrets.errors?.map((e) => e.extensions?.['code'])).toEqual([
      'BAD_USER_INPUT',
      'BAD_USER_INPUT',
    ]);
    // The secrets do reach the response (so the test would notice if they were copied into usage).
    expect(JSON.stringify(withSecrets)).toContain(VARIABLE);
    expect(JSON.stringify(withSecrets)).toContain(LITERAL);
    expect((withSecrets.data as Record<string, unknown>)['stockholm']).toMatchObject({ name: 'Stockholm' });
    // A document that does not parse, and a GET with the secrets in the URL.
    await gw.query(`{ ${PARSE_ERROR_TEXT}( }`, undefined, headers);
    const url = `${gw.url}/graphql?query=${encodeURIComponent(`query ${OPERATION} { county(code: "${LITERAL}") { name } }`)}`;
    await (await fetch(url, { headers: { ...headers, 'apollo-require-preflight': 'true' } })).text();

    report = await (await fetch(`${gw.url}/usage`)).text();
    metrics = await (await fetch(`${gw.url}/metrics`)).text();
  });
  afterAll(() => gw.stop());

  it('recorded the requests (the check below is not vacuous)', () => {
    const parsed = JSON.parse(report) as UsageReport;
    expect(parsed.requests.total).toBe(3);
    expect(parsed.subgraphs['lantmateriet']?.fields['Query.municipality']?.requested).toBe(1);
    expect(parsed.subgraphs['lantmateriet']?.fields['Query.county']?.requested).toBe(2);
    expect(parsed.subgraphs['smhi']?.fields['Municipality.forecast']?.requested).toBe(1);
    expect(parsed.errors).toContainEqual({ code: 'BAD_USER_INPUT', agency: 'lantmateriet', count: 3 });
    expect(metrics).toContain(
      'gateway_field_requests_total{subgraph="lantmateriet",coordinate="Query.county"} 2',
    );
  });

  it.each([
    ['the variable value', VARIABLE],
    ['the string literal', LITERAL],
    ['the operation name', OPERATION],
    ['the alias', ALIAS],
    ['the client address', CLIENT_IP],
    ['the loopback address the request came from', '127.0.0.1'],
    ['the user agent', USER_AGENT],
    ['the text of a document that did not parse', PARSE_ERROR_TEXT],
    ['the argument values of the query', '0180'],
  ])('contains neither in /usage nor in /metrics: %s', (_what, secret) => {
    expect(report).not.toContain(secret);
    expect(metrics).not.toContain(secret);
  });

  it('names only schema coordinates, subgraphs, agencies and error codes as labels', () => {
    const labelValues = [...metrics.matchAll(/="([^"]*)"/g)].map((m) => m[1]!);
    for (const value of labelValues) {
      expect(value).toMatch(
        /^([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*|[a-z][a-z0-9_-]*|[A-Z_]+|[0-9.e+-]+|\+Inf)$/,
      );
    }
  });
});
