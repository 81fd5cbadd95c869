/**
 * Simulated impact-based warnings (IBW): `GET {SMHI_WARNINGS_URL}/warning.json`, a JSON array in the
 * recorded shape (`warnings_ibw_v1_warning_polygon_single_pysmhi.json`, smhi.md §7).
 *
 * - **Real:** the recorded warning (water shortage, Skåne, MESSAGE, published 2026-08-11) is served
 *   unaltered for six weeks after its publication (the recording gives no end; six weeks is ours).
 * - **Synthetic:** on about 40 % of days an episode starts: an event that fits the season (wind and
 *   snow in winter, rain in summer, grass fire in spring, high flows at snowmelt, water shortage in
 *   late summer), a level, one to three counties (one warning area per county, its outline from the
 *   embedded county outlines of `kit/sweden.ts`), published the day before, visible until it ends.
 *   Event and level codes and names are those of SMHI's test data (WIND, FIRE/GRASS_FIRE, HIGH_FLOW,
 *   WATER_SHORTAGE; MESSAGE/Meddelande, YELLOW/Gul, ORANGE/Orange) except SNOW, RAIN and RED/Röd,
 *   which are UNCONFIRMED; the texts are ours (Swedish and English), not SMHI's.
 * Deterministic from the date: the same clock gives the same warnings; many days have none (`[]`).
 */
import { readFileSync } from 'node:fs';
import type { Polygonal } from '../../../kit/geo.ts';
import { seededRandom } from '../../../kit/simulator.ts';
import { geography } from '../../../kit/sweden.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type Level = 'MESSAGE' | 'YELLOW' | 'ORANGE' | 'RED';
type Text = { sv: string; en: string };

const LEVELS: Record<Level, Text> = {
  MESSAGE: { sv: 'Meddelande', en: 'Message' },
  YELLOW: { sv: 'Gul', en: 'Yellow' },
  ORANGE: { sv: 'Orange', en: 'Orange' },
  RED: { sv: 'Röd', en: 'Red' },
};

const CLASSIFICATION = {
  MET: { sv: 'Meteorologi', en: 'Meteorology', code: 'MET' },
  HYD: { sv: 'Hydrologi', en: 'Hydrology', code: 'HYD' },
} as const;

interface EventDef {
  code: string;
  name: Text;
  mho: keyof typeof CLASSIFICATION;
  description: Text & { code: string };
  /** Months (0–11) in which episodes of this event start. */
  months: readonly number[];
  counties: readonly string[];
  levels: ReadonlyArray<[Level, number]>;
  incident: Partial<Record<Level, Text>>;
  affect: Text;
  /** Hours an episode lasts (MET: has an `approximateEnd`); HYD episodes are open-ended and last days. */
  hours?: [number, number];
  days?: [number, number];
}

const ALL_COUNTIES = [
  '01',
  '03',
  '04',
  '05',
  '06',
  '07',
  '08',
  '09',
  '10',
  '12',
  '13',
  '14',
  '17',
  '18',
  '19',
  '20',
  '21',
  '22',
  '23',
  '24',
  '25',
];

const EVENTS: readonly EventDef[] = [
  {
    code: 'WIND',
    name: { sv: 'Vind', en: 'Wind' },
    mho: 'MET',
    description: { sv: 'Vind', en: 'Wind', code: 'WIND' },
    months: [0, 1, 2, 8, 9, 10, 11],
    counties: ['12', '13', '14', '10', '08', '09', '01', '03', '21', '22', '24', '25'],
    levels: [
      ['YELLOW', 0.7],
      ['ORANGE', 0.25],
      ['RED', 0.05],
    ],
    incident: {
      YELLOW: {
        sv: 'Hård vind med byar på 21–25 m/s, främst längs kusterna.',
        en: 'Strong wind with gusts of 21–25 m/s, mainly along the coasts.',
      },
      ORANGE: {
        sv: 'Mycket hård vind med byar på 25–30 m/s.',
        en: 'Very strong wind with gusts of 25–30 m/s.',
      },
      RED: { sv: 'Stormbyar på över 30 m/s.', en: 'Storm-force gusts above 30 m/s.' },
    },
    affect: {
      sv: 'Träd kan falla över vägar och ledningar. Förseningar och inställda avgångar i tåg-, färje- och flygtrafiken kan förekomma. Säkra lösa föremål utomhus.',
      en: 'Trees may fall onto roads and power lines. Delays and cancellations in rail, ferry and air traffic may occur. Secure loose objects outdoors.',
    },
    hours: [6, 30],
  },
  {
    code: 'SNOW',
    name: { sv: 'Snö', en: 'Snow' },
    mho: 'MET',
    description: { sv: 'Snöfall', en: 'Snowfall', code: 'SNOW' },
    months: [0, 1, 2, 10, 11],
    counties: ['25', '24', '23', '22', '20', '21', '17', '19', '18', '03', '01', '05', '06'],
    levels: [
      ['YELLOW', 0.75],
      ['ORANGE', 0.25],
    ],
    incident: {
      YELLOW: { sv: 'Snöfall, 10–20 cm på 12 timmar.', en: 'Snowfall, 10–20 cm in 12 hours.' },
      ORANGE: {
        sv: 'Intensivt snöfall, 20–40 cm på 12 timmar, och snödrev.',
        en: 'Intense snowfall, 20–40 cm in 12 hours, with drifting snow.',
      },
    },
    affect: {
      sv: 'Framkomligheten på vägarna kan bli kraftigt begränsad. Räkna med förseningar i kollektivtrafiken och planera resor med god marginal.',
      en: 'Road travel may be severely hampered. Expect delays in public transport and allow plenty of time for journeys.',
    },
    hours: [8, 24],
  },
  {
    code: 'RAIN',
    name: { sv: 'Regn', en: 'Rain' },
    mho: 'MET',
    description: { sv: 'Regn', en: 'Rain', code: 'RAIN' },
    months: [5, 6, 7, 8, 9],
    counties: ALL_COUNTIES,
    levels: [
      ['YELLOW', 0.8],
      ['ORANGE', 0.2],
    ],
    incident: {
      YELLOW: { sv: 'Regn, 40–60 mm på 24 timmar.', en: 'Rain, 40–60 mm in 24 hours.' },
      ORANGE: { sv: 'Mycket regn, 60–90 mm på 24 timmar.', en: 'Heavy rain, 60–90 mm in 24 hours.' },
    },
    affect: {
      sv: 'Vatten kan samlas på vägar och i källare, och mindre vattendrag kan svämma över.',
      en: 'Water may collect on roads and in basements, and small watercourses may overflow.',
    },
    hours: [6, 24],
  },
  {
    code: 'FIRE',
    name: { sv: 'Brandrisk', en: 'Fire risk' },
    mho: 'MET',
    description: { sv: 'Risk för gräsbrand', en: 'Grass fire', code: 'GRASS_FIRE' },
    months: [3, 4],
    counties: ['12', '13', '07', '06', '05', '08', '10', '04', '01', '03', '18', '19'],
    levels: [['MESSAGE', 1]],
    incident: {
      MESSAGE: {
        sv: 'Stor risk för gräsbrand i torr vegetation.',
        en: 'High risk of grass fires in dry vegetation.',
      },
    },
    affect: {
      sv: 'Var försiktig med eld utomhus och följ kommunens besked om eldningsförbud.',
      en: "Take care with fire outdoors and follow the municipality's advice on fire bans.",
    },
    hours: [24, 72],
  },
  {
    code: 'HIGH_FLOW',
    name: { sv: 'Höga flöden', en: 'High water discharge' },
    mho: 'HYD',
    description: { sv: 'Höga flöden', en: 'High water discharge', code: 'HIGH_FLOW' },
    months: [3, 4, 5, 9, 10],
    counties: ['25', '24', '23', '22', '20', '21', '12', '13', '14', '06', '07', '17'],
    levels: [['YELLOW', 1]],
    incident: {
      YELLOW: {
        sv: 'Höga flöden i vattendrag efter snösmältning och regn.',
        en: 'High flows in watercourses after snowmelt and rain.',
      },
    },
    affect: {
      sv: 'Vattendrag kan svämma över och påverka vägar, bebyggelse och jordbruksmark nära vattnet.',
      en: 'Watercourses may flood roads, buildings and farmland close to the water.',
    },
    days: [3, 9],
  },
  {
    code: 'WATER_SHORTAGE',
    name: { sv: 'Risk för vattenbrist', en: 'Risk for water shortage' },
    mho: 'HYD',
    description: {
      sv: 'Risk för vattenbrist - Grundvatten och vattendrag',
      en: 'Risk for water shortage - Groundwater and watercourses',
      code: 'WATERCOURSES_GROUNDWATER_MINOR_MAJOR',
    },
    months: [5, 6, 7, 8],
    counties: ['08', '09', '10', '12', '05', '01', '03', '04'],
    levels: [['MESSAGE', 1]],
    incident: {
      MESSAGE: {
        sv: 'Låga grundvattennivåer och låga flöden i vattendrag.',
        en: 'Low groundwater levels and low flows in watercourses.',
      },
    },
    affect: {
      sv: 'Var sparsam med vatten, särskilt om du har egen brunn.',
      en: 'Use water sparingly, especially if you have a private well.',
    },
    days: [5, 12],
  },
];

/** Share of days on which a new episode starts. */
export const EPISODE_CHANCE = 0.4;
/** How many days back an episode may still be visible (the longest HYD episode plus a margin). */
const LOOKBACK_DAYS = 14;

/** The recorded warning and when it is served (the recording has no end: six weeks is our choice). */
const RECORDED_FILE = new URL('./data/ibw-warning-skane-2026-08-11.json', import.meta.url);
const RECORDED_FROM = Date.parse('2026-08-11T12:16:48.421Z');
const RECORDED_UNTIL = RECORDED_FROM + 42 * DAY_MS;

/** "Skåne län" → "Skåne County", "Stockholms län" → "Stockholm County". */
const englishCounty = (sv: string) => `${sv.replace(/ län$/, '').replace(/s$/, '')} County`;

const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

function roundGeometry(geometry: Polygonal): Polygonal {
  const ring = (r: number[][]) => r.map((p) => [round5(p[0]!), round5(p[1]!)]);
  return geometry.type === 'Polygon'
    ? { type: 'Polygon', coordinates: (geometry.coordinates as number[][][]).map(ring) }
    : {
        type: 'MultiPolygon',
        coordinates: (geometry.coordinates as number[][][][]).map((poly) => poly.map(ring)),
      };
}

function pick<T>(rng: () => number, items: ReadonlyArray<[T, number]>): T {
  let r = rng() * items.reduce((s, [, w]) => s + w, 0);
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface Episode {
  /** The warning as SMHI's warning.json lists it. */
  warning: Record<string, unknown>;
  published: number;
  /** Until when it is listed. */
  until: number;
}

/** The warnings generator: counties' outlines prepared once, episodes derived from dates. */
export function createWarnings() {
  let counties: Map<string, { sv: string; en: string; geometry: Polygonal | null }> | undefined;
  let recorded: unknown[] | undefined;
  const county = (code: string) => {
    counties ??= new Map(
      [...geography().counties.values()].map((c) => [
        c.code,
        { sv: c.name, en: englishCounty(c.name), geometry: c.geometry ? roundGeometry(c.geometry) : null },
      ]),
    );
    return counties.get(code);
  };

  /** The episode that starts on the UTC day `dayStart`, if any. */
  function episodeOn(dayStart: number): Episode | null {
    const date = iso(dayStart).slice(0, 10);
    const rng = seededRandom(`smhi-ibw|${date}`);
    if (rng() >= EPISODE_CHANCE) return null;
    const month = new Date(dayStart).getUTCMonth();
    const candidates = EVENTS.filter((e) => e.months.includes(month));
    if (candidates.length === 0) return null;
    const event = candidates[Math.floor(rng() * candidates.length)]!;
    const level = pick(rng, event.levels);
    const count = 1 + Math.floor(rng() * 3);
    const chosen: string[] = [];
    for (let i = 0; i < 10 && chosen.length < count; i++) {
      const code = event.counties[Math.floor(rng() * event.counties.length)]!;
      if (!chosen.includes(code)) chosen.push(code);
    }
    const created = dayStart - (10 + rng() * 24) * HOUR_MS;
    const published = Math.round(created + rng() * 6 * HOUR_MS);
    const start = dayStart + Math.floor(rng() * 16) * HOUR_MS;
    const end = event.hours
      ? start + (event.hours[0] + Math.floor(rng() * (event.hours[1] - event.hours[0] + 1))) * HOUR_MS
      : undefined;
    const until =
      end ?? start + (event.days![0] + Math.floor(rng() * (event.days![1] - event.days![0] + 1))) * DAY_MS;
    const dayIndex = Math.floor(dayStart / DAY_MS);
    const incident = event.incident[level] ?? Object.values(event.incident)[0]!;
    const areas = chosen.flatMap((code, k) => {
      const c = county(code);
      if (!c?.geometry) return [];
      const id = Number(code);
      return [
        {
          id: 20000 + (dayIndex % 10000) * 4 + k,
          approximateStart: iso(start),
          ...(end === undefined ? {} : { approximateEnd: iso(end) }),
          published: iso(published),
          normalProbability: true,
          pushNotice: level !== 'MESSAGE',
          areaName: { sv: c.sv },
          warningLevel: { ...LEVELS[level], code: level },
          eventDescription: event.description,
          affectedAreas: [{ id, sv: c.sv, en: c.en }],
          descriptions: [
            {
              title: { sv: 'Händelsebeskrivning', en: 'Description of incident', code: 'INCIDENT' },
              text: incident,
            },
            {
              title: { sv: 'Vad ska jag tänka på?', en: 'What should I think about?', code: 'AFFECT' },
              text: event.affect,
            },
          ],
          area: {
            crs: { type: 'name', properties: { name: 'EPSG:4326' } },
            type: 'Feature',
            geometry: c.geometry,
            properties: { en: c.en, id, sv: c.sv, code: 'SWE_COUNTIES' },
          },
          created: iso(Math.round(created)),
        },
      ];
    });
    if (areas.length === 0) return null;
    return {
      published,
      until,
      warning: {
        id: 4000 + (dayIndex % 5000),
        normalProbability: true,
        event: { ...event.name, code: event.code, mhoClassification: CLASSIFICATION[event.mho] },
        descriptions: [],
        warningAreas: areas,
      },
    };
  }

  /** The warnings listed at `now`, ordered by id. */
  function current(now: number): unknown[] {
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    const out: Array<{ id: number; warning: unknown }> = [];
    for (let d = -LOOKBACK_DAYS; d <= 1; d++) {
      const episode = episodeOn(today + d * DAY_MS);
      if (episode && episode.published <= now && now < episode.until) {
        out.push({ id: episode.warning['id'] as number, warning: episode.warning });
      }
    }
    if (now >= RECORDED_FROM && now < RECORDED_UNTIL) {
      recorded ??= JSON.parse(readFileSync(RECORDED_FILE, 'utf8')) as unknown[];
      for (const w of recorded) out.push({ id: (w as { id: number }).id, warning: w });
    }
    return out.sort((a, b) => a.id - b.id).map((w) => w.warning);
  }

  return { current, episodeOn };
}
