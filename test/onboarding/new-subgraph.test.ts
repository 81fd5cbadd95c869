import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_TABLE_HEADER, envTable, replaceEnvTable } from '../../scripts/env-table.ts';
import { nameProblem, registerInIndex, registerInList, spellings } from '../../scripts/new-subgraph.ts';
import { copyRepository, sh } from './temp-repo.ts';

const NAME = 'naturvardsverket';

describe('npm run new-subgraph: pieces', () => {
  it('spells a hyphenated name for identifiers and env vars', () => {
    expect(spellings('havs-och-vatten')).toEqual({
      name: 'havs-och-vatten',
      ident: 'havsOchVatten',
      Pascal: 'HavsOchVatten',
      ENV: 'HAVS_OCH_VATTEN',
      agency: 'Havs Och Vatten',
    });
  });

  it('adds one import (sorted) and one array entry to subgraphs/index.ts', () => {
    const source = [
      "import type { SubgraphModule } from './kit/subgraph.ts';",
      "import { smhi } from './smhi/index.ts';",
      '',
      'export const subgraphModules: readonly SubgraphModule[] = [smhi];',
      '',
    ].join('\n');
    expect(registerInIndex(source, 'naturvardsverket', 'naturvardsverket')).toBe(
      [
        "import type { SubgraphModule } from './kit/subgraph.ts';",
        "import { naturvardsverket } from './naturvardsverket/index.ts';",
        "import { smhi } from './smhi/index.ts';",
        '',
        'export const subgraphModules: readonly SubgraphModule[] = [smhi, naturvardsverket];',
        '',
      ].join('\n'),
    );
    const multi = "import { a } from './a/index.ts';\nexport const subgraphModules = [\n  a,\n  b,\n];\n";
    expect(registerInIndex(multi, 'zz', 'zz')).toBe(
      "import { a } from './a/index.ts';\nimport { zz } from './zz/index.ts';\nexport const subgraphModules = [\n  a,\n  b,\n  zz,\n];\n",
    );
  });

  it('adds one entry to schema/subgraphs.json, leaving the others as they are', () => {
    const source =
      '{\n  "$comment": "a [list] of \\"things\\"",\n  "subgraphs": [{ "name": "smhi", "url": "http://x/graphql" }]\n}\n';
    const out = registerInList(source, 'naturvardsverket');
    expect(out).toBe(
      '{\n  "$comment": "a [list] of \\"things\\"",\n  "subgraphs": [{ "name": "smhi", "url": "http://x/graphql" }, { "name": "naturvardsverket" }]\n}\n',
    );
  });

  it('regenerates only the README configuration table (npm run env:table -- --write)', () => {
    const readme = [
      '# Title',
      '',
      ENV_TABLE_HEADER,
      '|---|---|---|---|',
      '| `OLD` | — | x | y |',
      '',
      'After.',
    ].join('\n');
    const out = replaceEnvTable(readme, envTable());
    expect(out.startsWith('# Title\n\n| Variable |')).toBe(true);
    expect(out.endsWith('|\n\nAfter.')).toBe(true);
    expect(out).not.toContain('`OLD`');
    expect(out).toContain('| `PORT` | `4000` |');
    expect(() => replaceEnvTable('# no table\n', envTable())).toThrow(/no configuration table/);
  });

  it.each([
    [undefined, /Give the subgraph a name/],
    ['Naturvardsverket', /lower-case letters and digits/],
    ['natur_vardsverket', /lower-case letters and digits/],
    ['1scb', /starting with a letter/],
    ['kit', /reserved/],
    ['query', /reserved/],
    ['smhi', /exists already: subgraphs\/smhi\//],
  ])('rejects the name %s with a clear message', (name, message) => {
    expect(nameProblem(name, '.')).toMatch(message);
  });
});

describe('npm run new-subgraph: end to end in a temporary copy of the repository', () => {
  let repo: ReturnType<typeof copyRepository>;
  let scaffold: ReturnType<typeof sh>;
  beforeAll(() => {
    repo = copyRepository('new-subgraph-');
    scaffold = sh(repo.dir, 'npx', ['tsx', 'scripts/new-subgraph.ts', NAME, '--agency', 'Naturvårdsverket']);
  }, 240_000);
  afterAll(() => repo?.remove());

  const read = (file: string) => readFileSync(join(repo.dir, file), 'utf8');

  it('refuses bad names without writing anything', () => {
    for (const [args, message] of [
      [['Bad'], /lower-case/],
      [['kit'], /reserved/],
      [['lantmateriet'], /exists already/],
      [[], /Give the subgraph a name/],
    ] as const) {
      const r = sh(repo.dir, 'npx', ['tsx', 'scripts/new-subgraph.ts', ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);

  it('scaffolds the folder in the shape of the others and registers it', () => {
    expect(scaffold.status, scaffold.output).toBe(0);
    for (const file of [
      'schema.graphql',
      'codegen.json',
      'context.ts',
      'client.ts',
      'loaders.ts',
      'resolvers.ts',
      'index.ts',
      'README.md',
      'generated/resolvers-types.ts',
    ]) {
      expect(existsSync(join(repo.dir, 'subgraphs', NAME, file)), file).toBe(true);
    }
    expect(existsSync(join(repo.dir, 'test', NAME, `${NAME}.test.ts`))).toBe(true);
    const schema = read(`subgraphs/${NAME}/schema.graphql`);
    expect(schema).toContain('type Municipality @key(fields: "code")');
    expect(schema).toContain('naturvardsverketSummary: String @cacheControl(maxAge: 3600)');
    expect(read(`subgraphs/${NAME}/index.ts`)).toContain('NATURVARDSVERKET_API_URL: url(');
    expect(read(`subgraphs/${NAME}/index.ts`)).toContain("agency: 'Naturvårdsverket'");
    expect(read('subgraphs/index.ts')).toContain(`import { ${NAME} } from './${NAME}/index.ts';`);
    expect(read('subgraphs/index.ts')).toMatch(
      new RegExp(`subgraphModules[^=]*=\\s*\\[[^\\]]*\\b${NAME}\\b`),
    );
    const list = JSON.parse(read('schema/subgraphs.json')) as { subgraphs: Array<{ name: string }> };
    expect(list.subgraphs.at(-1)).toEqual({ name: NAME });
    expect(read('schema/supergraph.graphql')).toContain(`@join__graph(name: "${NAME}"`);
    expect(read('schema/api-schema.graphql')).toContain('naturvardsverketSummary: String');
    // A second run does not overwrite it.
    const again = sh(repo.dir, 'npx', ['tsx', 'scripts/new-subgraph.ts', NAME]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists already/);
  });

  it('passes the contract suite and its own generated tests as generated', () => {
    const r = sh(repo.dir, 'npx', [
      'vitest',
      'run',
      'test/contract.test.ts',
      `test/${NAME}`,
      '-t',
      `contract: ${NAME}|${NAME} subgraph`,
    ]);
    expect(r.status, r.output).toBe(0);
    // The contract tests of the new subgraph plus its 3 own tests ran, and none failed or was skipped
    // for another reason than the name filter.
    const passed = Number(/Tests\s+(\d+) passed/.exec(r.output)?.[1] ?? 0);
    expect(passed).toBeGreaterThanOrEqual(8);
    expect(r.output).not.toMatch(/\d+ failed/);
    expect(r.output).toMatch(/✓ test\/naturvardsverket\/naturvardsverket\.test\.ts \(3 tests\)/);
  }, 240_000);

  it('type-checks (tsc) and lints clean', () => {
    const tsc = sh(repo.dir, 'npx', ['tsc', '--noEmit', '--pretty', 'false']);
    // Only the files the scaffold wrote or edited: other subgraphs' work in progress is not its business.
    const ours = tsc.stdout
      .split('\n')
      .filter(
        (l) =>
          l.startsWith(`subgraphs/${NAME}/`) ||
          l.startsWith(`test/${NAME}/`) ||
          l.startsWith('subgraphs/index.ts'),
      );
    expect(ours).toEqual([]);
    const lint = sh(repo.dir, 'npx', [
      'biome',
      'ci',
      `subgraphs/${NAME}`,
      `test/${NAME}`,
      'subgraphs/index.ts',
      'schema/subgraphs.json',
    ]);
    expect(lint.status, lint.output).toBe(0);
  }, 240_000);

  it('keeps the repository-wide checks green: README configuration table, stale supergraph and generated types', () => {
    expect(read('README.md')).toContain(`| \`NATURVARDSVERKET_API_URL\` |`);
    const r = sh(repo.dir, 'npx', ['vitest', 'run', 'test/repo.test.ts', 'test/gateway/staleness.test.ts']);
    expect(r.status, r.output).toBe(0);
    expect(r.output).not.toMatch(/\d+ failed/);
  }, 240_000);

  it('answers its new field in offline mode (npm run demo) at once, marked synthetic', () => {
    const script = [
      "import { loadConfig } from './gateway/src/config.ts';",
      "import { createGatewayApp } from './gateway/src/server.ts';",
      "import { silentLogger } from './kit/logger.ts';",
      "const app = await createGatewayApp({ config: loadConfig({ UPSTREAM_MODE: 'offline', LOG_LEVEL: 'silent' }), logger: silentLogger });",
      "const url = await app.listen(0, '127.0.0.1');",
      `const res = await fetch(url + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ municipality(code: "0180") { ${NAME}Summary } }' }) });`,
      'console.log(JSON.stringify(await res.json()));',
      'await app.stop();',
    ].join('\n');
    writeFileSync(join(repo.dir, 'demo-check.mts'), script);
    const r = sh(repo.dir, 'npx', ['tsx', 'demo-check.mts']);
    expect(r.status, r.output).toBe(0);
    const body = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      data: { municipality: Record<string, string> };
      errors?: unknown;
      extensions: { offline: { agencies: Record<string, { synthetic: boolean }> } };
    };
    expect(body.errors).toBeUndefined();
    expect(body.data.municipality[`${NAME}Summary`]).toContain('Stockholm');
    expect(body.extensions.offline.agencies[NAME]?.synthetic).toBe(true);
  }, 120_000);

  it('npm run check shows what the new subgraph adds, against the last committed supergraph', () => {
    // The temp copy is no git checkout: make one whose last commit holds the supergraph from before
    // the scaffold (the real repository's), as a developer's checkout would.
    const scaffolded = read('schema/supergraph.graphql');
    const git = (...args: string[]) =>
      sh(repo.dir, 'git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args]);
    expect(git('init', '-q').status).toBe(0);
    writeFileSync(
      join(repo.dir, 'schema/supergraph.graphql'),
      readFileSync('schema/supergraph.graphql', 'utf8'),
    );
    expect(git('add', 'schema/supergraph.graphql').status).toBe(0);
    expect(git('commit', '-q', '-m', 'before the scaffold').status).toBe(0);
    writeFileSync(join(repo.dir, 'schema/supergraph.graphql'), scaffolded);
    const r = sh(repo.dir, 'npx', ['tsx', 'scripts/check.ts']);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('compared with schema/supergraph.graphql as last committed');
    expect(r.output).toMatch(/FIELD_ADDED: Municipality\.naturvardsverketSummary was added/);
    expect(r.output).not.toContain('No API changes');
    // The scaffold composed already: nothing is stale.
    expect(r.output).not.toContain('run "npm run compose"');
  }, 120_000);

  it('leaves the real repository alone', () => {
    expect(existsSync(join('subgraphs', NAME))).toBe(false);
    expect(readFileSync('subgraphs/index.ts', 'utf8')).not.toContain(NAME);
    expect(readFileSync('schema/subgraphs.json', 'utf8')).not.toContain(NAME);
    expect(readFileSync('README.md', 'utf8')).not.toContain('NATURVARDSVERKET_API_URL');
  });
});
