import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

// The snapshot's (synthetic) latest-hour data has only Stockholm/Uppsala-area stations.
describe('currentWeather only reports stations within withinKm', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('answers near a station', async () => {
    const body = await gw.query(
      '{ place(latitude: 59.3293, longitude: 18.0686) { currentWeather { airTemperature distanceKm } } }',
    );
    expect(body.errors).toBeUndefined();
    const cw = (body.data as { place: { currentWeather: { airTemperature: number; distanceKm: number } } })
      .place.currentWeather;
    expect(cw.airTemperature).toBe(2.4);
    expect(cw.distanceKm).toBeLessThan(50);
  });

  it('is null (no such thing), rather than a reading from hundreds of km away or an object of nulls', async () => {
    const body = await gw.query(
      '{ place(latitude: 67.8558, longitude: 20.2253) { currentWeather { airTemperature station { id } distanceKm observations { parameter { id } } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect((body.data as { place: unknown }).place).toEqual({ currentWeather: null });
  });

  it('with a station in range: the object, with the parameters nobody reported null', async () => {
    const body = await gw.query(
      '{ place(latitude: 59.3293, longitude: 18.0686) { currentWeather(withinKm: 5) { airTemperature observations { parameter { id } } } } }',
    );
    expect(body.errors).toBeUndefined();
    const cw = (body.data as { place: { currentWeather: { observations: unknown[] } | null } }).place
      .currentWeather;
    // Within 5 km of central Stockholm something reports (else this test says nothing): not null.
    expect(cw?.observations.length).toBeGreaterThan(0);
  });

  it('reaches farther when asked', async () => {
    const body = await gw.query(
      '{ place(latitude: 67.8558, longitude: 20.2253) { currentWeather(withinKm: 500) { airTemperature } } }',
    );
    expect(body.errors).toBeUndefined();
    // Still nothing: the nearest synthetic station is ~800 km south.
    expect((body.data as { place: { currentWeather: unknown } }).place.currentWeather).toBeNull();
  });

  it('rejects withinKm outside 1–500 before any upstream call', async () => {
    const before = gw.events.length;
    const body = await gw.query(
      '{ place(latitude: 59.3293, longitude: 18.0686) { currentWeather(withinKm: 1000) { airTemperature } } }',
    );
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'smhi' });
    expect(body.errors?.[0]?.message).toMatch(/1 to 500 km/);
    expect(gw.events.length).toBe(before);
  });
});

describe('currentWeather when SMHI fails', () => {
  it('is null WITH a typed error on its path, never null alone', async () => {
    const gw = await startTestGateway({
      env: { UPSTREAM_MODE: 'offline', OFFLINE_FAULTS: 'smhi=500' },
    });
    try {
      const body = await gw.query(
        '{ municipality(code: "0180") { name currentWeather { airTemperature } } }',
      );
      expect(body.data).toEqual({ municipality: { name: 'Stockholm', currentWeather: null } });
      expect(body.errors?.map((e) => [e.path, e.extensions?.['code'], e.extensions?.['agency']])).toEqual([
        [['municipality', 'currentWeather'], 'UPSTREAM_UNAVAILABLE', 'smhi'],
      ]);
    } finally {
      await gw.stop();
    }
  });
});
