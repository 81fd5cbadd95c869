import type { GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatError } from '../../gateway/src/errors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const err = (extensions: Record<string, unknown>, message = 'msg'): GraphQLFormattedError => ({
  message,
  extensions,
});

describe('formatError', () => {
  it('keeps code, agency and status, and drops every other extension key', () => {
    const out = formatError({
      message: 'smhi did not answer in time',
      locations: [{ line: 1, column: 3 }],
      path: ['municipality', 'forecast'],
      extensions: {
        code: 'UPSTREAM_TIMEOUT',
        agency: 'smhi',
        status: 504,
        stacktrace: ['Error: at undici …'],
        errorType: 'timeout',
        smhiCode: 17,
        serviceName: 'smhi',
        exception: { body: '<html>' },
      },
    });
    expect(out).toEqual({
      message: 'smhi did not answer in time',
      locations: [{ line: 1, column: 3 }],
      path: ['municipality', 'forecast'],
      extensions: { code: 'UPSTREAM_TIMEOUT', agency: 'smhi', status: 504 },
    });
  });

  it('never overwrites a code from the fixed set', () => {
    for (const code of ['UPSTREAM_RATE_LIMITED', 'BAD_USER_INPUT', 'UPSTREAM_AUTH_REQUIRED'])
      expect(formatError(err({ code, agency: 'scb' })).extensions).toEqual({ code, agency: 'scb' });
  });

  it.each([
    'GRAPHQL_VALIDATION_FAILED',
    'GRAPHQL_PARSE_FAILED',
    'BAD_REQUEST',
    'OPERATION_RESOLUTION_FAILURE',
    'PERSISTED_QUERY_NOT_SUPPORTED',
  ])('maps %s to BAD_USER_INPUT and keeps the message', (code) => {
    expect(formatError(err({ code }, 'Cannot query field "nope" on type "Query".'))).toEqual({
      message: 'Cannot query field "nope" on type "Query".',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  // APQ clients resend the full query only when they see this exact code (it used to become BAD_USER_INPUT).
  it.each(['PERSISTED_QUERY_NOT_FOUND', 'OPERATION_NOT_ALLOWED'])('passes %s through unchanged', (code) => {
    expect(formatError(err({ code }, 'PersistedQueryNotFound'))).toEqual({
      message: 'PersistedQueryNotFound',
      extensions: { code },
    });
  });

  it('quotes only a short prefix of a huge input in the message', () => {
    const out = formatError(
      err({ code: 'BAD_USER_INPUT' }, `County code "${'x'.repeat(10_000)}" is malformed`),
    );
    expect(out.message).toBe(`County code "${'x'.repeat(80)}…" is malformed`);
  });

  it('fills in the agency from the subgraph name when the subgraph left it out', () => {
    expect(formatError(err({ code: 'UPSTREAM_UNAVAILABLE', serviceName: 'sgu' })).extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      agency: 'sgu',
    });
  });

  it('turns an unknown code into INTERNAL_SERVER_ERROR and hides its message', () => {
    expect(
      formatError(err({ code: 'ECONNRESET', agency: 'scb' }, 'connect ECONNRESET 10.0.0.1:443')),
    ).toEqual({
      message: 'Internal error',
      extensions: { code: 'INTERNAL_SERVER_ERROR', agency: 'scb' },
    });
    expect(formatError(err({ code: 'DOWNSTREAM_SERVICE_ERROR' }, 'raw')).message).toBe('Internal error');
  });

  it('drops a status that is not a number', () => {
    expect(formatError(err({ code: 'UPSTREAM_UNAVAILABLE', status: '503' })).extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });
});

describe('formatError in the running gateway', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.stop());

  it('a validation error reaches the client as BAD_USER_INPUT with nothing else', async () => {
    const body = await gw.query('{ municipality(code: "0180") { nope } }');
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(body.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
  });

  it('an unknown field or argument with nothing close is told what there is; one close is suggested', async () => {
    const field = await gw.query('{ location(latitude: 59.3, longitude: 18.1) { placeNames } }');
    const message = String(field.errors?.[0]?.message);
    expect(message).toMatch(/^Cannot query field "placeNames" on type "Place"\. The fields of "Place" are: /);
    // Every field of Place the schema has, none deprecated.
    const listed = message
      .replace(/^.* are: /, '')
      .replace(/\.$/, '')
      .split(', ');
    const type = (await gw.query('{ __type(name: "Place") { fields { name } } }')).data as {
      __type: { fields: Array<{ name: string }> };
    };
    expect(listed.sort()).toEqual(type.__type.fields.map((f) => f.name).sort());
    expect(listed).toContain('municipality');

    const close = await gw.query('{ municipality(code: "0180") { nam } }');
    expect(close.errors?.[0]?.message).toBe(
      'Cannot query field "nam" on type "Municipality". Did you mean "name"?',
    );

    const argument = await gw.query('{ municipality(kommunkod: "0180") { name } }');
    expect(argument.errors?.map((e) => e.message)).toContain(
      'Unknown argument "kommunkod" on field "Query.municipality". The arguments of "Query.municipality" are: code.',
    );
    const none = await gw.query('{ municipalities(x: 1) { name } }');
    expect(none.errors?.[0]?.message).toBe(
      'Unknown argument "x" on field "Query.municipalities". "Query.municipalities" takes no arguments (county: deprecated).',
    );
    // Deprecated fields are not offered (Query.place is, for location).
    const root = String((await gw.query('{ nothingLikeThis }')).errors?.[0]?.message);
    expect(root).toContain(' location, ');
    expect(root).not.toMatch(/[ :]place[,.]/);
  });

  it('a batch (a JSON array of operations) is refused, saying what to send instead', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { query: '{ county(code: "01") { name } }' },
        { query: '{ county(code: "02") { name } }' },
      ]),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: unknown }> };
    expect(body.errors[0]?.message).toMatch(/not accepted: send each operation in a request of its own/);
    expect(body.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('a syntax error reaches the client as BAD_USER_INPUT', async () => {
    const body = await gw.query('{ municipality(code: ');
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('a missing variable is BAD_USER_INPUT', async () => {
    const body = await gw.query('query ($code: String!) { municipality(code: $code) { name } }', {});
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });
});
