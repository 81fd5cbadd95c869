/**
 * The simulated collections: their queryable properties (types as the filters read them) and how a
 * query narrows the features to look at. A collection turns `filter` and `bbox` into a plan:
 * segments of candidate features (computed on demand) plus whatever part of the filter it could not
 * use to narrow them, which the service then evaluates feature by feature.
 */
import { inBBox } from '../../../kit/geo.ts';
import {
  allOf,
  confiningRegion,
  conjuncts,
  type Expr,
  type InstantRange,
  narrowRange,
  type PropType,
  pinnedValues,
  type Value,
} from './cql.ts';
import type { Geometry, Region } from './geometry.ts';
import {
  bedrockFeature,
  cellExists,
  cellOfObjectId,
  cellRange,
  GRIDS,
  type GridSpec,
  type MapFeature,
  soilFeature,
} from './maps.ts';
import {
  firstReadingFrom,
  levelOfRowId,
  readingProperties,
  type Station,
  stationAttributes,
  stations,
  visibleCount,
} from './stations.ts';
import { wellArchive, wellFeature, wellOfId } from './wells.ts';

export interface SimFeature {
  id: string;
  geometry: Geometry | null;
  properties: Record<string, Value>;
}

/** Candidate features, computed on demand. */
export interface Segment {
  count: number;
  get(i: number): SimFeature;
}

export interface Plan {
  segments: Segment[];
  /** Filter left to evaluate on each candidate (null: every candidate matches it). */
  residual: Expr | null;
  /** Area left to test each candidate against (null: none). */
  region: Region | null;
}

export interface Collection {
  id: string;
  title: string;
  description: string;
  /** `geom`, or null for a table without geometry (levels): such features have no `geometry_name`. */
  geometryName: string | null;
  geometryType: 'Point' | 'Polygon' | null;
  properties: Readonly<Record<string, PropType>>;
  plan(filter: Expr | null, region: Region | null, now: number): Plan;
  /** One feature by its id (`stationer.4086`), or null. */
  item(featureId: string, now: number): SimFeature | null;
}

const types = (spec: string): Record<string, PropType> => {
  const out: Record<string, PropType> = {};
  for (const part of spec.trim().split(/\s+/)) {
    const [name, t] = part.split(':') as [string, string];
    out[name] = t === 'n' ? 'number' : t === 'd' ? 'date' : 'string';
  }
  return out;
};

/** Values pinned for a property by the filter's conjuncts (intersection), or null when none. */
function pinned(parts: Expr[], prop: string): { values: Set<string> | null; rest: Expr[] } {
  let values: Set<string> | null = null;
  const rest: Expr[] = [];
  for (const p of parts) {
    const v = pinnedValues(p, prop);
    if (v === null) {
      rest.push(p);
      continue;
    }
    values = values === null ? new Set(v) : new Set(v.filter((x) => values!.has(x)));
  }
  return { values, rest };
}

const idNumber = (featureId: string, collection: string): number | null => {
  const m = new RegExp(`^${collection.replace(/[-]/g, '\\-')}\\.(\\d+)$`).exec(featureId);
  return m ? Number(m[1]) : null;
};

// ─── grundvattennivaer-observerade ──────────────────────────────────────────────────────────────

const STATION_PROPS =
  types(`rowid:n platsbeteckning obsplatsnamn provplatsid fdat:d tdat:d refniva:n hojdmetod
  hojdsystem rorhojd:n rorlangd:n akvifer akvifer_tx jordart jordart_tx genes_jord genes_jord_tx jord_ovan_jord
  jord_ovan_jord_tx jorddjup:n tecken_jorddjup idiam:n brunnsmtrl brunnsmtrl_tx borrhalslutning:n sillangd:n geohylag
  geohylag_tx kommunkod kommun lanskod lan eucd_gwb n:n e:n symbol_magasin symbol_paverkan stationsanmarkning kommentar`);

function stationFeature(s: Station, now: number): SimFeature {
  return {
    id: `stationer.${s.rowid}`,
    geometry: s.hidden ? null : { type: 'Point', coordinates: [s.lon, s.lat] },
    properties: stationAttributes(s, now),
  };
}

export const stationsCollection: Collection = {
  id: 'stationer',
  title: 'Grundvattennivåer, observationsstationer',
  description: "Stations of SGU's groundwater monitoring network (simulated)",
  geometryName: 'geom',
  geometryType: 'Point',
  properties: STATION_PROPS,
  plan(filter, region, now) {
    const parts = conjuncts(filter);
    const ids = pinned(parts, 'platsbeteckning').values;
    const codes = pinned(parts, 'kommunkod').values;
    const all = stations().list;
    const list =
      ids !== null
        ? all.filter((s) => ids.has(s.id))
        : codes !== null
          ? all.filter((s) => codes.has(s.municipality.code))
          : region !== null
            ? all.filter((s) => s.hidden || inBBox(region.envelope, s.lon, s.lat))
            : all;
    // Stations are few: the whole filter is evaluated on the candidates.
    return {
      segments: [{ count: list.length, get: (i) => stationFeature(list[i]!, now) }],
      residual: filter,
      region,
    };
  },
  item(featureId, now) {
    const rowid = idNumber(featureId, 'stationer');
    const s = rowid === null ? undefined : stations().list.find((x) => x.rowid === rowid);
    return s ? stationFeature(s, now) : null;
  },
};

const LEVEL_PROPS = types(`rowid:n platsbeteckning obsdatum:d grundvattenniva_m_urok:n grundvattenniva_m_o_h:n
  grundvattenniva_m_u_markyta:n metod_for_matning nivaanmarkning lastupdate:d`);

function levelFeature(s: Station, k: number, now: number): SimFeature {
  const properties = readingProperties(s, k, now);
  return { id: `nivaer.${properties['rowid']}`, geometry: null, properties };
}

export const levelsCollection: Collection = {
  id: 'nivaer',
  title: 'Grundvattennivåer, mätvärden',
  description: 'Measured groundwater levels per station (simulated)',
  geometryName: null,
  geometryType: null,
  properties: LEVEL_PROPS,
  plan(filter, _region, now) {
    const { values: ids, rest } = pinned(conjuncts(filter), 'platsbeteckning');
    const range: InstantRange = { from: -Infinity, fromInclusive: true, to: Infinity, toInclusive: true };
    const residual = rest.filter((p) => !narrowRange(range, p, 'obsdatum'));
    const all = stations().list;
    const list = ids === null ? all : all.filter((s) => ids.has(s.id));
    const segments = list.map((s): Segment => {
      const visible = visibleCount(s.series, now);
      const from = range.from === -Infinity ? 0 : firstReadingFrom(s.series, range.from, range.fromInclusive);
      const to =
        range.to === Infinity
          ? visible
          : Math.min(visible, firstReadingFrom(s.series, range.to, !range.toInclusive));
      return { count: Math.max(0, to - from), get: (i) => levelFeature(s, from + i, now) };
    });
    return { segments, residual: allOf(residual), region: null };
  },
  item(featureId, now) {
    const rowid = idNumber(featureId, 'nivaer');
    const found = rowid === null ? null : levelOfRowId(rowid);
    if (!found || found.k >= visibleCount(found.station.series, now)) return null;
    return levelFeature(found.station, found.k, now);
  },
};

// ─── brunnar ────────────────────────────────────────────────────────────────────────────────────

const WELL_PROPS =
  types(`obsplatsid brunnsid:n n:n e:n posvardering_kod:n posvardering kommunkod kommunnamn ort
  lage_specifikt borrdatum tecken_vattenmangd kapacitet:n tecken_niva grundvattenniva:n nivadatum:d bottendiam:n
  totaldjup:n tecken_jorddjup jorddjup:n rorborrning_till:n stalror_till:n plastror_till:n tatning_kod tatning
  anvandning_kod anvandning gradborrning:n allman_anmarkning grundvattenanmarkning`);

function wellSimFeature(ordinal: number, index: number): SimFeature {
  const w = wellFeature(ordinal, index);
  return { id: w.id, geometry: { type: 'Point', coordinates: [w.lon, w.lat] }, properties: w.properties };
}

export const wellsCollection: Collection = {
  id: 'brunnar',
  title: 'Brunnar',
  description: "Wells of SGU's well archive (Brunnsarkivet), simulated",
  geometryName: 'geom',
  geometryType: 'Point',
  properties: WELL_PROPS,
  plan(filter, region) {
    const archive = wellArchive();
    const parts = conjuncts(filter);
    // One well by its number or site id: a single candidate.
    const byNumber = pinned(parts, 'brunnsid');
    const bySite = pinned(byNumber.rest, 'obsplatsid');
    if (byNumber.values !== null || bySite.values !== null) {
      const wells = [
        ...(byNumber.values ?? []),
        ...[...(bySite.values ?? [])].map((v) => /-(\d+)$/.exec(v)?.[1] ?? ''),
      ]
        .map((v) => wellOfId(Number(v)))
        .filter((w) => w !== null);
      return {
        segments: wells.map((w) => ({ count: 1, get: () => wellSimFeature(w.ordinal, w.index) })),
        residual: filter,
        region,
      };
    }
    const byCode = pinned(parts, 'kommunkod');
    const byName = pinned(byCode.rest, 'kommunnamn');
    let ordinals = archive.municipalities.map((_, i) => i);
    if (byCode.values !== null)
      ordinals = ordinals.filter((o) => byCode.values!.has(archive.municipalities[o]!.code));
    if (byName.values !== null)
      ordinals = ordinals.filter((o) => byName.values!.has(archive.municipalities[o]!.name));
    if (region !== null) {
      const e = region.envelope;
      ordinals = ordinals.filter((o) => {
        const b = archive.municipalities[o]!.bbox;
        return b.minLon <= e.maxLon && e.minLon <= b.maxLon && b.minLat <= e.maxLat && e.minLat <= b.maxLat;
      });
    }
    return {
      segments: ordinals.map((o) => ({ count: archive.count(o), get: (i) => wellSimFeature(o, i) })),
      residual: allOf(byName.rest),
      region,
    };
  },
  item(featureId) {
    const id = idNumber(featureId, 'brunnar');
    const w = id === null ? null : wellOfId(id);
    return w ? wellSimFeature(w.ordinal, w.index) : null;
  },
};

// ─── soil and bedrock maps ──────────────────────────────────────────────────────────────────────

const SOIL_PROPS = types('jg2:n jg2_tx kartering karttyp:n symbol:n objectid:n geom_area:n geom_length:n');
const BEDROCK_PROPS = types(
  'bergart:n bergart_tx geo_enh_tx lito_n_tx tekt_n_tx b_prop_tx min_ss_tx kem_ss_tx geom_area:n objectid:n',
);

/** Existing cells of a row, cached per grid (rows of the whole map are asked for when paging without a box). */
const rowCache = new Map<string, number[]>();
function rowCells(g: GridSpec, r: number, c0: number, c1: number): number[] {
  const full = c0 === 0 && c1 === g.cols - 1;
  const key = `${g.name}:${r}`;
  if (full) {
    const hit = rowCache.get(key);
    if (hit) return hit;
  }
  const cols: number[] = [];
  for (let c = c0; c <= c1; c++) if (cellExists(g, r, c)) cols.push(c);
  if (full) rowCache.set(key, cols);
  return cols;
}

function mapCollection(
  id: string,
  title: string,
  description: string,
  g: GridSpec,
  properties: Record<string, PropType>,
  build: (g: GridSpec, r: number, c: number) => MapFeature,
): Collection {
  const feature = (r: number, c: number): SimFeature => build(g, r, c);
  return {
    id,
    title,
    description,
    geometryName: 'geom',
    geometryType: 'Polygon',
    properties,
    plan(filter, region) {
      const parts = conjuncts(filter);
      const byId = pinned(parts, 'objectid');
      if (byId.values !== null) {
        const cells = [...byId.values].map((v) => cellOfObjectId(g, Number(v))).filter((x) => x !== null);
        return {
          segments: cells.map(({ r, c }) => ({ count: 1, get: () => feature(r, c) })),
          residual: filter,
          region,
        };
      }
      // The area to look in: the bbox and any INTERSECTS/BBOX conjunct of the filter.
      let box = region?.envelope ?? null;
      for (const p of parts) {
        const confined = confiningRegion(p);
        if (!confined) continue;
        const e = confined.envelope;
        box =
          box === null
            ? e
            : {
                minLon: Math.max(box.minLon, e.minLon),
                minLat: Math.max(box.minLat, e.minLat),
                maxLon: Math.min(box.maxLon, e.maxLon),
                maxLat: Math.min(box.maxLat, e.maxLat),
              };
      }
      const range =
        box === null
          ? { r0: 0, r1: g.rows - 1, c0: 0, c1: g.cols - 1 }
          : box.minLon > box.maxLon || box.minLat > box.maxLat
            ? { r0: 0, r1: -1, c0: 0, c1: -1 }
            : cellRange(g, box);
      const segments: Segment[] = [];
      for (let r = range.r0; r <= range.r1; r++) {
        const cols = rowCells(g, r, range.c0, range.c1);
        if (cols.length > 0) segments.push({ count: cols.length, get: (i) => feature(r, cols[i]!) });
      }
      return { segments, residual: filter, region };
    },
    item(featureId) {
      const n = idNumber(featureId, id);
      const cell = n === null ? null : cellOfObjectId(g, n);
      return cell ? feature(cell.r, cell.c) : null;
    },
  };
}

export const soil25kCollection = mapCollection(
  'grundlager',
  'Jordarter 1:25 000–1:100 000, grundlager',
  'Soil map base layer (simulated; no coverage north of 65.1° N)',
  GRIDS.soil25k,
  SOIL_PROPS,
  soilFeature,
);

export const soil250kCollection = mapCollection(
  'grundlager',
  'Jordarter 1:250 000, grundlager',
  'Soil map base layer at 1:250 000 (simulated)',
  GRIDS.soil250k,
  SOIL_PROPS,
  soilFeature,
);

export const bedrockCollection = mapCollection(
  'geologisk-enhet-yta',
  'Berggrund 1:50 000–1:250 000, geologisk enhet (yta)',
  'Bedrock units (simulated)',
  GRIDS.bedrock,
  BEDROCK_PROPS,
  bedrockFeature,
);

/** The datasets the simulator serves, by the slug under SGU_API_URL. */
export const DATASETS: Readonly<Record<string, { title: string; collections: Collection[] }>> = {
  'grundvattennivaer-observerade': {
    title: 'Grundvattennivåer, observerade',
    collections: [stationsCollection, levelsCollection],
  },
  brunnar: { title: 'Brunnar', collections: [wellsCollection] },
  'jordarter25k-100k': { title: 'Jordarter 1:25 000–1:100 000', collections: [soil25kCollection] },
  jordarter250k: { title: 'Jordarter 1:250 000', collections: [soil250kCollection] },
  'berggrund50k-250k': { title: 'Berggrund 1:50 000–1:250 000', collections: [bedrockCollection] },
};
