/**
 * npm run new-subgraph -- <name> [--agency "Display Name"]
 *
 * Scaffolds `subgraphs/<name>/` in the shape every subgraph has (schema.graphql extending
 * Municipality with one example field, codegen.json, context.ts, client.ts over the kit's upstream
 * with the base URL in `<NAME>_API_URL`, loaders.ts, resolvers.ts, simulator.ts (the offline
 * answer, so the new field answers in `npm run demo` at once), index.ts via createSubgraph,
 * README.md) plus `test/<name>/<name>.test.ts`, registers it in `subgraphs/index.ts` and
 * `schema/subgraphs.json`, generates its resolver types, composes the supergraph and adds its
 * variable to README.md's configuration table. The result passes the contract suite, and `npm test`
 * stays green, as generated. Templates: scripts/templates/subgraph/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Names that would clash with the repository's own folders, tools or GraphQL/federation words. */
export const RESERVED_NAMES = new Set([
  'kit',
  'generated',
  'index',
  'serve',
  'shared',
  'common',
  'all',
  'gateway',
  'supergraph',
  'subgraph',
  'subgraphs',
  'schema',
  'scripts',
  'templates',
  'test',
  'tests',
  'fixtures',
  'contract',
  'onboarding',
  'helpers',
  'snapshot',
  'examples',
  'docs',
  'bench',
  'node_modules',
  'query',
  'mutation',
  'subscription',
  'federation',
  'apollo',
  'graphql',
  'join',
  'link',
  'in-process',
]);

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Why `name` cannot be used, or undefined when it can. `root` is the repository root. */
export function nameProblem(name: string | undefined, root: string): string | undefined {
  if (name === undefined || name === '' || name.startsWith('-')) {
    return 'Give the subgraph a name: npm run new-subgraph -- <name>, e.g. npm run new-subgraph -- naturvardsverket';
  }
  if (!NAME.test(name) || name.length > 32) {
    return `"${name}" is not allowed: use lower-case letters and digits, optionally joined by single hyphens, starting with a letter, at most 32 characters (e.g. "naturvardsverket" or "havs-och-vatten").`;
  }
  if (RESERVED_NAMES.has(name)) {
    return `"${name}" is reserved (it names a folder, tool or GraphQL/federation word here): pick the agency's name instead.`;
  }
  if (existsSync(join(root, 'subgraphs', name))) {
    return `"${name}" exists already: subgraphs/${name}/ is there. Pick another name or edit that subgraph.`;
  }
  if (existsSync(join(root, 'test', name))) {
    return `"${name}" clashes with the existing folder test/${name}/: pick another name.`;
  }
  const list = JSON.parse(readFileSync(join(root, 'schema/subgraphs.json'), 'utf8')) as {
    subgraphs?: Array<{ name?: string }>;
  };
  if (list.subgraphs?.some((s) => s.name === name)) {
    return `"${name}" is already listed in schema/subgraphs.json (perhaps as a remote subgraph): pick another name.`;
  }
  return undefined;
}

/** The spellings of one name that the templates use. */
export function spellings(name: string, agency?: string) {
  const words = name.split('-');
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  return {
    name,
    ident: words[0] + words.slice(1).map(cap).join(''),
    Pascal: words.map(cap).join(''),
    ENV: words.join('_').toUpperCase(),
    agency: agency ?? words.map(cap).join(' '),
  };
}

/** Fills `{{key}}` placeholders. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template placeholder ${whole} has no value`);
    return value;
  });
}

/** Adds `import { ident } from './name/index.ts'` and `ident` to the `subgraphModules` array. */
export function registerInIndex(source: string, ident: string, name: string): string {
  const importLine = `import { ${ident} } from './${name}/index.ts';`;
  const lines = source.split('\n');
  const importIdx = lines.flatMap((l, i) => (l.startsWith('import ') ? [i] : []));
  if (importIdx.length === 0) throw new Error('subgraphs/index.ts has no import lines to extend');
  const spec = (l: string) => /from '([^']+)'/.exec(l)?.[1] ?? '';
  // Keep imports sorted by path, as the formatter wants them.
  const before = importIdx.find((i) => spec(lines[i]!) > `./${name}/index.ts`);
  lines.splice(before ?? importIdx.at(-1)! + 1, 0, importLine);
  const out = lines.join('\n');
  const array = /(export const subgraphModules\b[^=]*=\s*\[)([\s\S]*?)(\])/.exec(out);
  if (!array) throw new Error('subgraphs/index.ts: cannot find `export const subgraphModules = [ … ]`');
  const body = array[2]!;
  const multiLine = body.includes('\n');
  const trimmed = body.replace(/[\s,]*$/, '');
  const newBody = multiLine
    ? `${trimmed},\n  ${ident},\n`
    : trimmed.trim() === ''
      ? ident
      : `${trimmed}, ${ident}`;
  return out.slice(0, array.index) + array[1] + newBody + array[3] + out.slice(array.index + array[0].length);
}

/** Adds `{ "name": name }` to the `subgraphs` array of schema/subgraphs.json (a text edit: other entries untouched). */
export function registerInList(source: string, name: string): string {
  const parsed = JSON.parse(source) as { subgraphs?: unknown[] };
  if (!Array.isArray(parsed.subgraphs)) throw new Error('schema/subgraphs.json has no "subgraphs" array');
  const start = /"subgraphs"\s*:\s*\[/.exec(source);
  if (!start) throw new Error('schema/subgraphs.json: cannot find "subgraphs": [');
  // Find the array's closing bracket, skipping strings.
  let depth = 0;
  let inString = false;
  let end = -1;
  for (let i = start.index + start[0].length - 1; i < source.length; i++) {
    const c = source[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        end = i;
        break;
      }
    }
  }
  if (end < 0) throw new Error('schema/subgraphs.json: the "subgraphs" array is not closed');
  const inner = source.slice(start.index + start[0].length, end);
  const entry = `{ "name": "${name}" }`;
  const insert = inner.trim() === '' ? entry : `${inner.replace(/\s*$/, '')}, ${entry}`;
  const out = source.slice(0, start.index + start[0].length) + insert + source.slice(end);
  JSON.parse(out); // never write a broken list
  return out;
}

/** Template file -> where it goes. */
function targets(name: string): Array<[string, string]> {
  const dir = `subgraphs/${name}`;
  return [
    ['schema.graphql.tpl', `${dir}/schema.graphql`],
    ['codegen.json.tpl', `${dir}/codegen.json`],
    ['context.ts.tpl', `${dir}/context.ts`],
    ['client.ts.tpl', `${dir}/client.ts`],
    ['loaders.ts.tpl', `${dir}/loaders.ts`],
    ['resolvers.ts.tpl', `${dir}/resolvers.ts`],
    ['simulator.ts.tpl', `${dir}/simulator.ts`],
    ['index.ts.tpl', `${dir}/index.ts`],
    ['README.md.tpl', `${dir}/README.md`],
    ['test.ts.tpl', `test/${name}/${name}.test.ts`],
  ];
}

function step(message: string) {
  console.log(`• ${message}`);
}

async function main(args: string[]): Promise<number> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.chdir(root);
  const agencyAt = args.indexOf('--agency');
  const agency = agencyAt >= 0 ? args[agencyAt + 1] : undefined;
  if (agencyAt >= 0 && (agency === undefined || agency.trim() === '')) {
    console.error('--agency needs a display name, e.g. --agency "Naturvårdsverket"');
    return 2;
  }
  const positional = args.filter((a, i) => !a.startsWith('--') && !(agencyAt >= 0 && i === agencyAt + 1));
  if (positional.length > 1) {
    console.error(`Give one name, not ${positional.length}: npm run new-subgraph -- <name>`);
    return 2;
  }
  const name = positional[0];
  const problem = nameProblem(name, root);
  if (problem || name === undefined) {
    console.error(problem);
    return 2;
  }
  const values = spellings(name, agency);
  if (agency !== undefined && /['\\\n"]/.test(agency)) {
    console.error('--agency must not contain quotes, backslashes or line breaks.');
    return 2;
  }

  for (const [template, target] of targets(name)) {
    const text = fill(readFileSync(join(root, 'scripts/templates/subgraph', template), 'utf8'), values);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  step(`wrote subgraphs/${name}/ and test/${name}/${name}.test.ts`);

  writeFileSync(
    'subgraphs/index.ts',
    registerInIndex(readFileSync('subgraphs/index.ts', 'utf8'), values.ident, name),
  );
  writeFileSync('schema/subgraphs.json', registerInList(readFileSync('schema/subgraphs.json', 'utf8'), name));
  step('registered it in subgraphs/index.ts and schema/subgraphs.json');

  // Resolver types for this subgraph only (codegen.ts lists every folder; the others are left alone).
  const { generate } = await import('@graphql-codegen/cli');
  const { default: config } = (await import(pathToFileURL(join(root, 'codegen.ts')).href)) as {
    default: import('@graphql-codegen/cli').CodegenConfig;
  };
  const key = `subgraphs/${name}/generated/resolvers-types.ts`;
  const own = config.generates[key];
  if (!own) throw new Error(`codegen.ts did not pick up subgraphs/${name}/schema.graphql`);
  await generate({ ...config, generates: { [key]: own }, silent: true }, true);
  step(`generated ${key}`);

  // Formatting: the new files and the two edited lists, the way `npm run format` would.
  execFileSync(
    'npx',
    [
      'biome',
      'check',
      '--write',
      `subgraphs/${name}`,
      `test/${name}`,
      'subgraphs/index.ts',
      'schema/subgraphs.json',
    ],
    { stdio: 'inherit' },
  );
  // A fresh process, so that composition sees the new registration.
  execFileSync('npx', ['tsx', 'scripts/compose.ts'], { stdio: 'inherit' });
  step('composed schema/supergraph.graphql and schema/api-schema.graphql');
  // The README's configuration table lists every variable the code reads (a test checks it), and the
  // new subgraph reads <NAME>_API_URL: regenerate the table, again in a fresh process.
  execFileSync('npx', ['tsx', 'scripts/env-table.ts', '--write'], { stdio: 'inherit' });
  step(`added ${values.ENV}_API_URL to the configuration table in README.md`);

  console.log(`
Done. Next:
  1. Replace the EXAMPLE field and the PLACEHOLDER client in subgraphs/${name}/ with ${values.agency}'s API
     (then: npm run codegen && npm run compose).
  2. npx vitest run test/${name} test/contract.test.ts   # your tests + the contract every subgraph passes
  3. npm run check                                      # what your change means for clients
  4. Commit subgraphs/${name}/, test/${name}/, subgraphs/index.ts, schema/subgraphs.json, schema/*.graphql and README.md.
See docs/agency-guide.md.`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`new-subgraph failed: ${err instanceof Error ? err.message : String(err)}`);
      console.error(
        'Files written before the failure stay in place (subgraphs/<name>/, test/<name>/, the two lists): fix the cause and run the remaining steps (npm run codegen, npm run compose), or remove them and start again.',
      );
      process.exit(1);
    },
  );
}
