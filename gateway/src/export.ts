/**
 * Export: a GraphQL answer as a flat table (CSV), a map layer (GeoJSON) or JSON, for pandas, R,
 * Excel and QGIS. `GET /export?query=…&variables=…&format=csv|geojson|json[&path=…]` or by example
 * name, `GET /export/<example>.csv` (`.geojson`, `.json`). The operation runs through the same
 * pipeline as `/graphql` (client limits, cost analysis, deadlines); this module only shapes the
 * answer.
 *
 * Why our own flattening: the rules are small and specific to this graph — which list is "the"
 * table, dotted column names, and geometry from the embedded municipality and county outlines —
 * and a CSV writer is a few lines of RFC 4180 quoting.
 */
import { geography } from '../../kit/sweden.ts';

export type ExportFormat = 'csv' | 'geojson' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'geojson', 'json'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A GeoJSON geometry (not a type guard: an object that is not one is still a JsonObject). */
const isGeometry = (v: unknown): boolean =>
  isObject(v) && typeof v['type'] === 'string' && ('coordinates' in v || 'geometries' in v);

/** The rows to export: the list at `path` (dotted), else the longest list of objects in `data`. */
export function rowsOf(data: JsonObject, path?: string): { path: string; rows: JsonObject[] } {
  if (path) {
    let value: Json | undefined = data;
    for (const key of path.split('.')) value = isObject(value) ? value[key] : undefined;
    if (Array.isArray(value)) return { path, rows: value.filter(isObject) };
    if (isObject(value)) return { path, rows: [value] };
    throw new Error(`path=${JSON.stringify(path)} names no list or object in the answer`);
  }
  let best: { path: string; rows: JsonObject[] } | undefined;
  const visit = (value: Json, at: string) => {
    if (Array.isArray(value)) {
      const rows = value.filter(isObject);
      if (rows.length > 0 && rows.length === value.length && (!best || rows.length > best.rows.length))
        best = { path: at, rows };
      for (const item of value) visit(item, at);
    } else if (isObject(value) && !isGeometry(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, at ? `${at}.${k}` : k);
    }
  };
  visit(data, '');
  return best ?? { path: '', rows: [data] };
}

/**
 * One row as dotted columns: nested objects flatten (`county.name`), lists of values join with
 * "; ", lists of objects and geometries are kept as JSON text.
 */
export function flatten(row: JsonObject, prefix = '', out: Record<string, Json> = {}): Record<string, Json> {
  for (const [key, value] of Object.entries(row)) {
    const column = prefix ? `${prefix}.${key}` : key;
    if (isObject(value) && !isGeometry(value)) flatten(value, column, out);
    else if (Array.isArray(value))
      out[column] = value.every((v) => !isObject(v) && !Array.isArray(v))
        ? value.map((v) => (v === null ? '' : String(v))).join('; ')
        : JSON.stringify(value);
    else if (isGeometry(value)) out[column] = JSON.stringify(value);
    else out[column] = value;
  }
  return out;
}

/** Every column of flattened rows, in first-seen order (the CSV header, the table's columns). */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r)))];
}

/** RFC 4180 CSV, UTF-8, a header row of every column seen (in first-seen order), CRLF line ends. */
export function toCsv(rows: readonly JsonObject[]): string {
  const flat = rows.map((r) => flatten(r));
  const columns = columnsOf(flat);
  const cell = (v: Json | undefined) => {
    if (v === null || v === undefined) return '';
    const text = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [columns.map((c) => cell(c)).join(',')];
  for (const r of flat) lines.push(columns.map((c) => cell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The geometry of a row: a geometry it holds itself (`boundary`, `geometry`, …), else the outline (or
 * with `centroid`, the centre) of the municipality or county it names by `code` — its own, or a
 * nested `municipality`/`county` (ranking rows) — else a point from `latitude`/`longitude`.
 */
export function geometryOf(row: JsonObject, centroid: boolean): Json {
  for (const value of Object.values(row)) if (isGeometry(value)) return value as JsonObject;
  const { municipalities, counties } = geography();
  const codes: Array<[string, Json | undefined]> = [
    ['', row['code']],
    ['municipality', isObject(row['municipality']) ? row['municipality']['code'] : undefined],
    ['county', isObject(row['county']) ? row['county']['code'] : undefined],
  ];
  for (const [, code] of codes) {
    if (typeof code !== 'string') continue;
    const m = municipalities.get(code);
    if (m)
      return centroid
        ? { type: 'Point', coordinates: [m.centroid.longitude, m.centroid.latitude] }
        : (m.geometry as unknown as Json);
    const c = counties.get(code);
    if (c?.geometry && !centroid) return c.geometry as unknown as Json;
  }
  const point = (o: JsonObject): Json | undefined =>
    typeof o['latitude'] === 'number' && typeof o['longitude'] === 'number'
      ? { type: 'Point', coordinates: [o['longitude'], o['latitude']] }
      : undefined;
  const direct = point(row);
  if (direct) return direct;
  for (const value of Object.values(row)) {
    if (isObject(value)) {
      const nested = point(value);
      if (nested) return nested;
    }
  }
  return null;
}

/** A GeoJSON FeatureCollection: one feature per row, its flattened fields as properties. */
export function toGeoJson(rows: readonly JsonObject[], centroid: boolean): JsonObject {
  return {
    type: 'FeatureCollection',
    features: rows.map((row) => {
      const properties: JsonObject = {};
      for (const [k, v] of Object.entries(flatten(row))) {
        // Geometries are the feature's geometry, not a property (a JSON text column would be huge).
        if (typeof v === 'string' && v.startsWith('{"type":')) continue;
        properties[k] = v;
      }
      return { type: 'Feature', geometry: geometryOf(row, centroid), properties };
    }),
  };
}
