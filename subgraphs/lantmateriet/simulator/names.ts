import { distanceToBBoxKm, pointInPolygon } from '../../../kit/geo.ts';
import { seededRandom } from '../../../kit/simulator.ts';
import type { MunicipalityRecord } from '../../../kit/sweden.ts';
import { type Sweref, toSweref, toWgs84 } from '../coords.ts';
import type { SimGeography } from './geography.ts';
import type { Terrain } from './terrain.ts';
import { between, fold, pick } from './util.ts';

/**
 * The place-name register the simulated Ortnamn Direkt v2.2 searches.
 *
 * Real names (values from the repository):
 * - the 290 municipality names (SCB's official names, `kit/data/official-names.json`) as "Tätort" at
 *   each municipality's representative point (`kit/data/swedish_municipalities.geojson`) — the point
 *   is inside the municipality but is not where the town lies;
 * - the 21 county names ("Norrbottens län") as "Trakt" at the representative point of the county's
 *   most central municipality;
 * - "Abisko" (Kiruna) with the types and placements of the repository's fixture
 *   `test/fixtures/lantmateriet/ortnamn_v2.2_kriterier_abisko_synthetic.json` (positions there were
 *   computed from WGS84 points near the real Abisko).
 *
 * SYNTHETIC names, generated per municipality from a seeded PRNG (`ortnamn/<kommunkod>`): Swedish-looking
 * compounds of a stem and a suffix whose meaning gives the name type (-by/-torp/-ryd → Bebyggelse,
 * -sjön/-träsket → Hav och sjö, -berget/-fjället → Natur- och terrängnamn, -ån/-bäcken → Vattendrag,
 * -myren/-mossen → Sankmark, "… kyrka" → Kyrka), placed at seeded points inside the municipality's
 * outline; lakes and streams get two or three placements. Northern municipalities (län 22–25) get
 * northern suffixes (-träsket, -myren, -byn), and "-fjället" only near the mountains.
 */

/** One name of the register with all its placements (SWEREF 99 TM). */
export interface PlaceNameEntry {
  name: string;
  /** The name in lower case (what searches compare). */
  key: string;
  /** `namntyp`. */
  type: string;
  /** `sprak`. */
  language: string;
  kommunkod: string;
  kommunnamn: string;
  lankod: string;
  lannamn: string;
  placements: Sweref[];
  /** False for generated names. */
  real: boolean;
}

const STEMS = [
  'Björk',
  'Ek',
  'Lind',
  'Gran',
  'Tall',
  'Asp',
  'Al',
  'Ask',
  'Rönn',
  'Hassel',
  'Sälg',
  'Sand',
  'Sten',
  'Kvarn',
  'Kyrk',
  'Norr',
  'Sör',
  'Väster',
  'Öster',
  'Hög',
  'Lång',
  'Stor',
  'Lill',
  'Ny',
  'Svart',
  'Vit',
  'Röd',
  'Grön',
  'Kall',
  'Myr',
  'Älg',
  'Björn',
  'Varg',
  'Räv',
  'Hjort',
  'Örn',
  'Svan',
  'Tran',
  'Gås',
  'Kråk',
  'Hök',
  'Berg',
  'Holm',
  'Ås',
  'Dal',
  'Lid',
  'Hed',
  'Mo',
  'Ols',
  'Pers',
  'Nils',
  'Jons',
  'Anders',
  'Eriks',
  'Lars',
  'Mats',
  'Karls',
  'Tors',
  'Ingels',
  'Gunnars',
] as const;

type Kind = 'settlement' | 'lake' | 'height' | 'stream' | 'marsh';

const TYPE: Record<Kind, string> = {
  settlement: 'Bebyggelse',
  lake: 'Hav och sjö',
  height: 'Natur- och terrängnamn',
  stream: 'Vattendrag',
  marsh: 'Sankmark',
};

const SOUTH: Record<Kind, readonly string[]> = {
  settlement: ['by', 'torp', 'ryd', 'hult', 'sta', 'boda', 'näs', 'gården', 'berga', 'inge'],
  lake: ['sjön', 'sjön', 'tjärnen', 'gölen'],
  height: ['berget', 'åsen', 'kullen', 'höjden', 'skogen'],
  stream: ['ån', 'bäcken', 'bäcken'],
  marsh: ['mossen', 'kärret'],
};

const NORTH: Record<Kind, readonly string[]> = {
  settlement: ['by', 'byn', 'träsk', 'selet', 'gården', 'lund', 'vik', 'berg'],
  lake: ['sjön', 'träsket', 'tjärnen', 'vattnet'],
  height: ['berget', 'åsen', 'kullen', 'höjden', 'skogen'],
  stream: ['ån', 'bäcken', 'älven'],
  marsh: ['myren', 'myren', 'mossen'],
};

/** Share of each kind among a municipality's generated names. */
const KINDS: ReadonlyArray<readonly [Kind, number]> = [
  ['settlement', 0.38],
  ['lake', 0.22],
  ['height', 0.2],
  ['stream', 0.1],
  ['marsh', 0.1],
];

function kindOf(r: number): Kind {
  let acc = 0;
  for (const [kind, share] of KINDS) {
    acc += share;
    if (r < acc) return kind;
  }
  return 'settlement';
}

/** A seeded point inside the municipality's outline (rejection sampling in its bounding box). */
export function pointInside(
  m: MunicipalityRecord,
  rand: () => number,
): { latitude: number; longitude: number } {
  for (let i = 0; i < 40; i++) {
    const longitude = m.bbox.minLon + rand() * (m.bbox.maxLon - m.bbox.minLon);
    const latitude = m.bbox.minLat + rand() * (m.bbox.maxLat - m.bbox.minLat);
    if (pointInPolygon(m.geometry, longitude, latitude)) return { latitude, longitude };
  }
  return m.centroid;
}

const round = (p: Sweref): Sweref => ({ n: Math.round(p.n), e: Math.round(p.e) });

export interface PlaceNameRegister {
  /** Every name: the real ones first, then the generated ones by municipality code. */
  all(): readonly PlaceNameEntry[];
  /** The names filed under one municipality (real ones first). */
  inMunicipality(code: string): readonly PlaceNameEntry[];
  /** The name with the placement nearest to a SWEREF 99 TM point, or null. */
  nearest(point: Sweref): PlaceNameEntry | null;
}

export function createPlaceNameRegister(geo: SimGeography, terrain: Terrain): PlaceNameRegister {
  const generated = new Map<string, PlaceNameEntry[]>();
  let real: PlaceNameEntry[] | undefined;
  let everything: PlaceNameEntry[] | undefined;

  const base = (m: MunicipalityRecord) => ({
    language: 'Svenska',
    kommunkod: m.code,
    kommunnamn: m.name,
    lankod: m.countyCode,
    lannamn: geo.county(m.countyCode)?.name ?? '',
  });

  function realNames(): PlaceNameEntry[] {
    if (real) return real;
    const kiruna = geo.municipality('2584')!;
    const list: PlaceNameEntry[] = [
      {
        name: 'Abisko',
        key: 'abisko',
        type: 'Bebyggelse',
        ...base(kiruna),
        placements: [{ n: 7_586_731, e: 657_633 }],
        real: true,
      },
      {
        name: 'Abisko',
        key: 'abisko',
        type: 'Anläggning',
        ...base(kiruna),
        placements: [
          { n: 7_587_634, e: 655_602 },
          { n: 7_587_196, e: 657_023 },
        ],
        real: true,
      },
    ];
    for (const m of geo.municipalities) {
      list.push({
        name: m.name,
        key: fold(m.name),
        type: 'Tätort',
        ...base(m),
        placements: [round(toSweref(m.centroid.latitude, m.centroid.longitude))],
        real: true,
      });
    }
    for (const c of geo.counties) {
      const members = c.municipalityCodes.map((k) => geo.municipality(k)!);
      const lat = members.reduce((s, m) => s + m.centroid.latitude, 0) / members.length;
      const lon = members.reduce((s, m) => s + m.centroid.longitude, 0) / members.length;
      const central = members
        .map((m) => ({ m, d: (m.centroid.latitude - lat) ** 2 + (m.centroid.longitude - lon) ** 2 }))
        .sort((a, b) => a.d - b.d)[0]!.m;
      list.push({
        name: c.name,
        key: fold(c.name),
        type: 'Trakt',
        ...base(central),
        placements: [round(toSweref(central.centroid.latitude, central.centroid.longitude))],
        real: true,
      });
    }
    real = list;
    return list;
  }

  function generate(m: MunicipalityRecord): PlaceNameEntry[] {
    const cached = generated.get(m.code);
    if (cached) return cached;
    const rand = seededRandom(`ortnamn/${m.code}`);
    const north = Number(m.countyCode) >= 22;
    const parts = north ? NORTH : SOUTH;
    const area = geo.area(geo.kommun(m.code)!);
    const count = Math.max(15, Math.min(150, Math.round(15 + area / 150)));
    const seen = new Set<string>();
    const list: PlaceNameEntry[] = [];
    const settlements: PlaceNameEntry[] = [];
    for (let i = 0; list.length < count && i < count * 4; i++) {
      const kind = kindOf(rand());
      const stem = pick(rand, STEMS);
      const at = pointInside(m, rand);
      const p = round(toSweref(at.latitude, at.longitude));
      let suffix = pick(rand, parts[kind]);
      // Fell names only where the synthetic terrain is mountainous.
      if (kind === 'height' && north && terrain.height(p.n, p.e) > 700) suffix = 'fjället';
      // Stems ending in -s (genitive) read badly before -s… suffixes; fine otherwise.
      const name = `${stem}${stem.endsWith('s') && suffix.startsWith('s') ? suffix.slice(1) : suffix}`;
      if (seen.has(name)) continue;
      seen.add(name);
      const placements = [p];
      if (kind === 'lake' || kind === 'stream') {
        const extra = between(rand, 0, 2);
        for (let k = 0; k < extra; k++) {
          const angle = rand() * 2 * Math.PI;
          const dist = 800 + rand() * 3500;
          const q = round({ n: p.n + dist * Math.cos(angle), e: p.e + dist * Math.sin(angle) });
          const w = toWgs84(q);
          if (pointInPolygon(m.geometry, w.longitude, w.latitude)) placements.push(q);
        }
      }
      const entry: PlaceNameEntry = {
        name,
        key: fold(name),
        type: TYPE[kind],
        ...base(m),
        placements,
        real: false,
      };
      list.push(entry);
      if (kind === 'settlement') settlements.push(entry);
    }
    // A church in some villages: "<village> kyrka", a few hundred metres from the village.
    for (const village of settlements) {
      if (rand() >= 0.18) continue;
      const p = village.placements[0]!;
      list.push({
        name: `${village.name} kyrka`,
        key: `${village.key} kyrka`,
        type: 'Kyrka',
        ...base(m),
        placements: [round({ n: p.n + 150 + rand() * 300, e: p.e - 150 + rand() * 300 })],
        real: false,
      });
    }
    generated.set(m.code, list);
    return list;
  }

  return {
    all() {
      everything ??= [...realNames(), ...geo.municipalities.flatMap((m) => generate(m))];
      return everything;
    },
    inMunicipality(code) {
      const m = geo.municipality(code);
      if (!m) return [];
      return [...realNames().filter((e) => e.kommunkod === code), ...generate(m)];
    },
    nearest(point) {
      let best: PlaceNameEntry | null = null;
      let bestD = Number.POSITIVE_INFINITY;
      const consider = (entries: readonly PlaceNameEntry[]) => {
        for (const entry of entries) {
          for (const p of entry.placements) {
            const d = (p.n - point.n) ** 2 + (p.e - point.e) ** 2;
            if (d < bestD) {
              bestD = d;
              best = entry;
            }
          }
        }
      };
      consider(realNames());
      // Municipalities in order of distance; stop once a bounding box is farther than the best name.
      const { latitude, longitude } = toWgs84(point);
      const candidates = geo.municipalities
        .map((m) => ({ m, km: distanceToBBoxKm(m.bbox, longitude, latitude) }))
        .sort((a, b) => a.km - b.km);
      for (const { m, km } of candidates) {
        // Generated names lie inside their municipality; the margin covers lake/stream offsets.
        if (km * 1000 - 5000 > Math.sqrt(bestD)) break;
        consider(generate(m));
      }
      return best;
    },
  };
}

/** How Ortnamn `match` compares a name with the (lower-cased) search term: case-insensitive. */
export function nameMatches(entry: PlaceNameEntry, term: string, match: string): boolean {
  const a = entry.key;
  switch (match) {
    case 'startsWith':
      return a.startsWith(term);
    case 'endsWith':
      return a.endsWith(term);
    case 'contains':
      return a.includes(term);
    default:
      return a === term;
  }
}
