import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

/**
 * The whole gateway in offline mode: every SCB field answered by the SCB simulator through the real
 * client (its clock is the real one: TAB6471 ends with the month before this month).
 */

const PLACES = ['0180', '2584', '1480', '1280', '0380', '2403']; // Stockholm, Kiruna, Göteborg, Malmö, Uppsala, Bjurholm

const REGION_FIELDS = `
  population(year: 2024)
  latest: population
  populationFigure(year: 2025) { year population period table noisy }
  populationHistory(from: 2020) { year population period table noisy }
  income { year mean median unit table }
  statistics(table: "TAB638", selection: [
    { variable: "Alder", values: ["tot", "65"] }, { variable: "Kon", values: ["1", "2"] },
    { variable: "ContentsCode", values: ["*"] }, { variable: "Tid", values: ["top(2)"] }]) {
    table label source updated notes mandatoryNotes attribution rowCount
    rows(limit: 20) { dimensions { variable variableLabel code label } region { code label } time measure { code label unit decimals } value }
  }
`;

/** Every leaf of a JSON value that is null, with its path (`status` is null wherever SCB gives no symbol). */
function nulls(value: unknown, path = ''): string[] {
  if (value === null) return path.endsWith('.status') ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulls(v, `${path}[${i}]`));
  if (typeof value === 'object')
    return Object.entries(value as object).flatMap(([k, v]) => nulls(v, `${path}.${k}`));
  return [];
}

describe('SCB through the gateway in offline mode (simulator)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
  });
  afterAll(() => gw.stop());

  it('every SCB field answers, non-null, for six municipalities, a county and Sweden; extensions.offline names SCB', async () => {
    const query = `{
      ${PLACES.map((code) => `m${code}: municipality(code: "${code}") { code ${REGION_FIELDS} }`).join('\n')}
      county(code: "25") { code ${REGION_FIELDS} largestMunicipalities(limit: 3) { rank population municipality { code } } }
      sweden { code ${REGION_FIELDS} }
      statisticsTables(search: "befolkning") { id label description timeUnit firstPeriod lastPeriod updated source subjectCode variableNames }
      statisticsTableSearch(search: "anställningar", pageSize: 5) { pageNumber pageSize totalElements totalPages tables { id } }
      statisticsTable(id: "TAB6471") { id label variables { code label elimination time measure values { code label } codelists { id label } } notes }
      statistics(table: "TAB3554", selection: [
        { variable: "Region", values: ["0180", "25"] }, { variable: "Kon", values: ["1+2"] }, { variable: "Alder", values: ["tot20+"] },
        { variable: "ContentsCode", values: ["HE0110J7", "HE0110J8"] }, { variable: "Tid", values: ["2022"] }]) {
        rowCount mandatoryNotes rows { region { code } value measure { unit } }
      }
    }`;
    const body = await gw.query<Record<string, Record<string, unknown>>>(query);
    expect(body.errors).toBeUndefined();
    expect(nulls(body.data)).toEqual([]);
    const data = body.data!;
    for (const code of PLACES) {
      const m = data[`m${code}`]!;
      expect(m['population']).toBeGreaterThan(1000);
      expect(m['populationFigure']).toMatchObject({ period: '2025M12', table: 'TAB6471', noisy: true });
      expect(m['income']).toMatchObject({ year: 2022, unit: 'tkr', table: 'TAB3554' });
      expect((m['statistics'] as { rowCount: number }).rowCount).toBe(16);
    }
    expect((data['m0180']!['population'] as number) > (data['m2584']!['population'] as number)).toBe(true);
    expect(
      (data['county']!['largestMunicipalities'] as Array<{ municipality: { code: string } }>)[0]!.municipality
        .code,
    ).toBe(
      '2580', // Luleå is Norrbotten's largest
    );
    expect((data['statisticsTables'] as unknown as unknown[]).length).toBe(10);
    const tab6471 = data['statisticsTable']!;
    expect((tab6471['notes'] as string[])[0]).toMatch(/Cell Key Method \(CKM\)/);
    expect(body.extensions?.['offline']).toMatchObject({
      mode: 'offline',
      agencies: { scb: { synthetic: true, note: expect.stringContaining('SCB PxWebApi 2.0 simulator') } },
    });
  }, 60_000);

  it('all 290 municipalities with their population in one query', async () => {
    const body = await gw.query<{
      counties: Array<{ municipalities: Array<{ code: string; population: number }> }>;
    }>('{ counties { municipalities { code population(year: 2024) } } }');
    expect(body.errors).toBeUndefined();
    const all = body.data!.counties.flatMap((c) => c.municipalities);
    expect(all).toHaveLength(290);
    expect(all.every((m) => Number.isInteger(m.population) && m.population > 1000)).toBe(true);
  }, 60_000);
});
