/**
 * The contract every subgraph in `subgraphs/index.ts` passes. There is no opt-out: the suite loops
 * over `subgraphModules`, so a subgraph is tested as soon as it is listed. For each one:
 *   1. `_service { sdl }` answers with the subgraph's schema;
 *   2. that SDL composes into the supergraph together with every other listed subgraph;
 *   3. every entity it can resolve (@key without `resolvable: false`) resolves a sample reference
 *      through `_entities`: Municipality "0180", County "01", Place 59.3293/18.0686 for the shared
 *      entities, and for its own entities the keys in `subgraphs/<name>/contract-samples.json` —
 *      an own entity without a sample FAILS. References resolve in snapshot mode (recorded responses,
 *      see snapshot/manifest), so samples must be keys the snapshot knows;
 *   4. with every upstream answering 503 (and again 404), whatever errors come out carry
 *      `extensions.code` from the fixed set (never INTERNAL_SERVER_ERROR: an upstream failure is mapped,
 *      not a crash) and `extensions.agency`, and a shared entity still resolves (a failure nulls only
 *      the failing fields). Every field of each entity and every root field is asked for;
 *   5. nothing reaches the network: runtimes get an undici MockAgent with net connect disabled; in
 *      snapshot mode it must see no request at all, under the 503/404 agent every request must have
 *      been answered by its interceptor.
 * Runtimes are driven directly (module.create + graphql `execute`), with a fresh in-memory cache.
 */
import { composeServices } from '@apollo/composition';
import { type GraphQLError, Kind, parse, print } from 'graphql';
import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../kit/errors.ts';
import type { SubgraphModule, SubgraphRuntime } from '../kit/subgraph.ts';
import { subgraphModules } from '../subgraphs/index.ts';
import {
  createRuntime,
  type EntityInfo,
  entitiesOf,
  entitiesQuery,
  everyField,
  everyRootField,
  fieldSet,
  type Json,
  merge,
  project,
  run,
  SHARED_SAMPLES,
  samplesFor,
  topFields,
} from './contract/harness.ts';

/** Snapshot-mode runtimes of every listed subgraph, sharing one offline agent. */
const offline = new MockAgent({ enableCallHistory: true });
offline.disableNetConnect();
const snapshotRuntimes = new Map<string, SubgraphRuntime>();
const serviceSdl = new Map<string, string>();

beforeAll(async () => {
  for (const module of subgraphModules) {
    const runtime = createRuntime(module, { mode: 'snapshot', dispatcher: offline });
    snapshotRuntimes.set(module.name, runtime);
    const result = await run(runtime, '{ _service { sdl } }');
    const sdl = (result.data?.['_service'] as { sdl?: unknown } | undefined)?.sdl;
    if (typeof sdl === 'string') serviceSdl.set(module.name, sdl);
  }
});

afterAll(async () => {
  await Promise.all([...snapshotRuntimes.values()].map((r) => r.close()));
  await offline.close();
});

/**
 * The representation the gateway would send: the key, plus what @requires asks for, fetched from
 * the subgraphs that own those fields (snapshot mode), as the query planner would.
 */
async function representation(module: SubgraphModule, entity: EntityInfo, sample: Json): Promise<Json> {
  let rep: Json = { __typename: entity.typeName, ...sample };
  for (const fields of entity.requires.values()) {
    for (const selection of fieldSet(fields).selections) {
      if (selection.kind !== Kind.FIELD) continue;
      for (const other of subgraphModules) {
        if (other.name === module.name) continue;
        const owner = entitiesOf(serviceSdl.get(other.name) ?? '').find(
          (e) => e.typeName === entity.typeName && e.resolvable,
        );
        const runtime = snapshotRuntimes.get(other.name)!;
        const type = runtime.schema.getType(entity.typeName);
        if (!owner || owner.external.has(selection.name.value) || !type || !('getFields' in type)) continue;
        if (!(selection.name.value in type.getFields())) continue;
        const result = await run(runtime, entitiesQuery(entity.typeName, print(selection)), {
          r: [{ __typename: entity.typeName, ...sample }],
        });
        const data = (result.data?.['_entities'] as Json[] | undefined)?.[0];
        if (data) rep = merge(rep, data);
        break;
      }
    }
  }
  return rep;
}

function expectContractErrors(errors: readonly GraphQLError[] | undefined, agencyHint: string) {
  for (const error of errors ?? []) {
    const where = `${agencyHint}: error "${error.message}" at ${error.path?.join('.') ?? '(no path)'}`;
    expect(ERROR_CODES, `${where} has code ${String(error.extensions['code'])}`).toContain(
      error.extensions['code'],
    );
    expect(typeof error.extensions['agency'], `${where} has no extensions.agency`).toBe('string');
    // A failing upstream is an expected condition: it must be mapped, never crash a resolver.
    expect(error.extensions['code'], `${where}: an upstream failure surfaced as an internal error`).not.toBe(
      'INTERNAL_SERVER_ERROR',
    );
  }
}

describe.each(subgraphModules.map((m) => [m.name, m] as const))('contract: %s', (name, module) => {
  const declared = entitiesOf(print(module.typeDefs));

  it('answers _service { sdl } with its schema', () => {
    const sdl = serviceSdl.get(name);
    expect(sdl, '_service { sdl } gave no SDL').toBeTypeOf('string');
    const served = entitiesOf(sdl!);
    expect(served.map((e) => [e.typeName, e.keys])).toEqual(declared.map((e) => [e.typeName, e.keys]));
    const typeNames = (doc: ReturnType<typeof parse>) =>
      doc.definitions.flatMap((d) => ('name' in d && d.name ? [d.name.value] : [])).sort();
    expect(typeNames(parse(sdl!))).toEqual(expect.arrayContaining(typeNames(module.typeDefs)));
  });

  it('composes into the supergraph with every other listed subgraph', () => {
    const services = subgraphModules.map((m) => ({
      name: m.name,
      url: `in-process://${m.name}`,
      typeDefs: parse(serviceSdl.get(m.name) ?? print(m.typeDefs)),
    }));
    const result = composeServices(services);
    expect(result.errors?.map((e) => e.message) ?? []).toEqual([]);
    expect(result.supergraphSdl).toContain(`@join__graph(name: "${name}"`);
  });

  const resolvable = declared.filter((e) => e.resolvable);
  if (resolvable.length > 0) {
    it.each(resolvable.map((e) => [e.typeName, e] as const))(
      'resolves a sample %s reference through _entities (snapshot)',
      async (typeName, entity) => {
        const samples = samplesFor(module.name, entity);
        if (typeof samples === 'string') expect.fail(samples);
        const runtime = snapshotRuntimes.get(name)!;
        for (const key of entity.keys) {
          for (const sample of samples) {
            const missing = topFields(key).filter((f) => !(f in sample));
            expect(missing, `sample ${JSON.stringify(sample)} lacks key field(s) of @key "${key}"`).toEqual(
              [],
            );
            const rep = await representation(module, entity, sample);
            const result = await run(runtime, entitiesQuery(typeName, key), { r: [rep] });
            expect(result.errors?.map((e) => e.message) ?? [], `resolving ${JSON.stringify(sample)}`).toEqual(
              [],
            );
            const [entityResult] = (result.data?.['_entities'] as Json[] | undefined) ?? [];
            expect(entityResult, `${typeName} ${JSON.stringify(sample)} resolved to null`).toBeTruthy();
            expect(entityResult!['__typename']).toBe(typeName);
            expect(project(entityResult, fieldSet(key))).toEqual(project(sample, fieldSet(key)));
          }
        }
        expect(offline.getCallHistory()?.calls() ?? [], 'snapshot mode must not send requests').toEqual([]);
      },
    );
  }

  it.each([
    [503, 'Service Unavailable'],
    [404, 'Not Found'],
  ] as const)(
    'maps an upstream %i to the fixed error codes, with the agency; the network stays off',
    async (status, text) => {
      const agent = new MockAgent({ enableCallHistory: true });
      agent.disableNetConnect();
      let answered = 0;
      agent
        .get(() => true)
        .intercept({ path: () => true, method: () => true })
        .reply(() => {
          answered += 1;
          return { statusCode: status, data: { message: `${text} (contract test)` } };
        })
        .persist();
      const runtime = createRuntime(module, { mode: 'live', dispatcher: agent });
      try {
        for (const entity of resolvable) {
          const samples = samplesFor(module.name, entity);
          if (typeof samples === 'string') continue; // reported by the reference test above
          const type = runtime.schema.getType(entity.typeName)!;
          const selection = everyField(runtime.schema, type, entity.external);
          for (const sample of samples) {
            const rep = await representation(module, entity, sample);
            const result = await run(runtime, entitiesQuery(entity.typeName, selection), { r: [rep] });
            expectContractErrors(result.errors, `${name} ${entity.typeName} (upstream ${status})`);
            if (SHARED_SAMPLES[entity.typeName]) {
              const [resolved] = (result.data?.['_entities'] as Json[] | undefined) ?? [];
              expect(
                resolved,
                `${entity.typeName} ${JSON.stringify(sample)} became null under an upstream ${status}: make the fields that call an upstream nullable, so a failure nulls only them`,
              ).toBeTruthy();
            }
          }
        }
        const root = everyRootField(runtime.schema);
        if (root) {
          const result = await run(runtime, root);
          expectContractErrors(result.errors, `${name} Query (upstream ${status})`);
        }
        // Every request that left the runtime was answered by the interceptor: none unmatched.
        expect(agent.getCallHistory()?.calls().length ?? 0).toBe(answered);
      } finally {
        await runtime.close();
        await agent.close();
      }
    },
    120_000,
  );
});
