/**
 * The nearest station with a reading (`currentWeather`): found by searching outwards from the
 * point's latitude instead of measuring every station for every point. The answer must be the one a
 * scan of the whole list gives, ties (stations at the same spot) included: checked against that scan
 * for many points over a synthetic set of stations.
 */
import { describe, expect, it } from 'vitest';
import { haversineKm } from '../../kit/geo.ts';
import { createTrace } from '../../kit/upstream.ts';
import type { SmhiClient } from '../../subgraphs/smhi/client.ts';
import { createLoaders } from '../../subgraphs/smhi/loaders.ts';
import type { LatestHourSet, LatestReading } from '../../subgraphs/smhi/metobs.ts';

/** A deterministic pseudo-random sequence (the test must not vary between runs). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function readings(): LatestReading[] {
  const next = random(42);
  const out: LatestReading[] = [];
  for (let i = 0; i < 400; i++) {
    const latitude = 55 + next() * 14;
    const longitude = 11 + next() * 13;
    const value = next() < 0.2 ? null : Math.round(next() * 300) / 10 - 10;
    out.push({
      station: { id: String(i), name: `Station ${i}`, latitude, longitude } as LatestReading['station'],
      latest: { time: '2026-04-02T12:00:00Z', intervalStart: null, ref: null, value, quality: 'G' },
    });
  }
  // Two stations at the very same spot, and one with no reading at all.
  out.push({ ...out[10]!, station: { ...out[10]!.station, id: 'twin' } });
  out.push({ station: { ...out[20]!.station, id: 'silent' }, latest: null });
  return out;
}

/** What a scan of the whole list answers: the first station with a value at the smallest distance. */
function scan(list: LatestReading[], lat: number, lon: number) {
  let best: { id: string; distanceKm: number } | null = null;
  for (const r of list) {
    if (r.latest === null || r.latest.value === null) continue;
    const distanceKm = haversineKm(lat, lon, r.station.latitude, r.station.longitude);
    if (best === null || distanceKm < best.distanceKm) best = { id: r.station.id, distanceKm };
  }
  return best;
}

describe('nearest station with a reading', () => {
  it('is the station a scan of the whole list finds, for 500 points, ties included', async () => {
    const list = readings();
    const set: LatestHourSet = { parameter: 1, unit: null, updated: null, stations: list, unplaced: [] };
    const client = { latestHour: async () => set } as unknown as SmhiClient;
    const loaders = createLoaders(client, createTrace());
    const next = random(7);
    const points = Array.from({ length: 500 }, () => [54 + next() * 16, 10 + next() * 15] as const);
    // The twin's own spot: both stations are at distance 0, the one listed first must win.
    points.push([list[10]!.station.latitude, list[10]!.station.longitude]);
    for (const [lat, lon] of points) {
      const found = await loaders.nearestReading.load(`1|${lat},${lon}`);
      const expected = scan(list, lat, lon);
      expect(found && { id: found.reading.station.id, distanceKm: found.distanceKm }).toEqual(expected);
    }
  });

  it('is null when no station has a value', async () => {
    const list = readings().map((r) => ({ ...r, latest: null }));
    const set: LatestHourSet = { parameter: 1, unit: null, updated: null, stations: list, unplaced: [] };
    const loaders = createLoaders({ latestHour: async () => set } as unknown as SmhiClient, createTrace());
    expect(await loaders.nearestReading.load('1|59.3,18.1')).toBeNull();
  });
});
