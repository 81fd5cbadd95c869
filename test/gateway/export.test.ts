/**
 * /export: a GraphQL answer as CSV, GeoJSON or JSON, by query or by example name, under the same
 * limits as /graphql; plus the flattening and CSV quoting rules themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatten, geometryOf, rowsOf, toCsv } from '../../gateway/src/export.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const COUNTY =
  '{ county(code: "01") { name municipalities { code name population(year: 2024) county { name } } } }';

/** A minimal RFC 4180 reader for the checks below (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('export shaping', () => {
  it('flattens nested objects to dotted columns and joins lists of values', () => {
    expect(
      flatten({ code: '0180', county: { name: 'Stockholms län', code: '01' }, tags: ['a', 'b'], n: null }),
    ).toEqual({
      code: '0180',
      'county.name': 'Stockholms län',
      'county.code': '01',
      tags: 'a; b',
      n: null,
    });
  });

  it('quotes what RFC 4180 says to quote, and round-trips', () => {
    const rows = [
      { name: 'Malung-Sälen', note: 'has "quotes", a comma' },
      { name: 'Line\nbreak', note: null },
    ];
    const csv = toCsv(rows);
    expect(csv.split('\r\n')[0]).toBe('name,note');
    expect(parseCsv(csv)).toEqual([
      ['name', 'note'],
      ['Malung-Sälen', 'has "quotes", a comma'],
      ['Line\nbreak', ''],
    ]);
  });

  it('picks the longest list of objects, or the one `path` names', () => {
    const data = { a: { list: [{ x: 1 }, { x: 2 }] }, b: [{ y: 1 }] };
    expect(rowsOf(data).path).toBe('a.list');
    expect(rowsOf(data, 'b').rows).toEqual([{ y: 1 }]);
    expect(() => rowsOf(data, 'nope')).toThrow(/names no list/);
  });

  it("takes a row's geometry from its municipality or county code, or its coordinates", () => {
    expect((geometryOf({ code: '0180' }, false) as { type: string }).type).toMatch(/Polygon/);
    expect(geometryOf({ municipality: { code: '0180' } }, true)).toMatchObject({ type: 'Point' });
    expect(geometryOf({ name: 'x', latitude: 59.3, longitude: 18.1 }, false)).toEqual({
      type: 'Point',
      coordinates: [18.1, 59.3],
    });
    expect(geometryOf({ name: 'nowhere' }, false)).toBeNull();
  });
});

describe('GET /export', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline', MAX_QUERY_COST: '5000' } });
  });
  afterAll(() => gw.stop());
  const get = (path: string) => fetch(`${gw.url}${path}`);

  it("a county's municipalities as CSV: one row each, dotted columns, the same values as /graphql", async () => {
    const res = await get(`/export?format=csv&query=${encodeURIComponent(COUNTY)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="export.csv"');
    expect(res.headers.get('x-export-path')).toBe('county.municipalities');
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(['code', 'name', 'population', 'county.name']);
    expect(rows).toHaveLength(27);
    const graph = await gw.query<{ county: { municipalities: Array<{ code: string; population: number }> } }>(
      COUNTY,
    );
    const population = new Map(graph.data!.county.municipalities.map((m) => [m.code, String(m.population)]));
    for (const [code, , pop, county] of rows.slice(1)) {
      expect(pop).toBe(population.get(code!));
      expect(county).toBe('Stockholms län');
    }
  });

  it('GeoJSON: outlines from the embedded geography (or centroids), values as properties', async () => {
    const res = await get(`/export?format=geojson&query=${encodeURIComponent(COUNTY)}`);
    expect(res.headers.get('content-type')).toBe('application/geo+json; charset=utf-8');
    const fc = (await res.json()) as {
      type: string;
      features: Array<{ geometry: { type: string }; properties: Record<string, unknown> }>;
    };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(26);
    expect(fc.features.every((f) => /Polygon/.test(f.geometry.type))).toBe(true);
    expect(fc.features.find((f) => f.properties['code'] === '0180')?.properties['name']).toBe('Stockholm');
    const points = (await (
      await get(`/export?format=geojson&geometry=centroid&query=${encodeURIComponent(COUNTY)}`)
    ).json()) as { features: Array<{ geometry: { type: string } }> };
    expect(points.features.every((f) => f.geometry.type === 'Point')).toBe(true);
  });

  it('exports an example by name, with its variables', async () => {
    const res = await get('/export/municipality-at-a-glance.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="municipality-at-a-glance.json"',
    );
    const body = (await res.json()) as { rows: unknown[] };
    expect(body.rows.length).toBeGreaterThan(0);
    expect((await get('/export/no-such-example.csv')).status).toBe(404);
  });

  it('says what is allowed when the request is wrong', async () => {
    const badFormat = await get(`/export?format=xlsx&query=${encodeURIComponent(COUNTY)}`);
    expect(badFormat.status).toBe(400);
    expect(JSON.stringify(await badFormat.json())).toContain('use one of csv, geojson, json');
    const badVariables = await get(`/export?variables=nope&query=${encodeURIComponent(COUNTY)}`);
    expect(badVariables.status).toBe(400);
    expect(JSON.stringify(await badVariables.json())).toContain('must be a JSON object');
    expect((await get('/export')).status).toBe(400);
    expect((await fetch(`${gw.url}/export`, { method: 'POST' })).status).toBe(405);
  });

  it('runs under the same limits as /graphql: an expensive query is refused before any agency call', async () => {
    const res = await get(`/export?query=${encodeURIComponent('{ municipalities { code wellCount } }')}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('QUERY_TOO_EXPENSIVE');
  });
});

describe('GET /export with a failing agency', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline', OFFLINE_FAULTS: 'scb=500' } });
  });
  afterAll(() => gw.stop());

  it('exports what came back and says how many errors there were', async () => {
    const res = await fetch(`${gw.url}/export?query=${encodeURIComponent(COUNTY)}`);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-graphql-errors'))).toBeGreaterThan(0);
    const rows = parseCsv(await res.text());
    expect(rows).toHaveLength(27);
    expect(rows.slice(1).every((r) => r[1] !== '' && r[2] === '')).toBe(true);
  });
});
