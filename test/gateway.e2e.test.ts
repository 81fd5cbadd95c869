import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { README_QUERY } from './helpers/readme-query.ts';

const recorded = JSON.parse(
  readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8'),
) as {
  timeSeries: Array<{ time: string; data: Record<string, number> }>;
};

describe('gateway in snapshot mode', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('answers the README query with the recorded SMHI values', async () => {
    const body = await gw.query<{
      municipality: { name: string; county: { name: string }; forecast: Array<Record<string, unknown>> };
    }>(README_QUERY);
    expect(body.errors).toBeUndefined();
    const m = body.data!.municipality;
    expect(m.name).toBe('Stockholm');
    expect(m.county.name).toBe('Stockholms län');
    // The recording starts at 11:00Z with 1-h steps: three hours = three steps, values as recorded.
    expect(m.forecast).toHaveLength(3);
    recorded.timeSeries.slice(0, 3).forEach((step, i) => {
      expect(m.forecast[i]).toEqual({
        validAt: step.time,
        airTemperature: step.data['air_temperature'],
        windSpeed: step.data['wind_speed'],
      });
    });
  });

  it('serves health and readiness', async () => {
    expect(await (await fetch(`${gw.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gw.url}/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks['supergraph']).toBe('loaded');
  });

  it('sends CORS headers and answers preflight', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'http://example.test', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it.each([
    ['999', /malformed/],
    ['abc', /malformed/],
    ['0000', /Unknown municipality/],
  ])('rejects municipality code %s with BAD_USER_INPUT and no upstream call', async (code, message) => {
    const before = gw.events.length;
    const body = await gw.query(`{ municipality(code: "${code}") { name forecast(hours: 3) { validAt } } }`);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(message);
    expect(gw.events.length).toBe(before);
  });

  it('rejects a latitude outside Sweden with BAD_USER_INPUT and no upstream call', async () => {
    const before = gw.events.length;
    const body = await gw.query(
      '{ place(latitude: 10, longitude: 18) { municipality { name } forecast(hours: 1) { time } } }',
    );
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(body.errors?.[0]?.message).toMatch(/latitude 55/);
    expect(gw.events.length).toBe(before);
  });

  it('names the missing recording when the snapshot has none', async () => {
    const body = await gw.query('{ municipality(code: "2480") { name forecast(hours: 1) { time } } }');
    expect(body.data).toEqual({ municipality: { name: 'Umeå', forecast: null } });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', agency: 'smhi' });
    expect(body.errors?.[0]?.message).toMatch(
      /No recorded smhi response for GET https:\/\/opendata-download-metfcst\.smhi\.se\/.*\/lon\/20\.\d+\/lat\/63\.\d+\/data\.json/,
    );
  });
});
