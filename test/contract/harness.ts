/**
 * The machinery of the contract suite (test/contract.test.ts): reading a subgraph's SDL for its
 * entities, the sample keys every entity must resolve, running a subgraph runtime directly with
 * graphql's `execute`, and building queries that touch every field.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  type FieldDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  parse,
  type SelectionSetNode,
} from 'graphql';
import Keyv from 'keyv';
import type { Dispatcher } from 'undici';
import { readEnv } from '../../kit/config.ts';
import { silentLogger } from '../../kit/logger.ts';
import { createFileSnapshotStore } from '../../kit/snapshot.ts';
import type { SubgraphModule, SubgraphRuntime } from '../../kit/subgraph.ts';
import { round6 } from '../../kit/sweden.ts';
import { createTrace, type UpstreamMode } from '../../kit/upstream.ts';

export type Json = Record<string, unknown>;

/** An entity type as one subgraph declares it. */
export interface EntityInfo {
  typeName: string;
  /** The `fields` argument of each `@key`, e.g. ["code"] or ["latitude longitude"]. */
  keys: string[];
  /** False when every @key says `resolvable: false` (the subgraph only references the entity). */
  resolvable: boolean;
  /** Fields this subgraph marks @external (their data comes from elsewhere). */
  external: Set<string>;
  /** field -> the `fields` of its @requires. */
  requires: Map<string, string>;
}

/**
 * The entities shared by every agency, with the one sample each subgraph must resolve:
 * Stockholm (0180), Stockholms län (01) and Sergels torg (59.3293, 18.0686).
 */
export const SHARED_SAMPLES: Readonly<Record<string, { key: string; sample: Json }>> = {
  Municipality: { key: 'code', sample: { code: '0180' } },
  County: { key: 'code', sample: { code: '01' } },
  Place: { key: 'latitude longitude', sample: { latitude: 59.3293, longitude: 18.0686 } },
};

/** Where a subgraph keeps the sample keys of its own entities. */
export const samplesFile = (name: string) => `subgraphs/${name}/contract-samples.json`;

/** Reads `subgraphs/<name>/contract-samples.json` ({ "<Type>": [{ key fields… }, …] }); {} if absent. */
export function ownSamples(name: string): Record<string, Json[]> {
  const file = samplesFile(name);
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const out: Record<string, Json[]> = {};
  for (const [type, list] of Object.entries(parsed)) {
    if (type.startsWith('$')) continue; // $comment
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'object' || s === null || Array.isArray(s))) {
      throw new Error(`${file}: "${type}" must be an array of key objects, e.g. [{ "id": "42" }]`);
    }
    out[type] = list as Json[];
  }
  return out;
}

/**
 * The sample keys one entity of subgraph `name` must resolve, or — when there are none — the message
 * the suite fails with. Shared entities use SHARED_SAMPLES (and must use the shared key); a subgraph's
 * own entities need `subgraphs/<name>/contract-samples.json`.
 */
export function samplesFor(
  name: string,
  entity: EntityInfo,
  own: Record<string, Json[]> = ownSamples(name),
): Json[] | string {
  const shared = SHARED_SAMPLES[entity.typeName];
  if (shared) {
    if (!entity.keys.includes(shared.key)) {
      return `${entity.typeName} must be keyed @key(fields: "${shared.key}") like everywhere else (found ${entity.keys.map((k) => `"${k}"`).join(', ')})`;
    }
    return [shared.sample];
  }
  const samples = own[entity.typeName] ?? [];
  if (samples.length === 0) {
    const fields = topFields(entity.keys[0] ?? '')
      .map((f) => `"${f}": …`)
      .join(', ');
    return `${name} declares the entity ${entity.typeName} but gives no sample key: add ${samplesFile(name)} with {"${entity.typeName}": [{ ${fields} }]} — a key the offline snapshot can resolve.`;
  }
  return samples;
}

/** The entity types a subgraph declares with @key, read from its SDL. */
export function entitiesOf(sdl: string): EntityInfo[] {
  const byName = new Map<string, EntityInfo>();
  for (const def of parse(sdl).definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const node = def as ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
    const info = byName.get(node.name.value) ?? {
      typeName: node.name.value,
      keys: [],
      resolvable: false,
      external: new Set<string>(),
      requires: new Map<string, string>(),
    };
    const typeExternal = node.directives?.some((d) => d.name.value === 'external') ?? false;
    for (const d of node.directives ?? []) {
      if (d.name.value !== 'key') continue;
      const fields = d.arguments?.find((a) => a.name.value === 'fields')?.value;
      const resolvable = d.arguments?.find((a) => a.name.value === 'resolvable')?.value;
      if (fields?.kind === Kind.STRING) info.keys.push(fields.value);
      if (!(resolvable?.kind === Kind.BOOLEAN && resolvable.value === false)) info.resolvable = true;
    }
    for (const field of node.fields ?? []) {
      if (typeExternal || hasDirective(field, 'external')) info.external.add(field.name.value);
      const req = field.directives?.find((d) => d.name.value === 'requires');
      const reqFields = req?.arguments?.find((a) => a.name.value === 'fields')?.value;
      if (reqFields?.kind === Kind.STRING) info.requires.set(field.name.value, reqFields.value);
    }
    byName.set(info.typeName, info);
  }
  return [...byName.values()].filter((e) => e.keys.length > 0);
}

function hasDirective(field: FieldDefinitionNode, name: string): boolean {
  return field.directives?.some((d) => d.name.value === name) ?? false;
}

/** A federation field set ("id region { code }") as a selection set. */
export function fieldSet(fields: string): SelectionSetNode {
  const doc = parse(`{ ${fields} }`);
  const op = doc.definitions[0];
  if (op?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`bad field set "${fields}"`);
  return op.selectionSet;
}

/** The top-level field names of a field set. */
export function topFields(fields: string): string[] {
  return fieldSet(fields).selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
}

/** `value` projected onto a field set, numbers rounded to 6 decimals (how keys are compared). */
export function project(value: unknown, selection: SelectionSetNode): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'number' ? round6(value) : value;
  if (Array.isArray(value)) return value.map((v) => project(v, selection));
  const out: Json = {};
  for (const s of selection.selections) {
    if (s.kind !== Kind.FIELD) continue;
    const v = (value as Json)[s.name.value];
    out[s.name.value] = s.selectionSet
      ? project(v, s.selectionSet)
      : project(v, { kind: Kind.SELECTION_SET, selections: [] });
  }
  return out;
}

/** Builds a runtime of `module` the way the gateway does, with test doubles injected. */
export function createRuntime(
  module: SubgraphModule,
  options: { mode: UpstreamMode; dispatcher: Dispatcher; snapshotDir?: string },
): SubgraphRuntime {
  return module.create({
    // Defaults of the module's own variables: exactly what an unconfigured deployment gets.
    config: readEnv(module.env, {}),
    cache: new Keyv(),
    logger: silentLogger,
    mode: options.mode,
    snapshot:
      options.mode === 'live' ? undefined : createFileSnapshotStore(options.snapshotDir ?? 'snapshot'),
    now: Date.now,
    dispatcher: options.dispatcher,
  });
}

/** Executes one operation against a runtime's schema with a fresh per-request context. */
export async function run(
  runtime: SubgraphRuntime,
  query: string | DocumentNode,
  variables: Json = {},
): Promise<ExecutionResult> {
  return execute({
    schema: runtime.schema,
    document: typeof query === 'string' ? parse(query) : query,
    variableValues: variables,
    contextValue: runtime.contextFor({ trace: createTrace() }),
  });
}

/** `_entities` query selecting `selection` on `typeName` for the representations in `$r`. */
export function entitiesQuery(typeName: string, selection: string): string {
  return `query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on ${typeName} { ${selection} } } }`;
}

/** A literal for a required argument, so that fields with required arguments get exercised too. */
function argLiteral(type: GraphQLInputType): string | undefined {
  if (isNonNullType(type)) return argLiteral(type.ofType);
  if (isListType(type)) {
    const inner = argLiteral(type.ofType);
    return inner === undefined ? undefined : `[${inner}]`;
  }
  if (isEnumType(type)) {
    const first = type.getValues()[0];
    return first ? first.name : undefined;
  }
  if (isInputObjectType(type)) return undefined;
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return '1';
      case 'Float':
        return '1.5';
      case 'Boolean':
        return 'true';
      case 'ID':
        return '"1"';
      case 'String':
        // Most string arguments here are codes or names: a valid municipality code goes furthest.
        return '"0180"';
      default:
        return undefined;
    }
  }
  return undefined;
}

/** `name(arg: literal, …)` for a field, or undefined if a required argument cannot be filled. */
function fieldCall(field: GraphQLField<unknown, unknown>): string | undefined {
  const args: string[] = [];
  for (const arg of field.args) {
    if (!isNonNullType(arg.type) || arg.defaultValue !== undefined) continue;
    const literal = argLiteral(arg.type);
    if (literal === undefined) return undefined;
    args.push(`${arg.name}: ${literal}`);
  }
  return args.length > 0 ? `${field.name}(${args.join(', ')})` : field.name;
}

/**
 * A selection of every field of `type` this subgraph resolves (not @external), two levels deep,
 * so that each resolver that calls an upstream is reached at least once.
 */
export function everyField(
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  external: ReadonlySet<string> = new Set(),
  depth = 2,
): string {
  if (!isObjectType(type) && !isInterfaceType(type)) return '__typename';
  const parts = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    if (external.has(field.name) || field.name.startsWith('_')) continue;
    const call = fieldCall(field);
    if (call === undefined) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(call);
    else if (depth > 1) parts.push(`${call} { ${everyField(schema, named, new Set(), depth - 1)} }`);
    else parts.push(`${call} { __typename }`);
  }
  return parts.join(' ');
}

/** The root Query fields of a subgraph, each with every field below it (federation's own excluded). */
export function everyRootField(schema: GraphQLSchema): string | undefined {
  const query = schema.getQueryType();
  if (!query) return undefined;
  const parts: string[] = [];
  for (const field of Object.values(query.getFields())) {
    if (field.name === '_service' || field.name === '_entities') continue;
    const call = fieldCall(field);
    if (call === undefined) continue;
    const named = getNamedType(field.type);
    parts.push(isLeafType(named) ? call : `${call} { ${everyField(schema, named)} }`);
  }
  return parts.length > 0 ? `{ ${parts.join(' ')} }` : undefined;
}

/** Deep merge of plain JSON objects (b wins for leaves). */
export function merge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev &&
      v &&
      typeof prev === 'object' &&
      typeof v === 'object' &&
      !Array.isArray(prev) &&
      !Array.isArray(v)
        ? merge(prev as Json, v as Json)
        : v;
  }
  return out;
}
