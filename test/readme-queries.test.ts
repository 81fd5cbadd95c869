import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { README_QUERY } from './helpers/readme-query.ts';

/** Every ```graphql block of the README: `npm run demo` (offline mode) must answer each one. */
const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) =>
  m[1]!.trim(),
);

/** The clock the README's demo answer was taken at (offline forecasts are anchored at the hour). */
const README_CLOCK = Date.parse('2026-11-30T12:00:00Z');

describe('README queries in offline mode (npm run demo)', () => {
  let gw: TestGateway;
  let fixed: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
    fixed = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' }, now: () => README_CLOCK });
  });
  afterAll(async () => {
    await gw.stop();
    await fixed.stop();
  });

  it("the README's curl example sends README_QUERY (the query tests and benchmarks call the README query)", () => {
    expect(readFileSync('README.md', 'utf8')).toContain(`-d '${JSON.stringify({ query: README_QUERY })}'`);
  });

  it('the README has GraphQL examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it.each(blocks.map((b, i) => [i + 1, b] as const))('block %i answers without errors', async (_i, query) => {
    const body = await gw.query(query);
    expect(body.errors).toBeUndefined();
    expect(body.data).toBeTruthy();
    expect(body.extensions?.['offline']).toBeDefined();
  });

  it('the README shows the data npm run demo gives to the first query (at its stated clock)', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const shown = JSON.parse(/```json\n([\s\S]*?)```/.exec(readme)![1]!) as { data: unknown };
    expect((await fixed.query(blocks[0]!)).data).toEqual(shown.data);
  });
});
