/**
 * npm run check — composes the listed subgraphs and compares the result with the last committed
 * supergraph (git HEAD; the checked-in file outside a git checkout, or any baseline), listing what
 * changes for clients — so after `npm run new-subgraph` or `npm run compose` it still shows what
 * the change adds:
 *   - breaking changes (removed types/fields/args/enum values, changed types, an output field made
 *     nullable, an argument made required, a required argument added, …): exit 1;
 *   - non-breaking changes (added types/fields/optional args/enum values, …): listed as info, exit 0.
 * If the checked-in supergraph (or schema/api-schema.graphql) differs at all, it also says to run
 * `npm run compose`. Composition errors exit 1.
 *
 * Both sides are compared as API schemas (what clients query: federation join/link machinery and
 * @inaccessible elements removed, see scripts/api-schema.ts). Breaking and "dangerous" changes come
 * from graphql-js's `findBreakingChanges` / `findDangerousChanges`; additions, safe type changes,
 * deprecations and description changes, which graphql-js does not report, come from our own diff below.
 *
 * Options:
 *   --base <file>     baseline supergraph (default: schema/supergraph.graphql as committed at HEAD)
 *   --against <ref>   baseline supergraph from git, e.g. --against origin/main
 *   --new <file>      compare this supergraph instead of composing schema/subgraphs.json
 *   --list <file>     the subgraph list to compose (default schema/subgraphs.json)
 *   --strict          also exit 1 when the checked-in files are merely stale
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  findBreakingChanges,
  findDangerousChanges,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql';
import { composeSupergraph } from '../gateway/src/compose.ts';
import { loadSubgraphList } from '../gateway/src/subgraph-list.ts';
import { apiSchemaFile, apiSchemaOf, apiSchemaSdl, supergraphFile } from './api-schema.ts';

/** How a change affects existing clients. */
export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  level: ChangeLevel;
  /** graphql-js's change type (e.g. FIELD_REMOVED) or ours (e.g. FIELD_ADDED). */
  type: string;
  description: string;
}

/** Every change between two API schemas, breaking first, then dangerous, then safe. */
export function diffApiSchemas(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): SchemaChange[] {
  const changes: SchemaChange[] = [
    ...findBreakingChanges(oldSchema, newSchema)
      // graphql-js counts a built-in scalar that nothing references any more as removed; no query can
      // have used it without a field that is itself reported.
      .filter((c) => !(c.type === 'TYPE_REMOVED' && c.description.startsWith('Standard scalar')))
      .map((c) => ({
        level: 'breaking' as const,
        type: c.type,
        description: c.description,
      })),
    ...findDangerousChanges(oldSchema, newSchema).map((c) => ({
      level: 'dangerous' as const,
      type: c.type,
      description: c.description,
    })),
    ...safeChanges(oldSchema, newSchema),
  ];
  const rank: Record<ChangeLevel, number> = { breaking: 0, dangerous: 1, safe: 2 };
  return changes.sort((a, b) => rank[a.level] - rank[b.level] || a.description.localeCompare(b.description));
}

/** Changes graphql-js does not report because they cannot break a client. */
function safeChanges(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): SchemaChange[] {
  const out: SchemaChange[] = [];
  const add = (type: string, description: string) => out.push({ level: 'safe', type, description });
  const oldTypes = oldSchema.getTypeMap();
  for (const newType of Object.values(newSchema.getTypeMap())) {
    if (isIntrospectionType(newType) || isSpecifiedScalarType(newType)) continue;
    const oldType = oldTypes[newType.name];
    if (!oldType) {
      add('TYPE_ADDED', `${newType.name} was added.`);
      continue;
    }
    descriptionChange(oldType, newType, newType.name, add);
    if (
      (isObjectType(oldType) || isInterfaceType(oldType)) &&
      (isObjectType(newType) || isInterfaceType(newType))
    ) {
      const oldFields = oldType.getFields();
      for (const field of Object.values(newType.getFields())) {
        const coord = `${newType.name}.${field.name}`;
        const before = oldFields[field.name];
        if (!before) {
          add('FIELD_ADDED', `${coord} was added.`);
          continue;
        }
        descriptionChange(before, field, coord, add);
        deprecation(before, field, coord, add);
        // Output stricter (String -> String!) is safe; the other direction is a breaking change.
        if (String(before.type) !== String(field.type) && String(before.type) === nullableOf(field.type))
          add('FIELD_MADE_NON_NULL', `${coord} changed type from ${before.type} to ${field.type}.`);
        const oldArgs = new Map(before.args.map((a) => [a.name, a]));
        for (const arg of field.args) {
          const was = oldArgs.get(arg.name);
          if (!was) continue; // added args: graphql-js reports them (required: breaking, optional: dangerous)
          descriptionChange(was, arg, `${coord}(${arg.name}:)`, add);
          deprecation(was, arg, `${coord}(${arg.name}:)`, add);
          // Input looser (String! -> String) is safe.
          if (String(was.type) !== String(arg.type) && String(arg.type) === nullableOf(was.type))
            add('ARG_MADE_OPTIONAL', `${coord}(${arg.name}:) changed type from ${was.type} to ${arg.type}.`);
        }
      }
    } else if (isInputObjectType(oldType) && isInputObjectType(newType)) {
      const oldFields = oldType.getFields();
      for (const field of Object.values(newType.getFields())) {
        const was = oldFields[field.name];
        if (!was) continue; // graphql-js reports added input fields
        const coord = `${newType.name}.${field.name}`;
        descriptionChange(was, field, coord, add);
        if (String(was.type) !== String(field.type) && String(field.type) === nullableOf(was.type))
          add('INPUT_FIELD_MADE_OPTIONAL', `${coord} changed type from ${was.type} to ${field.type}.`);
      }
    } else if (isEnumType(oldType) && isEnumType(newType)) {
      for (const value of newType.getValues()) {
        const was = oldType.getValue(value.name);
        if (was) deprecation(was, value, `${newType.name}.${value.name}`, add);
      }
    }
  }
  return out;
}

type Described = { description?: string | null | undefined };
type Deprecatable = { deprecationReason?: string | null | undefined };

function descriptionChange(
  before: Described,
  after: Described,
  coord: string,
  add: (type: string, description: string) => void,
) {
  if ((before.description ?? '') !== (after.description ?? ''))
    add('DESCRIPTION_CHANGED', `${coord} has a new description.`);
}

function deprecation(
  before: Deprecatable,
  after: Deprecatable,
  coord: string,
  add: (type: string, d: string) => void,
) {
  if (!before.deprecationReason && after.deprecationReason)
    add('DEPRECATED', `${coord} was deprecated: ${after.deprecationReason}`);
  else if (before.deprecationReason && !after.deprecationReason)
    add('UNDEPRECATED', `${coord} is no longer deprecated.`);
}

/** "String!" -> "String"; anything else unchanged. */
function nullableOf(type: unknown): string {
  const s = String(type);
  return s.endsWith('!') ? s.slice(0, -1) : s;
}

/** Why a non-breaking change may still matter to some clients. */
const DANGER_NOTES: Record<string, string> = {
  VALUE_ADDED_TO_ENUM: 'clients that switch over every value should handle the new one',
  TYPE_ADDED_TO_UNION: 'clients that switch over every member should handle the new one',
  INTERFACE_ADDED_TO_OBJECT: 'fragments on the interface now match this type too',
  ARG_DEFAULT_VALUE_CHANGE: 'queries that omit the argument get the new default',
};

export interface CheckOptions {
  /** The baseline supergraph SDL (the checked-in one, or one from git). */
  baseSdl: string;
  /** What the baseline is called in messages. */
  baseName: string;
  /** The new supergraph SDL; undefined = composition failed (see `compositionErrors`). */
  newSdl: string | undefined;
  compositionErrors?: string[];
  /** The checked-in API schema text, when comparing against the working tree (stale check). */
  apiSchemaText?: string | undefined;
  /** Say "run npm run compose" when the baseline differs (default true: the baseline is the checked-in file). */
  composeHint?: boolean;
  /**
   * The supergraph file in the working tree, when the baseline is another version of it (HEAD):
   * the "run npm run compose" hint compares this one with the composed schema.
   */
  workingSdl?: string | undefined;
  strict?: boolean;
}

export interface CheckResult {
  exitCode: number;
  changes: SchemaChange[];
  /** The human-readable report, one line per entry. */
  lines: string[];
}

/** Compares two supergraphs; pure (no I/O), so tests can feed fixture pairs. */
export function checkSupergraphs(options: CheckOptions): CheckResult {
  const lines: string[] = [];
  if (options.newSdl === undefined) {
    const errors = options.compositionErrors ?? [];
    lines.push(`Composition failed with ${errors.length} error(s):`, ...errors.map((e) => `  ${e}`));
    return { exitCode: 1, changes: [], lines };
  }
  let changes: SchemaChange[];
  try {
    changes = diffApiSchemas(apiSchemaOf(options.baseSdl), apiSchemaOf(options.newSdl));
  } catch (err) {
    lines.push(`${options.baseName} is not a valid supergraph: ${(err as Error).message}`);
    return { exitCode: 1, changes: [], lines };
  }
  const breaking = changes.filter((c) => c.level === 'breaking');
  const other = changes.filter((c) => c.level !== 'breaking');
  if (breaking.length > 0) {
    lines.push(
      `BREAKING: ${breaking.length} change(s) can break existing client queries (compared with ${options.baseName}):`,
    );
    for (const c of breaking) lines.push(`  ✗ ${c.type}: ${c.description}`);
  }
  if (other.length > 0) {
    lines.push(`Non-breaking: ${other.length} change(s) compared with ${options.baseName}:`);
    for (const c of other) {
      const note = DANGER_NOTES[c.type];
      lines.push(
        `  ${c.level === 'dangerous' ? '!' : '+'} ${c.type}: ${c.description}${note ? ` (${note})` : ''}`,
      );
    }
  }
  const supergraphStale =
    options.composeHint !== false && (options.workingSdl ?? options.baseSdl) !== options.newSdl;
  const apiStale =
    options.apiSchemaText !== undefined && options.apiSchemaText !== apiSchemaSdl(options.newSdl);
  if (changes.length === 0) lines.push(`No API changes compared with ${options.baseName}.`);
  if (supergraphStale || apiStale) {
    const file = options.workingSdl !== undefined ? supergraphFile : options.baseName;
    const stale = [supergraphStale ? file : undefined, apiStale ? apiSchemaFile : undefined]
      .filter(Boolean)
      .join(' and ');
    lines.push(`${stale} differ(s) from the composed schema: run "npm run compose" and commit the result.`);
  }
  let exitCode = breaking.length > 0 ? 1 : 0;
  if (options.strict && (supergraphStale || apiStale)) exitCode = 1;
  return { exitCode, changes, lines };
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

/** A file as committed at `ref`, or undefined outside a git checkout (or when it is not there). */
function gitShow(ref: string, file: string): string | undefined {
  try {
    return execFileSync('git', ['show', `${ref}:${file}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

/** The CLI: reads files (and git), composes, prints the report; returns the exit code. */
export function main(args: string[]): number {
  const against = option(args, '--against');
  const basePath = option(args, '--base') ?? supergraphFile;
  const newPath = option(args, '--new');
  const listPath = option(args, '--list') ?? 'schema/subgraphs.json';
  let baseSdl: string;
  let baseName: string;
  let workingSdl: string | undefined;
  const committed =
    against === undefined && option(args, '--base') === undefined
      ? gitShow('HEAD', supergraphFile)
      : undefined;
  if (against !== undefined) {
    baseName = `${supergraphFile} at ${against}`;
    baseSdl = execFileSync('git', ['show', `${against}:${supergraphFile}`], { encoding: 'utf8' });
  } else if (committed !== undefined) {
    // The last commit, not the working file: `npm run compose` (or the scaffold) has usually
    // rewritten the file already, and the changes to review are the ones since the commit.
    baseName = `${supergraphFile} as last committed`;
    baseSdl = committed;
    workingSdl = existsSync(supergraphFile) ? readFileSync(supergraphFile, 'utf8') : '';
  } else {
    baseName = basePath;
    baseSdl = readFileSync(basePath, 'utf8');
  }
  let newSdl: string | undefined;
  let compositionErrors: string[] = [];
  if (newPath !== undefined) newSdl = readFileSync(newPath, 'utf8');
  else {
    const composed = composeSupergraph(loadSubgraphList(listPath));
    if (composed.ok) newSdl = composed.supergraphSdl;
    else compositionErrors = composed.errors;
  }
  // The API schema file only makes sense next to the checked-in supergraph in the working tree.
  const compareApiFile = against === undefined && newPath === undefined && basePath === supergraphFile;
  const result = checkSupergraphs({
    baseSdl,
    baseName,
    newSdl,
    compositionErrors,
    apiSchemaText: compareApiFile
      ? existsSync(apiSchemaFile)
        ? readFileSync(apiSchemaFile, 'utf8')
        : ''
      : undefined,
    // Against a git ref or between two given files, differing is the point, not a stale file.
    composeHint: compareApiFile,
    workingSdl,
    strict: args.includes('--strict'),
  });
  for (const line of result.lines) (result.exitCode === 0 ? console.log : console.error)(line);
  return result.exitCode;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
