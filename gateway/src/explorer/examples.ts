import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, type OperationDefinitionNode, parse } from 'graphql';

/** The repository's example operations: `schema/examples/*.graphql`. */
export const DEFAULT_EXAMPLES_DIR = fileURLToPath(new URL('../../../schema/examples/', import.meta.url));

/** One example operation, as the explorer lists it and the tests run it. */
export interface Example {
  /** File name without `.graphql`, e.g. `municipality-at-a-glance`: the key of the test table. */
  name: string;
  /** From the `# Title:` comment. */
  title: string;
  /** From the `# Description:` comment. */
  description: string;
  /** The whole file, comments included (the explorer shows them above the operation). */
  query: string;
  /** The one operation's name. */
  operationName: string;
  /** From an optional `# Variables: {...}` comment (JSON object); `{}` when absent. */
  variables: Record<string, unknown>;
}

/** A malformed example file; the message names the file and what is expected. */
export class ExampleError extends Error {
  override readonly name = 'ExampleError';
}

const HEADER = /^#\s*(Title|Description|Variables)\s*:\s*(.*)$/i;

/**
 * Parses one example file. Expected shape:
 *
 * ```graphql
 * # Title: A municipality at a glance
 * # Description: Name, county and the next hours' weather for Stockholm.
 * # Variables: {"code": "0180"}        (optional)
 * query MunicipalityAtAGlance { ... }
 * ```
 *
 * Exactly one operation, and it must be named; fragments are allowed. The header comments must come
 * before the first non-comment line.
 */
export function parseExample(name: string, text: string): Example {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('#')) break;
    const m = HEADER.exec(trimmed);
    if (m?.[1] && m[2] !== undefined) fields[m[1].toLowerCase()] = m[2].trim();
  }
  const where = `Example ${name}.graphql`;
  const title = fields['title'];
  const description = fields['description'];
  if (!title) throw new ExampleError(`${where} needs a leading "# Title: …" comment line`);
  if (!description) throw new ExampleError(`${where} needs a leading "# Description: …" comment line`);
  let variables: Record<string, unknown> = {};
  if (fields['variables'] !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fields['variables']);
    } catch {
      throw new ExampleError(`${where}: "# Variables:" must be a JSON object on one line`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new ExampleError(`${where}: "# Variables:" must be a JSON object on one line`);
    variables = parsed as Record<string, unknown>;
  }
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(text).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
  } catch (err) {
    throw new ExampleError(`${where} is not valid GraphQL: ${(err as Error).message}`);
  }
  if (operations.length !== 1)
    throw new ExampleError(`${where} must hold exactly one operation, found ${operations.length}`);
  const operationName = operations[0]?.name?.value;
  if (!operationName)
    throw new ExampleError(`${where}: the operation must be named, e.g. "query MunicipalityAtAGlance { … }"`);
  return { name, title, description, query: text, operationName, variables };
}

/**
 * Reads every `*.graphql` file of `dir`, in the order `order.json` there gives (chosen by hand, the
 * richest first; files it does not list come after, by name); throws ExampleError on a bad file.
 */
export function loadExamples(dir: string = DEFAULT_EXAMPLES_DIR): Example[] {
  const order = exampleOrder(dir);
  const rank = (f: string) => {
    const i = order.indexOf(basename(f, '.graphql'));
    return i < 0 ? order.length : i;
  };
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const examples = files.map((f) =>
    parseExample(basename(f, '.graphql'), readFileSync(join(dir, f), 'utf8')),
  );
  const seen = new Map<string, string>();
  for (const e of examples) {
    const other = seen.get(e.operationName);
    if (other)
      throw new ExampleError(
        `Examples ${other}.graphql and ${e.name}.graphql both name their operation ${e.operationName}`,
      );
    seen.set(e.operationName, e.name);
  }
  return examples;
}

/** The names `order.json` lists (an array of file names without `.graphql`), or none. */
export function exampleOrder(dir: string = DEFAULT_EXAMPLES_DIR): string[] {
  const file = join(dir, 'order.json');
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((n) => typeof n === 'string'))
    throw new ExampleError(`${file} must be a JSON array of example names (file names without .graphql)`);
  return parsed as string[];
}
