/**
 * Ranking municipalities and counties by population, income and open job ads (SCB and JobTech),
 * against the offline simulators: orders, `first`, values equal to the fields they rank by, and one
 * upstream data call per measure, several rankings in one query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
});
afterAll(() => gw.stop());

type Row = {
  rank: number;
  value?: number;
  jobAdCount?: number;
  municipality?: { code: string };
  county?: { code: string };
};

/** Upstream calls to `agency` made while `run` runs, whose URL contains `part`. */
async function callsDuring<T>(
  agency: string,
  part: string,
  run: () => Promise<T>,
): Promise<{ result: T; calls: number }> {
  const before = gw.events.length;
  const result = await run();
  const calls = gw.events
    .slice(before)
    .filter(
      (e) =>
        e.agency === agency &&
        (e.outcome === 'miss' || e.outcome === 'error') &&
        (e.url ?? '').includes(part),
    ).length;
  return { result, calls };
}

const ranks = (rows: Row[]) => rows.map((r) => r.rank);

describe('SCB rankings', () => {
  it("ranks a county's municipalities by population, largest first, with the municipalities' own figures", async () => {
    const body = await gw.query<{
      rankMunicipalities: Row[];
      county: { municipalities: Array<{ code: string; population: number }> };
    }>(`{
      rankMunicipalities(by: POPULATION, county: "01", first: 5) { rank value year municipality { code } }
      county(code: "01") { municipalities { code population } }
    }`);
    expect(body.errors).toBeUndefined();
    const rows = body.data!.rankMunicipalities;
    expect(ranks(rows)).toEqual([1, 2, 3, 4, 5]);
    const population = new Map(body.data!.county.municipalities.map((m) => [m.code, m.population]));
    const expected = [...population].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
    expect(rows.map((r) => [r.municipality!.code, r.value])).toEqual(expected);
  });

  it('ranks all 290 by median income, smallest first, in one SCB data request', async () => {
    const { result: body, calls } = await callsDuring('scb', '/data', () =>
      gw.query<{ rankMunicipalities: Row[] }>(
        '{ rankMunicipalities(by: MEDIAN_INCOME, order: ASC, first: 3, year: 2022) { rank value municipality { code } } }',
      ),
    );
    expect(body.errors).toBeUndefined();
    const rows = body.data!.rankMunicipalities;
    expect(rows).toHaveLength(3);
    expect(rows[0]!.value!).toBeLessThanOrEqual(rows[1]!.value!);
    expect(rows[1]!.value!).toBeLessThanOrEqual(rows[2]!.value!);
    expect(calls).toBe(1);
    const check = await gw.query<{ municipality: { income: { median: number } } }>(
      `{ municipality(code: "${rows[0]!.municipality!.code}") { income(year: 2022) { median } } }`,
    );
    expect(check.data!.municipality.income.median).toBe(rows[0]!.value);
  });

  it('ranks the 21 counties by population (Stockholm first) and takes `first`', async () => {
    const body = await gw.query<{ all: Row[]; top: Row[] }>(
      '{ all: rankCounties { rank value county { code } } top: rankCounties(first: 2) { county { code } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.all).toHaveLength(21);
    expect(body.data!.all[0]!.county!.code).toBe('01');
    expect(body.data!.top.map((r) => r.county!.code)).toEqual(
      body.data!.all.slice(0, 2).map((r) => r.county!.code),
    );
  });

  it('refuses a `first` out of range on that field only', async () => {
    const body = await gw.query<{ rankCounties: Row[] | null; county: { name: string } }>(
      '{ rankCounties(first: 0) { rank } county(code: "01") { name } }',
    );
    expect(body.data?.rankCounties).toBeNull();
    expect(body.data?.county.name).toBe('Stockholms län');
    expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/first must be an integer from 1 to 21/);
  });
});

describe('JobTech rankings', () => {
  it('ranks counties by open job ads in one JobTech call, matching County.jobAdCount', async () => {
    const { result: body, calls } = await callsDuring('jobtech', '/search', () =>
      gw.query<{ rankCountiesByJobAds: Row[] }>(
        '{ rankCountiesByJobAds(query: "utvecklare") { rank jobAdCount county { code } } }',
      ),
    );
    expect(body.errors).toBeUndefined();
    const rows = body.data!.rankCountiesByJobAds;
    expect(rows).toHaveLength(21);
    expect(calls).toBe(1);
    for (let i = 1; i < rows.length; i++)
      expect(rows[i - 1]!.jobAdCount!).toBeGreaterThanOrEqual(rows[i]!.jobAdCount!);
    const top = rows[0]!.county!.code;
    const check = await gw.query<{ county: { jobAdCount: number } }>(
      `{ county(code: "${top}") { jobAdCount(query: "utvecklare") } }`,
    );
    expect(check.data!.county.jobAdCount).toBe(rows[0]!.jobAdCount);
  });

  it("Sweden's top municipalities are one call; a county's fewest-first ranking is one call", async () => {
    const top = await callsDuring('jobtech', '/search', () =>
      gw.query<{ rankMunicipalitiesByJobAds: Row[] }>(
        '{ rankMunicipalitiesByJobAds(query: "säljare", first: 5) { rank jobAdCount municipality { code } } }',
      ),
    );
    expect(top.result.errors).toBeUndefined();
    expect(top.calls).toBe(1);
    expect(ranks(top.result.data!.rankMunicipalitiesByJobAds)).toEqual([1, 2, 3, 4, 5]);
    const fewest = await callsDuring('jobtech', '/search', () =>
      gw.query<{
        rankMunicipalitiesByJobAds: Row[];
        county: { municipalities: Array<{ code: string; jobAdCount: number }> };
      }>(
        `{ rankMunicipalitiesByJobAds(query: "kock", county: "01", order: ASC, first: 3) { jobAdCount municipality { code } } }`,
      ),
    );
    expect(fewest.result.errors).toBeUndefined();
    expect(fewest.calls).toBe(1);
    const counts = await gw.query<{
      county: { municipalities: Array<{ code: string; jobAdCount: number }> };
    }>('{ county(code: "01") { municipalities { code jobAdCount(query: "kock") } } }');
    const expected = counts
      .data!.county.municipalities.map((m) => [m.code, m.jobAdCount] as const)
      .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
      .slice(0, 3);
    expect(
      fewest.result.data!.rankMunicipalitiesByJobAds.map((r) => [r.municipality!.code, r.jobAdCount]),
    ).toEqual(expected);
  });
});

describe('several rankings in one query', () => {
  it('population, median income and job ads together: one data call per measure', async () => {
    const before = gw.events.length;
    const body = await gw.query<Record<string, Row[]>>(`{
      byPopulation: rankMunicipalities(by: POPULATION, county: "12", first: 3, year: 2022) { municipality { code } value }
      byIncome: rankMunicipalities(by: MEDIAN_INCOME, county: "12", first: 3, year: 2022) { municipality { code } value }
      byJobs: rankMunicipalitiesByJobAds(query: "sjuksköterska", county: "12", first: 3) { municipality { code } jobAdCount }
    }`);
    expect(body.errors).toBeUndefined();
    for (const k of ['byPopulation', 'byIncome', 'byJobs']) expect(body.data![k]).toHaveLength(3);
    const events = gw.events.slice(before).filter((e) => e.outcome === 'miss');
    expect(events.filter((e) => e.agency === 'scb' && (e.url ?? '').endsWith('/data'))).toHaveLength(2);
    expect(events.filter((e) => e.agency === 'jobtech')).toHaveLength(1);
  });
});
