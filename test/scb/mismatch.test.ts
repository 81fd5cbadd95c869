/**
 * An SCB answer that does not fit the request (another region, another year) is an error on the
 * fields that asked, never a null that reads as "SCB has no figure".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dataAnswer, entitiesQuery, type ScbHarness, scbHarness } from './helpers.ts';

let h: ScbHarness | undefined;
afterEach(async () => {
  await h?.runtime.close();
  await h?.scb.agent.close();
  h = undefined;
});

const twoMunicipalities = {
  r: [
    { __typename: 'Municipality', code: '0180' },
    { __typename: 'Municipality', code: '1480' },
  ],
};

type Selection = { variableCode: string; valueCodes: string[] };
const replace = (selection: Selection[], variable: string, codes: string[]) =>
  selection.map((s) => (s.variableCode === variable ? { ...s, valueCodes: codes } : s));

describe('an SCB answer that does not match the request', () => {
  it('missing one asked region: that region fails with UPSTREAM_BAD_RESPONSE naming it, the other answers', async () => {
    h = scbHarness({
      dataReply: (body, table) => ({
        status: 200,
        body: dataAnswer(table, replace(body.selection, 'Region', ['0180'])),
      }),
    });
    const result = await h.run(entitiesQuery('code population(year: 2024)'), twoMunicipalities);
    const entities = (result.data as { _entities: Array<{ population: number | null } | null> })._entities;
    expect(entities[0]!.population).toEqual(expect.any(Number));
    expect(entities[1]!.population).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.path).toEqual(['_entities', 1, 'population']);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', agency: 'scb' });
    expect(result.errors![0]!.message).toMatch(/does not match the request.*Region 1480/);
  });

  it('another year than asked: income is an error, not null mean and median', async () => {
    h = scbHarness({
      dataReply: (body, table) => ({
        status: 200,
        body: dataAnswer(table, replace(body.selection, 'Tid', ['2019'])),
      }),
    });
    const result = await h.run(entitiesQuery('income(year: 2022) { mean median }'), {
      r: [{ __typename: 'Municipality', code: '0180' }],
    });
    expect(result.data).toEqual({ _entities: [{ code: '0180', income: null }] });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', agency: 'scb' });
    expect(result.errors![0]!.message).toMatch(/no cell for Region 0180, ContentsCode \w+, Tid 2022/);
  });
});
