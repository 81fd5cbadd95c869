/**
 * A client's mistake is answered HTTP 400 with BAD_USER_INPUT, never 500, before any agency is
 * called; messages quote only a short prefix of a huge input; a base URL with credentials in it is
 * refused at start-up without echoing them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullEnvSpec, loadConfig } from '../../gateway/src/config.ts';
import { QUOTE_MAX, shortenMessage } from '../../gateway/src/errors.ts';
import { ConfigError } from '../../kit/config.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

interface Answer {
  status: number;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

describe('client errors are 4xx', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.stop());

  async function post(payload: Record<string, unknown>): Promise<Answer> {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  }

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'an unknown operationName',
      { query: 'query A { counties { code } }', operationName: 'B' },
      /^Unknown operation named "B"; the document has "A"\.$/,
    ],
    [
      'several operations and no operationName',
      { query: 'query A { counties { code } } query C { counties { name } }' },
      /2 operations \("A", "C"\): name the one to run in "operationName"/,
    ],
    ['a mutation (the schema has none)', { query: 'mutation { x }' }, /read-only: it has no mutations/],
    [
      'a subscription (the schema has none)',
      { query: 'subscription S { x }' },
      /read-only: it has no subscriptions/,
    ],
    [
      'an Int literal beyond 2^31',
      { query: '{ county(code: "01") { population(year: 2147483648) } }' },
      /Int cannot represent non 32-bit signed integer value: 2147483648/,
    ],
    [
      'a Float literal beyond a double (Infinity)',
      {
        query:
          '{ place(latitude: 59.3, longitude: 18) { currentWeather(withinKm: 1e400) { airTemperature } } }',
      },
      /Float literal 1e400 is out of range/,
    ],
    [
      'an Int variable beyond 2^31',
      {
        query: 'query ($y: Int) { county(code: "01") { population(year: $y) } }',
        variables: { y: 2 ** 31 },
      },
      /Int cannot represent non 32-bit signed integer value/,
    ],
  ])('%s: HTTP 400, BAD_USER_INPUT, no agency called', async (_, payload, message) => {
    const before = gw.events.length;
    const { status, body } = await post(payload);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(body.errors?.[0]?.message).toMatch(message);
    expect(gw.events.length).toBe(before);
  });

  it('a document with a mutation beside a query still runs the query it names', async () => {
    const { status, body } = await post({
      query: 'query Q { counties { code } } mutation M { x }',
      operationName: 'Q',
    });
    expect(status).toBe(200);
    expect((body.data as { counties: unknown[] }).counties).toHaveLength(21);
  });

  it('quotes only a short prefix of a huge operation name, string literal, field name or number', async () => {
    const huge = 'B'.repeat(100_000);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ query: 'query A { counties { code } }', operationName: huge }, 'B'],
      [{ query: `{ county(code: "${'x'.repeat(100_000)}") { name } }` }, 'x'],
      [{ query: `{ ${'f'.repeat(100_000)} }` }, 'f'],
      [{ query: `{ county(code: "01") { population(year: ${'9'.repeat(100_000)}) } }` }, '9'],
    ];
    for (const [payload, char] of cases) {
      const { status, body } = await post(payload);
      expect(status).toBeLessThan(500);
      const message = body.errors?.[0]?.message ?? '';
      expect(message).toContain(`${char.repeat(QUOTE_MAX)}…`);
      expect(message).not.toContain(char.repeat(QUOTE_MAX + 1));
      // What the schema has, listed after an unknown field, is bounded by the schema, not the input.
      expect(message.replace(/ The fields of "Query" are: [^…]*$/, '').length).toBeLessThan(400);
    }
  });
});

describe('shortenMessage', () => {
  it('keeps short messages and cuts long quoted pieces and long unquoted runs', () => {
    expect(shortenMessage('County code "99" is unknown.')).toBe('County code "99" is unknown.');
    const long = 'y'.repeat(500);
    expect(shortenMessage(`Code "${long}" is bad`)).toBe(`Code "${'y'.repeat(80)}…" is bad`);
    expect(shortenMessage(`value: ${long}`)).toBe(`value: ${long}`);
    expect(shortenMessage(`value: ${long}${long}`)).toBe(`value: ${'y'.repeat(80)}…`);
    expect(shortenMessage(`Code "${long}`)).toBe(`Code "${'y'.repeat(80)}…`);
    // A URL in a snapshot-miss message (up to 500 characters) stays whole.
    const url = `https://opendata-download-metfcst.smhi.se/api/category/snow1g/version/1/geotype/point/lon/17.99/lat/59.32/data.json`;
    expect(shortenMessage(`No recorded smhi response for GET ${url}`)).toContain(url);
    // A message of many long runs (a huge list literal echoed back) is capped as a whole.
    const list = `[${Array.from({ length: 2000 }, () => '1'.repeat(500)).join(', ')}]`;
    expect(shortenMessage(`String cannot represent a non string value: ${list}`).length).toBeLessThanOrEqual(
      1001,
    );
    // Never cuts a surrogate pair in half.
    expect(shortenMessage(`"${'a'.repeat(79)}😀${'b'.repeat(100)}"`)).toBe(`"${'a'.repeat(79)}…"`);
  });
});

describe('a base URL with credentials in it', () => {
  const urlVariables = Object.entries(fullEnvSpec())
    .filter(([, v]) => v.allowed.startsWith('an absolute URL (http: or https:)'))
    .map(([name]) => name);

  it('covers every agency URL variable', () => {
    expect(urlVariables).toEqual(
      expect.arrayContaining([
        'SMHI_FORECAST_URL',
        'SCB_API_URL',
        'JOBTECH_SEARCH_URL',
        'LM_API_URL',
        'SGU_API_URL',
      ]),
    );
  });

  it.each([
    'https://hackathon:s3cr3t-Passw0rd@api.example.test/v1',
    'https://only-a-user-s3cr3t-Passw0rd@api.example.test',
    'http://:s3cr3t-Passw0rd@api.example.test',
  ])('is refused at start-up, naming the variable, without echoing it: %s', (value) => {
    for (const name of urlVariables) {
      let err: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toContain(`${name}=(hidden) is not allowed`);
      expect(message).toMatch(/without credentials in it.*set the API's credential variables instead/);
      expect(message).not.toContain('s3cr3t');
      expect(message).not.toContain('hackathon');
    }
  });

  it('a malformed value that looks like it holds credentials is not echoed either', () => {
    expect(() => loadConfig({ SMHI_METOBS_URL: 'https://u:s3cr3t@ bad host' })).toThrow(
      /SMHI_METOBS_URL=\(hidden\)/,
    );
  });

  it('leaves plain URLs alone and still echoes a bad one without credentials', () => {
    expect(loadConfig({ SCB_API_URL: 'https://scb.example.test/api/v2/' }).subgraphs['SCB_API_URL']).toBe(
      'https://scb.example.test/api/v2',
    );
    expect(() => loadConfig({ SCB_API_URL: 'ftp://scb.example.test' })).toThrow(
      'SCB_API_URL="ftp://scb.example.test" is not allowed; expected an absolute URL (http: or https:).',
    );
  });

  it('a Redis URL keeps its password (how Redis authenticates) and an invalid one is not echoed', () => {
    expect(loadConfig({ CACHE_URL: 'redis://:s3cr3t@127.0.0.1:6379/11' }).gateway.CACHE_URL).toBe(
      'redis://:s3cr3t@127.0.0.1:6379/11',
    );
    let message = '';
    try {
      loadConfig({ CACHE_URL: 'http://:s3cr3t@127.0.0.1:6379' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('CACHE_URL=(hidden) is not allowed');
    expect(message).not.toContain('s3cr3t');
  });
});
