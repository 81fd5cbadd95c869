/**
 * Offline mode as a user meets it: `npm run demo` (UPSTREAM_MODE=offline) answers through the real
 * clients from the agency simulators, says so in every response and on the explorer page, and
 * OFFLINE_FAULTS makes one agency fail the way real APIs fail while the others keep answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

/** One field per agency that needs an upstream call, and the agency it belongs to. */
const PER_AGENCY = {
  scb: (d: Data) => d.municipality?.population,
  smhi: (d: Data) => d.municipality?.forecast,
  jobtech: (d: Data) => d.municipality?.jobAdCount,
  sgu: (d: Data) => d.municipality?.wellCount,
  lantmateriet: (d: Data) => d.place?.elevation,
} as const;

interface Data {
  municipality: {
    name: string;
    population: number | null;
    forecast: Array<{ airTemperature: number }> | null;
    jobAdCount: number | null;
    wellCount: number | null;
  } | null;
  place: { elevation: number | null; municipality: { name: string } } | null;
}

const ALL_AGENCIES = `{
  municipality(code: "0180") {
    name
    population(year: 2024)
    forecast(hours: 2) { airTemperature }
    jobAdCount
    wellCount
  }
  place(latitude: 59.8586, longitude: 17.6389) { elevation municipality { name } }
}`;

describe('npm run demo (offline mode)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
  });
  afterAll(() => gw.stop());

  it('answers a query over all five agencies and names them in extensions.offline', async () => {
    const body = await gw.query<Data>(ALL_AGENCIES);
    expect(body.errors).toBeUndefined();
    for (const [agency, pick] of Object.entries(PER_AGENCY)) expect(pick(body.data!), agency).not.toBeNull();
    const offline = body.extensions?.['offline'] as { mode: string; agencies: Record<string, unknown> };
    expect(offline.mode).toBe('offline');
    expect(Object.keys(offline.agencies).sort()).toEqual(['jobtech', 'lantmateriet', 'scb', 'sgu', 'smhi']);
    for (const source of Object.values(offline.agencies))
      expect(source).toEqual({ synthetic: expect.any(Boolean), note: expect.stringMatching(/\w/) });
  });

  it('names only the agencies a response used', async () => {
    const body = await gw.query('{ municipality(code: "0180") { name county { name } } }');
    expect(body.extensions?.['offline']).toEqual({ mode: 'offline', agencies: {} });
    const smhiOnly = await gw.query('{ municipality(code: "1280") { forecast(hours: 1) { time } } }');
    expect(Object.keys((smhiOnly.extensions!['offline'] as { agencies: object }).agencies)).toEqual(['smhi']);
  });

  it('the explorer shows an offline banner', async () => {
    const res = await fetch(`${gw.url}/`, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(html).toMatch(/class="explorer-offline"[^>]*>.*Offline mode/);
    expect(html).toMatch(/synthetic/);
  });
});

describe('snapshot mode is not offline mode', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('carries no extensions.offline and no banner', async () => {
    const body = await gw.query('{ municipality(code: "0180") { name } }');
    expect(body.extensions?.['offline']).toBeUndefined();
    const html = await (await fetch(`${gw.url}/`, { headers: { accept: 'text/html' } })).text();
    expect(html).not.toMatch(/explorer-offline/);
  });
});

describe('OFFLINE_FAULTS: one agency fails, the others answer', () => {
  const cases: Array<[keyof typeof PER_AGENCY, string, string]> = [
    ['scb', '500', 'UPSTREAM_UNAVAILABLE'],
    ['smhi', '429', 'UPSTREAM_RATE_LIMITED'],
    ['jobtech', 'refused', 'UPSTREAM_UNAVAILABLE'],
    ['sgu', 'malformed', 'UPSTREAM_BAD_RESPONSE'],
    ['lantmateriet', '503', 'UPSTREAM_UNAVAILABLE'],
  ];
  it.each(cases)(
    '%s=%s → %s on its fields only',
    async (agency, fault, code) => {
      const gw = await startTestGateway({
        env: { UPSTREAM_MODE: 'offline', OFFLINE_FAULTS: `${agency}=${fault}` },
      });
      try {
        const body = await gw.query<Data>(ALL_AGENCIES);
        expect(PER_AGENCY[agency](body.data!)).toBeNull();
        const errors = body.errors ?? [];
        expect(errors.length).toBeGreaterThan(0);
        for (const e of errors) expect(e.extensions, JSON.stringify(e)).toMatchObject({ code, agency });
        for (const [other, pick] of Object.entries(PER_AGENCY)) {
          if (other !== agency) expect(pick(body.data!), other).not.toBeNull();
        }
        expect(body.data!.municipality!.name).toBe('Stockholm');
      } finally {
        await gw.stop();
      }
    },
    30_000,
  );
});
