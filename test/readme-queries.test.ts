import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/** Every ```graphql block of the README: `npm run demo` (snapshot mode) must answer each one, offline. */
const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) =>
  m[1]!.trim(),
);

describe('README queries in snapshot mode', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('the README has GraphQL examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it.each(blocks.map((b, i) => [i + 1, b] as const))('block %i answers without errors', async (_i, query) => {
    const body = await gw.query(query);
    expect(body.errors).toBeUndefined();
    expect(body.data).toBeTruthy();
  });

  it('the README shows the answer npm run demo gives to the first query', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const shown = JSON.parse(/```json\n([\s\S]*?)```/.exec(readme)![1]!) as unknown;
    expect(await gw.query(blocks[0]!)).toEqual(shown);
  });
});
