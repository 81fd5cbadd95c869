/**
 * The real SGU client against the simulator through the kit's OfflineDispatcher: every client method,
 * `next` links followed, and the statuses the simulator (or an injected fault) answers mapped to
 * the kit's errors.
 */
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { codeForUpstream, UpstreamError } from '../../kit/errors.ts';
import { haversineKm } from '../../kit/geo.ts';
import { silentLogger } from '../../kit/logger.ts';
import { ogcFeatures } from '../../kit/ogc.ts';
import { OfflineDispatcher, type OfflineFaults } from '../../kit/simulator.ts';
import { createTrace, createUpstream, type Upstream } from '../../kit/upstream.ts';
import { createSguClient, SERVICES } from '../../subgraphs/sgu/client.ts';
import { wellArchive } from '../../subgraphs/sgu/simulator/wells.ts';
import { BASE, DAY, NOW, newSimulator } from './simulator-helpers.ts';

const opened: Upstream[] = [];
afterEach(async () => {
  for (const u of opened.splice(0)) await u.close();
});

function offlineUpstream(faults: OfflineFaults = {}): Upstream {
  const up = createUpstream({
    agency: 'sgu',
    baseUrl: BASE,
    cache: new Keyv(),
    logger: silentLogger,
    mode: 'offline',
    dispatcher: new OfflineDispatcher({ simulators: [newSimulator()], faults, now: () => NOW }),
    now: () => NOW,
    sleep: async () => {},
    random: () => 0,
  });
  opened.push(up);
  return up;
}

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 10)}T00:00:00+00:00`;

describe('the SGU client against the simulator', () => {
  it('stationsByIds batches ids into one request and finds each', async () => {
    const client = createSguClient(offlineUpstream());
    const trace = createTrace();
    const found = await client.stationsByIds(['95_2', '74_3', '96_4', 'nope_1'], trace);
    expect(found.map((s) => s.id).sort()).toEqual(['74_3', '95_2', '96_4']);
    expect(found.find((s) => s.id === '95_2')).toMatchObject({
      name: 'Lagga_2',
      municipalityCode: '0330',
      countyCode: '03',
      countyName: 'Uppsala län',
      location: { latitude: 59.721085, longitude: 17.804123 },
      heightSystem: 'RH 2000',
    });
    expect(trace.upstreamCalls).toBe(1);
  });

  it('stationsInMunicipality: every station of the municipality, and only those', async () => {
    const client = createSguClient(offlineUpstream());
    for (const code of ['0180', '2584', '1480', '1280', '0380', '2403']) {
      const listing = await client.stationsInMunicipality(code);
      expect(listing!.items.length, code).toBeGreaterThan(1);
      expect(listing!.truncated).toBe(false);
      for (const s of listing!.items) expect(s.municipalityCode).toBe(code);
    }
    const stockholm = await client.stationsInMunicipality('0180');
    expect(stockholm!.items.map((s) => s.id)).toEqual(expect.arrayContaining(['74_3', '74_7', '81_2']));
  });

  it('stationsNear: the bbox around a point holds stations, some within the radius', async () => {
    const client = createSguClient(offlineUpstream());
    const near = (await client.stationsNear(59.8586, 17.6389, 25))!;
    const ids = near.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['96_4', '96_9', '95_2']));
    expect(ids).not.toContain('97_1'); // no position: a bbox cannot match it
    const inside = near.filter(
      (s) => s.location && haversineKm(59.8586, 17.6389, s.location.latitude, s.location.longitude) <= 25,
    );
    expect(inside.length).toBeGreaterThan(2);
  });

  it('levels: ordered readings within the range; a long range follows next links over several pages', async () => {
    const client = createSguClient(offlineUpstream());
    const from = NOW - 60 * DAY;
    const to = NOW - 30 * DAY;
    const month = (await client.levels('74_3', iso(from), iso(to)))!;
    expect(month.items).toHaveLength(30);
    expect(month.truncated).toBe(false);
    for (const l of month.items) {
      expect(Date.parse(l.date)).toBeGreaterThanOrEqual(Date.parse(iso(from)));
      expect(Date.parse(l.date)).toBeLessThan(Date.parse(iso(to)));
      expect(l.metersAboveSeaLevel).toEqual(expect.any(Number));
    }
    const trace = createTrace();
    const long = (await client.levels('81_2', '2020-01-01T00:00:00+00:00', null, trace))!;
    expect(trace.upstreamCalls).toBeGreaterThanOrEqual(3); // limit=1000 pages, next links followed
    expect(long.items.length).toBeGreaterThan(2000);
    expect(long.truncated).toBe(false);
    const dates = long.items.map((l) => Date.parse(l.date));
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    expect(NOW - dates.at(-1)!).toBeLessThan(3 * DAY);
  });

  it('wells and wellCount: the municipality’s wells in order, and numberMatched as the count', async () => {
    const client = createSguClient(offlineUpstream());
    const a = wellArchive();
    for (const code of ['0180', '2584', '2403']) {
      expect(await client.wellCount(code)).toBe(a.count(a.ordinalOf.get(code)!));
    }
    const wells = (await client.wells('0180', 120))!;
    expect(wells.items).toHaveLength(120);
    expect(wells.truncated).toBe(true);
    expect(new Set(wells.items.map((w) => w.id)).size).toBe(120);
    for (const w of wells.items) {
      expect(w.municipalityCode).toBe('0180');
      expect(w.location).not.toBeNull();
      expect(w.depth).toBeGreaterThan(0);
    }
  });

  it('soilAt and bedrockAt: the polygon containing the point, 250k north of 65.1° N', async () => {
    const client = createSguClient(offlineUpstream());
    const uppsala = (await client.soilAt(59.8586, 17.6389))!;
    expect(uppsala).toMatchObject({
      map: 'JORDARTER_25K_100K',
      name: expect.any(String),
      code: expect.any(Number),
    });
    expect(uppsala.featureId).toMatch(/^grundlager\.\d+$/);
    const kiruna = (await client.soilAt(67.8558, 20.2253))!;
    expect(kiruna.map).toBe('JORDARTER_250K');
    const rock = (await client.bedrockAt(57.6348, 18.2948))!; // Visby: Silurian limestone and marl
    expect(rock).toMatchObject({ tectonicUnit: expect.any(String), code: expect.any(String) });
    expect(['Kalksten', 'Märgelsten']).toContain(rock.name);
    for (const [lat, lon] of [
      [55.605, 13.0038],
      [59.3293, 18.0686],
      [63.8258, 20.263],
      [65.5848, 22.1547],
    ] as const) {
      expect(await client.soilAt(lat, lon), `${lat},${lon}`).not.toBeNull();
      expect(await client.bedrockAt(lat, lon), `${lat},${lon}`).not.toBeNull();
    }
  });
});

describe('statuses the simulator answers, as the client sees them', () => {
  it('400 for a bad filter: HTTP_STATUS 400 → UPSTREAM_BAD_RESPONSE', async () => {
    const service = ogcFeatures(offlineUpstream(), SERVICES.wells);
    const err = await service.items('brunnar', { filter: "kommunkod = '0180' AND" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(400);
    expect(codeForUpstream(err as UpstreamError)).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('404: null for an unknown feature ("no such thing"), an error for an unknown collection', async () => {
    const service = ogcFeatures(offlineUpstream(), SERVICES.groundwater);
    expect(await service.items('kallor', { limit: 1 }).catch((e: Error) => e.message)).toMatch(
      /HTTP 404 for .*\/collections\/kallor\/items/,
    );
    expect(await service.item('stationer', 'stationer.1')).toBeNull();
    expect((await service.item('stationer', 'stationer.4086'))?.properties['obsplatsnamn']).toBe('Lagga_2');
    expect((await service.collections())?.map((c) => c.id)).toEqual(['stationer', 'nivaer']);
  });

  it.each([
    [429, 'UPSTREAM_RATE_LIMITED'],
    [500, 'UPSTREAM_UNAVAILABLE'],
    [503, 'UPSTREAM_UNAVAILABLE'],
  ] as const)('an injected %i (OFFLINE_FAULTS) maps to %s', async (status, code) => {
    const client = createSguClient(offlineUpstream({ sgu: { kind: 'status', status } }));
    const err = await client.wellCount('0180').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(codeForUpstream(err as UpstreamError)).toBe(code);
  });
});
