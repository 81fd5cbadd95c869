/**
 * The catalog's examples in `schema/examples/` answer offline (UPSTREAM_MODE=offline: the registry
 * simulator), without errors and with the values `test/explorer/example-assertions.ts` expects.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../../gateway/src/explorer/examples.ts';
import { offlineOnlyAssertions } from '../explorer/example-assertions.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const CATALOG_EXAMPLES = ['what-sgu-publishes-about-groundwater', 'high-value-mobility-datasets-and-apis'];

describe('catalog examples (offline)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
  });
  afterAll(() => gw.stop());

  it.each(CATALOG_EXAMPLES)('%s', async (name) => {
    const example = loadExamples().find((e) => e.name === name);
    expect(example, `schema/examples/${name}.graphql`).toBeDefined();
    const body = await gw.query<Record<string, unknown>>(example!.query, example!.variables);
    expect(body.errors).toBeUndefined();
    for (const [field, value] of Object.entries(body.data ?? {})) expect(value, field).not.toBeNull();
    offlineOnlyAssertions[name]!(body.data!);
    expect(
      (body.extensions?.['offline'] as { agencies: Record<string, unknown> } | undefined)?.agencies,
    ).toHaveProperty('catalog');
  });

  it('the README’s catalog query answers offline as the README says', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((b) => b.includes('agency(id: SCB)'));
    expect(block, 'the catalog section’s example').toBeDefined();
    const body = await gw.query<{
      agency: { datasets: { totalCount: number; nodes: Array<{ title: string; servedByGraph: boolean }> } };
    }>(block!);
    expect(body.errors).toBeUndefined();
    const { totalCount, nodes } = body.data!.agency.datasets;
    expect(readme).toContain(`\`totalCount\` ${totalCount} and "${nodes[0]!.title}"`);
    expect(nodes[0]!.servedByGraph).toBe(false);
    expect(nodes.slice(1).every((n) => n.servedByGraph)).toBe(true);
    expect(readme).toContain(`"${nodes[3]!.title}"`);
  });
});
