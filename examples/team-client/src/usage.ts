import { request } from './client';
import { Counties, MunicipalityOverview } from './queries';

/** What a team's code looks like: every field typed from the query, every variable checked. */
export async function describeMunicipality(endpoint: string, code: string): Promise<string> {
  const { data } = await request(endpoint, MunicipalityOverview, { code });
  const m = data.municipality;
  if (!m) return `No municipality ${code}`;
  const latitude: number = m.centroid.latitude;
  const county: string = m.county.name;
  return `${m.name} (${m.code}) in ${county}, ${latitude.toFixed(3)}°N`;
}

export async function countyCounts(endpoint: string): Promise<Record<string, number>> {
  const { data } = await request(endpoint, Counties);
  return Object.fromEntries(data.counties.map((c) => [c.name, c.municipalities.length]));
}

/** Compile-time checks: these lines must NOT type-check (tsc fails on an unused @ts-expect-error). */
export async function mistakesTheTypesCatch(endpoint: string) {
  const { data } = await request(endpoint, MunicipalityOverview, { code: '0180' });
  // @ts-expect-error: `population` was not asked for in the query
  data.municipality?.population;
  // @ts-expect-error: `code` is a String, not a number
  await request(endpoint, MunicipalityOverview, { code: 180 });
  // @ts-expect-error: the variable `code` is required
  await request(endpoint, MunicipalityOverview, {});
  // @ts-expect-error: `name` is a string, not a number
  const n: number = data.municipality?.name ?? 0;
  return n;
}
