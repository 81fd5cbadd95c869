import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('query depth limit', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { MAX_QUERY_DEPTH: '4' } });
  });
  afterAll(() => gw.stop());

  it('rejects an operation deeper than MAX_QUERY_DEPTH before any upstream call, saying the limit', async () => {
    const before = gw.events.length;
    const body = await gw.query(
      '{ county(code: "01") { municipalities { county { municipalities { name } } } } }',
    );
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(body.errors?.[0]?.message).toMatch(/5 fields deep; at most 4 are allowed \(MAX_QUERY_DEPTH\)/);
    expect(gw.events.length).toBe(before);
  });

  it('follows fragments when measuring depth', async () => {
    const body = await gw.query(
      'query { county(code: "01") { ...M } } fragment M on County { municipalities { county { municipalities { name } } } }',
    );
    expect(body.errors?.[0]?.message).toMatch(/at most 4/);
  });

  it('lets an operation at the limit through', async () => {
    const body = await gw.query('{ county(code: "01") { municipalities { county { name } } } }');
    expect(body.errors).toBeUndefined();
    expect((body.data as { county: { municipalities: unknown[] } }).county.municipalities).toHaveLength(26);
  });
});

describe('query depth limit and introspection', () => {
  it('does not count introspection, whose type references nest deep by design', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const gw = await startTestGateway({ env: { MAX_QUERY_DEPTH: '2' } });
    try {
      const body = await gw.query(getIntrospectionQuery());
      expect(body.errors).toBeUndefined();
      expect((body.data as { __schema: { types: unknown[] } }).__schema.types.length).toBeGreaterThan(50);
    } finally {
      await gw.stop();
    }
  });
});
