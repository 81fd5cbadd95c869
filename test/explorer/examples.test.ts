import {
  buildClientSchema,
  type GraphQLSchema,
  getIntrospectionQuery,
  type IntrospectionQuery,
  parse,
  validate,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Example,
  ExampleError,
  exampleOrder,
  loadExamples,
  parseExample,
} from '../../gateway/src/explorer/examples.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { exampleAssertions, offlineOnlyAssertions } from './example-assertions.ts';

const examples = loadExamples();

describe('schema/examples', () => {
  let gw: TestGateway;
  let demo: TestGateway;
  let schema: GraphQLSchema;
  beforeAll(async () => {
    gw = await startTestGateway(); // snapshot mode: exact recorded (or marked synthetic) values
    demo = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } }); // what `npm run demo` runs
    const introspection = await gw.query<IntrospectionQuery>(getIntrospectionQuery());
    expect(introspection.errors).toBeUndefined();
    schema = buildClientSchema(introspection.data!);
  });
  afterAll(async () => {
    await gw.stop();
    await demo.stop();
  });

  it('has examples, each with a title, a description and one named operation', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const e of examples) {
      expect(e.title.length, e.name).toBeGreaterThan(0);
      expect(e.description.length, e.name).toBeGreaterThan(0);
      expect(e.operationName, e.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
    }
  });

  it('lists every example exactly once in order.json, and the explorer shows them in that order', async () => {
    const order = exampleOrder();
    expect([...order].sort()).toEqual(examples.map((e) => e.name).sort());
    expect(new Set(order).size).toBe(order.length);
    expect(examples.map((e) => e.name)).toEqual(order);
    // The richest first: the example that joins the most agencies.
    expect(examples[0]!.name).toBe('municipality-at-a-glance');
    const listed = (await (await fetch(`${gw.url}/explorer/examples.json`)).json()) as Array<{
      name: string;
    }>;
    expect(listed.map((e) => e.name)).toEqual(order);
  });

  it('has an assertion for every example, and no assertion without an example', () => {
    const names = examples.map((e) => e.name).sort();
    const missing = names.filter((n) => !(n in exampleAssertions) && !(n in offlineOnlyAssertions));
    expect(missing, 'add an entry to test/explorer/example-assertions.ts').toEqual([]);
    expect(
      [...Object.keys(exampleAssertions), ...Object.keys(offlineOnlyAssertions)].filter(
        (n) => !names.includes(n),
      ),
    ).toEqual([]);
  });

  describe.each(examples.map((e) => [e.name, e] as [string, Example]))('%s', (_name, example) => {
    it('validates against the gateway API schema', () => {
      const errors = validate(schema, parse(example.query));
      expect(errors.map((e) => e.message)).toEqual([]);
    });

    const run = async (target: TestGateway) => {
      const res = await fetch(`${target.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: example.query,
          operationName: example.operationName,
          variables: example.variables,
        }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      expect(body.data).toBeTruthy();
      const data = body.data!;
      expect(Object.keys(data).length).toBeGreaterThan(0);
      for (const [field, value] of Object.entries(data)) expect(value, `data.${field}`).not.toBeNull();
      expect(countLeaves(data)).toBeGreaterThan(0);
      return data;
    };

    it('answers in offline mode (npm run demo) without errors', async () => {
      const data = await run(demo);
      offlineOnlyAssertions[example.name]?.(data);
    });

    // Examples over recorded agencies also answer from the exact-replay snapshot, with its values.
    const recorded = exampleAssertions[example.name];
    if (recorded) {
      it('answers in snapshot mode with the expected recorded data', async () => {
        recorded(await run(gw));
      });
    }
  });
});

describe('parseExample', () => {
  const body = 'query A { counties { code } }';
  it('reads title, description, variables and the operation name', () => {
    const e = parseExample(
      'a',
      `# Title: T\n# Description: D d\n# Variables: {"x": 1}\n# Other comment\n${body}\n`,
    );
    expect(e).toMatchObject({
      name: 'a',
      title: 'T',
      description: 'D d',
      operationName: 'A',
      variables: { x: 1 },
    });
    expect(e.query).toContain('# Title: T');
  });

  it.each([
    ['no title', `# Description: D\n${body}`, /# Title:/],
    ['no description', `# Title: T\n${body}`, /# Description:/],
    ['header after the operation', `${body}\n# Title: T\n# Description: D`, /# Title:/],
    ['an anonymous operation', '# Title: T\n# Description: D\n{ counties { code } }', /must be named/],
    ['two operations', `# Title: T\n# Description: D\n${body}\nquery B { counties { name } }`, /exactly one/],
    ['invalid GraphQL', '# Title: T\n# Description: D\nquery A {', /not valid GraphQL/],
    [
      'variables that are not an object',
      `# Title: T\n# Description: D\n# Variables: [1]\n${body}`,
      /JSON object/,
    ],
    ['variables that are not JSON', `# Title: T\n# Description: D\n# Variables: {x}\n${body}`, /JSON object/],
  ])('rejects %s, naming the file', (_what, text, message) => {
    expect(() => parseExample('bad-example', text)).toThrow(ExampleError);
    expect(() => parseExample('bad-example', text)).toThrow(/bad-example\.graphql/);
    expect(() => parseExample('bad-example', text)).toThrow(message);
  });
});

/** Non-null scalar values anywhere in the data. */
function countLeaves(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countLeaves(v), 0);
  if (typeof value === 'object') return Object.values(value).reduce((n: number, v) => n + countLeaves(v), 0);
  return 1;
}
