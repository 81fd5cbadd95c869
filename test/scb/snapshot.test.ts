import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { fixture } from './helpers.ts';

/** The whole gateway in snapshot mode (recorded and marked-synthetic SCB answers, no network). */
describe('SCB through the gateway (snapshot mode)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('answers the contract query', async () => {
    const body = await gw.query(`{
      municipality(code: "0180") { population(year: 2024) }
      county(code: "01") { population(year: 2024) }
      statisticsTables(search: "befolkning") { id label }
    }`);
    expect(body.errors).toBeUndefined();
    const search = fixture('v2_tables_search_befolkning.json') as {
      tables: Array<{ id: string; label: string }>;
    };
    expect(body.data).toEqual({
      // SYNTHETIC values (v2_TAB638_data_population2024_*_synthetic.json).
      municipality: { population: 988500 },
      county: { population: 2454000 },
      statisticsTables: search.tables.map((t) => ({ id: t.id, label: t.label })),
    });
  });

  it('ranks the municipalities of a county by population (one SCB request for all 26)', async () => {
    const body = await gw.query<{
      county: { name: string; municipalities: Array<{ code: string; name: string; population: number }> };
    }>('{ county(code: "01") { name municipalities { code name population(year: 2024) } } }');
    expect(body.errors).toBeUndefined();
    const top = [...body.data!.county.municipalities].sort((a, b) => b.population - a.population).slice(0, 3);
    expect(top.map((m) => m.name)).toEqual(['Stockholm', 'Huddinge', 'Nacka']);
    expect(body.data!.county.municipalities).toHaveLength(26);
  });

  it('Sweden, latest population from the monthly CKM table, with its month and the noise note', async () => {
    const body = await gw.query(`{
      sweden { populationFigure { year population period table noisy } }
      statistics(table: "TAB638", selection: [
        { variable: "Region", values: ["00"] }, { variable: "Civilstand", values: ["OG"] },
        { variable: "Alder", values: ["0"] }, { variable: "Kon", values: ["1"] },
        { variable: "ContentsCode", values: ["BE0101N1"] }, { variable: "Tid", values: ["2024"] }]) {
        label updated attribution rows { value measure { unit } dimensions { code label } }
      }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({
      sweden: {
        populationFigure: {
          year: 2026,
          population: 10612000,
          period: '2026M04',
          table: 'TAB6471',
          noisy: true,
        },
      },
      statistics: {
        label: 'Folkmängd efter region, civilstånd, ålder, kön och år',
        updated: '2025-02-21T07:00:00Z',
        attribution: 'Källa: SCB',
        rows: [{ value: 50937, measure: { unit: 'antal personer' } }],
      },
    });
  });
});
