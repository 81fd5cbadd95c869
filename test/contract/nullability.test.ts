/**
 * The nullability rule of the API contract: a field that needs an agency, at any level, is nullable,
 * so its failure nulls that field only; only data the gateway holds itself (codes, names, embedded
 * geography) may be non-null. Deprecated fields are kept as they were for one release and are not
 * held to the rule (their replacements are).
 *
 * Checked twice: statically, against what each subgraph declares its fields call (its cost map), and
 * by behaviour: with one agency failing at a time, every type reachable from Query is queried with
 * every field, and no error may null more than the field it is on.
 */
import { type GraphQLObjectType, isNonNullType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgraphModules } from '../../subgraphs/index.ts';
import { type GraphQLBody, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { ID_SOURCES, pathsToTypes, queryFor, schema } from '../helpers/schema-walk.ts';

/**
 * Root fields that may stay non-null: the gateway answers them from what it holds, and no argument
 * they take can fail once GraphQL has validated it.
 */
const GATEWAY_HELD_ROOT_FIELDS: Record<string, string> = {
  municipalities: 'the embedded division of 290 municipalities (its `county` argument is deprecated)',
  counties: 'the embedded 21 counties',
  sweden: 'an object for region "00"; every figure under it is nullable',
  weatherParameters: 'the metobs parameters this graph accepts, held in code',
  agencies: 'the agencies of this graph, held in code',
  agency: "the agency of an AgencyId: an enum, so GraphQL's validation rejects anything else",
};

const costs = new Map(subgraphModules.flatMap((m) => Object.entries(m.cost ?? {})));
const objectTypes = Object.values(schema.getTypeMap()).filter(
  (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('_'),
);

describe('nullability rule (static)', () => {
  it('every field that calls an agency is nullable', () => {
    const offenders: string[] = [];
    let checked = 0;
    for (const type of objectTypes) {
      for (const field of Object.values(type.getFields())) {
        const cost = costs.get(`${type.name}.${field.name}`);
        if (!cost?.agency || field.deprecationReason) continue;
        checked += 1;
        if (isNonNullType(field.type)) offenders.push(`${type.name}.${field.name}: ${String(field.type)}`);
      }
    }
    expect(offenders).toEqual([]);
    // The cost maps do name the agency fields (an empty map would pass the check above vacuously).
    expect(checked).toBeGreaterThan(50);
  });

  it('every root field is nullable, except the few the gateway answers from what it holds', () => {
    const query = schema.getQueryType()!;
    const nonNull = Object.values(query.getFields())
      .filter((f) => isNonNullType(f.type) && !f.deprecationReason)
      .map((f) => f.name);
    expect(nonNull.filter((name) => !(name in GATEWAY_HELD_ROOT_FIELDS))).toEqual([]);
    for (const name of nonNull) {
      const field = query.getFields()[name]!;
      // None of them calls an agency, and none takes an argument that could fail at run time.
      expect(costs.get(`Query.${name}`)?.agency, name).toBeUndefined();
      const live = field.args.filter((a) => !a.deprecationReason && !isEnumArg(a.type));
      expect(
        live.map((a) => a.name),
        name,
      ).toEqual([]);
    }
  });
});

function isEnumArg(type: import('graphql').GraphQLInputType): boolean {
  const inner = isNonNullType(type) ? type.ofType : type;
  return 'getValues' in inner;
}

const AGENCIES = ['smhi', 'scb', 'jobtech', 'sgu', 'lantmateriet', 'catalog'] as const;

/** The value at `path` in `data`, and whether everything above it was there (not nulled). */
function at(data: unknown, path: ReadonlyArray<string | number>): { parentPresent: boolean; value: unknown } {
  let node: unknown = data;
  for (const key of path.slice(0, -1)) {
    if (node === null || node === undefined || typeof node !== 'object')
      return { parentPresent: false, value: undefined };
    node = (node as Record<string | number, unknown>)[key];
  }
  if (node === null || node === undefined || typeof node !== 'object')
    return { parentPresent: false, value: undefined };
  return { parentPresent: true, value: (node as Record<string | number, unknown>)[path.at(-1)!] };
}

describe('nullability rule (behaviour): one agency failing nulls only its own fields', () => {
  const ids = new Map<string, string>();
  const paths = pathsToTypes({ skipDeprecated: true });
  const types = [...paths.keys()].filter((t) => !t.startsWith('_'));

  beforeAll(async () => {
    // Valid ids from a healthy gateway, so lookups by id reach the agencies.
    const healthy = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
    try {
      for (const [coordinate, source] of Object.entries(ID_SOURCES)) {
        const body = await healthy.query(source.query);
        const id = body.data ? source.pick(body.data as Record<string, unknown>) : undefined;
        if (typeof id === 'string' || typeof id === 'number') ids.set(coordinate, String(id));
      }
    } finally {
      await healthy.stop();
    }
  }, 60_000);

  describe.each(AGENCIES)('%s failing (HTTP 500)', (agency) => {
    let gw: TestGateway;
    const answers: Array<{ query: string; body: GraphQLBody<unknown> }> = [];
    beforeAll(async () => {
      gw = await startTestGateway({
        env: {
          UPSTREAM_MODE: 'offline',
          OFFLINE_FAULTS: `${agency}=500`,
          // Fail at once after the first failure, so the walk does not wait on retries.
          BREAKER_THRESHOLD: '1',
          BREAKER_OPEN_MS: '600000',
        },
      });
      for (const typeName of types) {
        const query = queryFor(typeName, paths.get(typeName)!, ids, { skipDeprecated: true });
        answers.push({ query, body: await gw.query(query) });
      }
    }, 120_000);
    afterAll(() => gw.stop());

    it('every error nulls exactly the field it is on, and the answer keeps everything else', () => {
      const bubbled: string[] = [];
      for (const { query, body } of answers) {
        expect(body.data, query).toBeTruthy();
        for (const error of body.errors ?? []) {
          expect(error.path, `${error.message} in ${query}`).toBeDefined();
          const { parentPresent, value } = at(body.data, error.path!);
          if (!parentPresent || value !== null) bubbled.push(`${error.path!.join('.')} (${error.message})`);
        }
      }
      expect(bubbled).toEqual([]);
    });

    it('the failing agency shows: its fields fail with a typed error naming it', () => {
      const errors = answers.flatMap(({ body }) => body.errors ?? []);
      const own = errors.filter((e) => e.extensions?.['agency'] === agency);
      expect(own.length).toBeGreaterThan(0);
      for (const e of own)
        expect(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_AUTH_REQUIRED']).toContain(e.extensions?.['code']);
      // Nobody else fails because of it.
      expect(errors.filter((e) => e.extensions?.['agency'] !== agency).map((e) => e.message)).toEqual([]);
    });
  });
});
