import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('operation selection errors', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('an unknown operation name is HTTP 400 BAD_USER_INPUT with the gateway message, not an internal error', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { counties { code } }', operationName: 'B' }),
    });
    const body = (await res.json()) as {
      errors: Array<{ message: string; extensions: Record<string, unknown> }>;
    };
    expect(res.status).toBe(400); // was 500: a client's mistake is never a server error
    expect(body.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(body.errors[0]?.message).toMatch(/B/);
  });
});
