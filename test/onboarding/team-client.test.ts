/**
 * Typed clients for teams (examples/team-client): graphql-codegen's client preset runs against the
 * graph's API schema into a temp dir, the example's usage file type-checks with tsc (including lines
 * that must NOT type-check), a query the schema does not allow fails codegen, and the generated
 * client answers against the real gateway (snapshot mode).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamClientConfig } from '../../examples/team-client/codegen.ts';
import { writeApiSchema } from '../../scripts/api-schema.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { sh } from './temp-repo.ts';

describe('typed team client (examples/team-client)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'team-client-'));
    cpSync('examples/team-client/src', join(dir, 'src'), { recursive: true });
    cpSync('examples/team-client/tsconfig.json', join(dir, 'tsconfig.json'));
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
    await generate({ ...teamClientConfig(dir), silent: true }, true);
  }, 120_000);
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('generates from an API schema that matches the checked-in supergraph', () => {
    expect(writeApiSchema({ check: true })).toEqual({
      ok: true,
      message: 'schema/api-schema.graphql is up to date.',
    });
  });

  it('type-checks the usage file against the generated types, and the types catch mistakes', () => {
    const tsc = sh(dir, 'npx', ['tsc', '-p', 'tsconfig.json', '--pretty', 'false']);
    // usage.ts has four @ts-expect-error lines: were the types `any`, each would be an error here.
    expect(tsc.output).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  it('rejects a query the graph does not have when generating', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'team-client-bad-'));
    try {
      cpSync(join(dir, 'src'), join(bad, 'src'), { recursive: true });
      writeFileSync(
        join(bad, 'src/wrong.ts'),
        'import { graphql } from \'../generated\';\nexport const Wrong = graphql(`query Wrong { municipality(code: "0180") { nonsenseField } }`);\n',
      );
      await expect(generate({ ...teamClientConfig(bad), silent: true }, true)).rejects.toThrow(
        /nonsenseField/,
      );
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  }, 120_000);

  it("generates the same types from a running gateway's URL as from the schema file", async () => {
    const gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
    const fromUrl = mkdtempSync(join(tmpdir(), 'team-client-url-'));
    try {
      cpSync('examples/team-client/src', join(fromUrl, 'src'), { recursive: true });
      const config = teamClientConfig(fromUrl, `${gw.url}/graphql`);
      // A URL is introspected, not resolved as a path under the current directory.
      expect(config.schema).toBe(`${gw.url}/graphql`);
      await generate({ ...config, silent: true }, true);
      const read = (root: string) => readFileSync(join(root, 'generated/graphql.ts'), 'utf8');
      expect(read(fromUrl)).toBe(read(dir));
    } finally {
      await gw.stop();
      rmSync(fromUrl, { recursive: true, force: true });
    }
  }, 120_000);

  it('answers through the gateway with the typed result', async () => {
    const gw = await startTestGateway();
    try {
      // Imported from the temp dir (its generated/ exists only there); typed by hand for that reason.
      const usage = (await import(pathToFileURL(join(dir, 'src/usage.ts')).href)) as {
        describeMunicipality(endpoint: string, code: string): Promise<string>;
        countyCounts(endpoint: string): Promise<Record<string, number>>;
      };
      expect(await usage.describeMunicipality(`${gw.url}/graphql`, '0180')).toMatch(
        /^Stockholm \(0180\) in Stockholms län, 59\.\d{3}°N$/,
      );
      const counts = await usage.countyCounts(`${gw.url}/graphql`);
      expect(Object.keys(counts)).toHaveLength(21);
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(290);
    } finally {
      await gw.stop();
    }
  });
});
