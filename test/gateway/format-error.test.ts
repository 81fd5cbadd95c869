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

  it('a syntax error reaches the client as BAD_USER_INPUT', async () => {
    const body = await gw.query('{ municipality(code: ');
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('a missing variable is BAD_USER_INPUT', async () => {
    const body = await gw.query('query ($code: String!) { municipality(code: $code) { name } }', {});
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });
});
